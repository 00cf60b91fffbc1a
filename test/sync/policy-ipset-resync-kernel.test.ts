import { expect } from 'chai';
import { realExecutor } from '../../src/sync/exec.js';
import { ipsetMemberKey, memberLines } from '../../src/sync/ipset-state.js';
import { IptPolicyEngine } from '../../src/sync/policy-engine.js';
import { PolicyStore } from '../../src/sync/policy-store.js';
import { nsRun } from '../kernel/exec.js';
import { describeKernel } from '../kernel/kernel-gate.js';
import { namespacePerTest } from '../kernel/netns.js';
import { CTX } from './helpers.js';

const pod = (name: string, ips: string[], labels: Record<string, string>) => ({
  kind: 'Pod', apiVersion: 'v1', metadata: { name, namespace: 'shop', labels },
  spec: { nodeName: 'node-a' }, status: { phase: 'Running', podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) },
});
const objects = [
  { kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'shop' } },
  pod('db', ['10.244.0.6', 'fd00::6'], { app: 'db' }),
  pod('web', ['10.244.0.5', 'fd00::5'], { app: 'web' }),
  pod('web2', ['10.244.0.7', 'fd00::7'], { app: 'web' }),
  {
    kind: 'NetworkPolicy', apiVersion: 'networking.k8s.io/v1', metadata: { name: 'db', namespace: 'shop' },
    spec: {
      podSelector: { matchLabels: { app: 'db' } },
      // Host nets: `ipset save` prints them without their prefix.
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }, { ipBlock: { cidr: '10.9.9.9/32' } }, { ipBlock: { cidr: 'fd00:0:0:9::9/128' } }] }],
    },
  },
];
const OPTS = { unknownPods: 'allow' as const, podCIDRs: () => ['10.244.0.0/24', 'fd00::/64'] };

describe('ipset members compared as the kernel prints them', () => {
  it('a host net, an IPv6 spelling and an ip,port member match their kernel text', () => {
    expect(ipsetMemberKey('hash:net', '10.9.9.9')).to.equal(ipsetMemberKey('hash:net', '10.9.9.9/32'));
    expect(ipsetMemberKey('hash:net', 'fd00:0:0:9::9')).to.equal(ipsetMemberKey('hash:net', 'fd00:0:0:9:0:0:0:9/128'));
    expect(ipsetMemberKey('hash:ip', 'fd00:0::1')).to.equal('fd00::1');
    expect(ipsetMemberKey('hash:ip,port', 'fd00:0::1,tcp:80')).to.equal('fd00::1,tcp:80');
  });

  it('read back from the kernel: only real differences become add/del lines, never a flush', () => {
    const want = { type: 'hash:net', family: 'inet', members: new Set(['10.9.9.9/32', '10.1.0.0/16']) };
    const have = { type: 'hash:net', family: 'inet', members: new Set(['10.9.9.9', '10.2.0.0/16']) };
    expect(memberLines('pxc-x-nets4', want, have, true)).to.deep.equal(['add pxc-x-nets4 10.1.0.0/16 -exist', 'del pxc-x-nets4 10.2.0.0/16 -exist']);
  });
});

describeKernel('NetworkPolicy iptables engine: full syncs diff against the kernel @kernel', () => {
  let ns: string;
  namespacePerTest('polrs', (created) => (ns = created));

  async function members(): Promise<string[]> {
    return (await nsRun(ns, 'ipset', ['save'])).stdout.split('\n').filter((l) => l.startsWith('add ')).sort();
  }

  it('a periodic resync and a restart repair drift in place: no flush, host nets kept', async () => {
    const store = new PolicyStore();
    for (const o of objects) store.upsert(o);
    const exec = realExecutor(['ip', 'netns', 'exec', ns]);
    const engine = new IptPolicyEngine(exec, OPTS);
    await engine.sync(store, CTX, store.takeDirty().services, true);
    const good = await members();
    expect(good.join('\n')).to.contain('10.9.9.9').and.to.contain('fd00::5');

    // Periodic resync with nothing changed: the kernel already matches, so no member line at all.
    const periodic = await engine.sync(store, CTX, new Set(), true);
    expect(periodic.transaction).not.to.match(/^(flush|add|del) /m);
    expect(await members()).to.deep.equal(good);

    // Someone removes an allowed peer and adds a stranger; a restarted daemon puts it right in place.
    const peers = good.find((l) => l.endsWith(' 10.244.0.5'))!.split(' ')[1];
    await nsRun(ns, 'ipset', ['del', peers, '10.244.0.5']);
    await nsRun(ns, 'ipset', ['add', peers, '10.244.0.99']);
    const restarted = new IptPolicyEngine(exec, OPTS);
    const repair = await restarted.sync(store, CTX, new Set(), true);
    expect(repair.transaction).not.to.match(/^flush /m);
    expect(repair.transaction).to.contain(`add ${peers} 10.244.0.5 -exist`).and.to.contain(`del ${peers} 10.244.0.99 -exist`);
    expect(await members()).to.deep.equal(good);
  });
});
