import { expect } from 'chai';
import { realExecutor } from '../../src/sync/exec.js';
import { IptPolicyEngine, NftPolicyEngine } from '../../src/sync/policy-engine.js';
import { PolicyStore } from '../../src/sync/policy-store.js';
import { nsRun } from '../kernel/exec.js';
import { describeKernel } from '../kernel/kernel-gate.js';
import { namespacePerTest } from '../kernel/netns.js';
import { CTX } from './helpers.js';

const ns1 = { kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'shop', labels: { 'kubernetes.io/metadata.name': 'shop' } } };
const pod = (name: string, ip: string, labels: Record<string, string>) => ({
  kind: 'Pod', apiVersion: 'v1', metadata: { name, namespace: 'shop', labels },
  spec: { nodeName: 'node-a', containers: [{ name: 'c' }] }, status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] },
});
const policy = {
  kind: 'NetworkPolicy', apiVersion: 'networking.k8s.io/v1', metadata: { name: 'db-from-web', namespace: 'shop' },
  spec: { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 5432 }] }] },
};
const OPTS = { unknownPods: 'allow' as const, podCIDRs: () => ['10.244.0.0/24'] };

describeKernel('NetworkPolicy engines against the kernel @kernel', () => {
  let ns: string;
  namespacePerTest('pol', (created) => (ns = created));

  function store() {
    const s = new PolicyStore();
    for (const o of [ns1, pod('db', '10.244.0.6', { app: 'db' }), pod('web', '10.244.0.5', { app: 'web' }), policy]) s.upsert(o);
    return s;
  }

  it('nftables: a new peer pod is a set element; removing the last policy removes the tables', async () => {
    const s = store();
    const engine = new NftPolicyEngine(realExecutor(['ip', 'netns', 'exec', ns]), OPTS);
    await engine.sync(s, CTX, s.takeDirty().services, true);
    s.upsert(pod('web2', '10.244.0.7', { app: 'web' }));
    const partial = await engine.sync(s, CTX, s.takeDirty().services, false);
    expect(partial.transaction.trim().split('\n')).to.deep.equal(['add element ip proxyctl-policy peers-wdxend5isxc46ah4 { 10.244.0.7 }']);
    expect((await nsRun(ns, 'nft', ['list', 'table', 'ip', 'proxyctl-policy'])).stdout).to.contain('10.244.0.7');
    expect(await engine.verify()).to.equal(true);
    s.remove(policy);
    await engine.sync(s, CTX, s.takeDirty().services, false);
    expect((await nsRun(ns, 'nft', ['list', 'tables'])).stdout).not.to.contain('proxyctl-policy');
  });

  it('iptables: ipset members change in place, chains and hooks appear once, and go away with the last policy', async () => {
    const s = store();
    const engine = new IptPolicyEngine(realExecutor(['ip', 'netns', 'exec', ns]), OPTS, ['ipv4']);
    await engine.sync(s, CTX, s.takeDirty().services, true);
    await engine.sync(s, CTX, new Set(), true);
    expect((await nsRun(ns, 'iptables-save', ['-t', 'filter'])).stdout.match(/-A FORWARD .*PROXYCTL-POLICY-FORWARD/g)).to.have.length(1);
    s.upsert(pod('web2', '10.244.0.7', { app: 'web' }));
    const partial = await engine.sync(s, CTX, s.takeDirty().services, false);
    expect(partial.transaction).to.match(/add pxc-\S+ 10\.244\.0\.7 -exist/);
    expect(partial.transaction).not.to.contain('flush');
    s.remove(policy);
    await engine.sync(s, CTX, s.takeDirty().services, false);
    expect((await nsRun(ns, 'iptables-save', ['-t', 'filter'])).stdout).not.to.match(/PROXYCTL-POLICY|PXP-/);
  });
});

describeKernel('NetworkPolicy engine churn @kernel', () => {
  let ns: string;
  namespacePerTest('polchurn', (created) => (ns = created));

  it('iptables: a second policy joining and leaving a pod group leaves no unused chains or ipsets', async () => {
    const s = new PolicyStore();
    for (const o of [ns1, pod('db', '10.244.0.6', { app: 'db' }), pod('web', '10.244.0.5', { app: 'web' }), policy]) s.upsert(o);
    const engine = new IptPolicyEngine(realExecutor(['ip', 'netns', 'exec', ns]), OPTS, ['ipv4']);
    await engine.sync(s, CTX, s.takeDirty().services, true);
    const baseline = (await nsRun(ns, 'iptables-save', ['-t', 'filter'])).stdout.split('\n').filter((l) => l.startsWith(':')).sort();
    const baseSets = (await nsRun(ns, 'ipset', ['list', '-n'])).stdout.split('\n').sort();
    const second = { ...policy, metadata: { name: 'db-from-all', namespace: 'shop' }, spec: { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ namespaceSelector: {} }] }] } };
    s.upsert(second);
    await engine.sync(s, CTX, s.takeDirty().services, false);
    s.remove(second);
    await engine.sync(s, CTX, s.takeDirty().services, false);
    const after = (await nsRun(ns, 'iptables-save', ['-t', 'filter'])).stdout.split('\n').filter((l) => l.startsWith(':')).sort();
    expect(after).to.deep.equal(baseline);
    expect((await nsRun(ns, 'ipset', ['list', '-n'])).stdout.split('\n').sort()).to.deep.equal(baseSets);
  });
});
