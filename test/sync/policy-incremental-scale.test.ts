import { expect } from 'chai';
import { renderPolicyIptables } from '../../src/backends/iptables/policy/index.js';
import { renderPolicyNftables } from '../../src/backends/nftables/policy/index.js';
import { elementText } from '../../src/backends/nftables/text.js';
import { compilePolicyPlan } from '../../src/policy/compile.js';
import { hash16 } from '../../src/policy/hash.js';
import { parseIpsets } from '../../src/sync/ipset-state.js';
import { IptPolicyEngine, NftPolicyEngine, type PolicyEngineOptions } from '../../src/sync/policy-engine.js';
import { PolicyStore } from '../../src/sync/policy-store.js';
import { syntheticPolicyCluster } from '../policy/synthetic.js';
import { CTX, recorder } from './helpers.js';

/**
 * The benchmark's cluster (1,000 policies over 10,000 pods in 100 namespaces): one pod's label change
 * becomes a transaction of one or two elements, not a recompile of the cluster.
 */

const OPTS = (fullCompiles: string[]): PolicyEngineOptions => ({ unknownPods: 'allow', podCIDRs: () => ['10.100.0.0/16'], onFullCompile: (r) => fullCompiles.push(r) });

type Pod = { metadata: { name: string; namespace: string; labels: Record<string, string>; resourceVersion: string }; status: { podIP: string } };

function cluster() {
  const objects = syntheticPolicyCluster({ pods: 10_000, namespaces: 100, policies: 1_000 });
  const store = new PolicyStore();
  for (const o of objects) store.upsert(o);
  // pod-0: ns-0 on node-a, app=app-0 (selected by ns-0's ten policies), tier=web (a peer of them).
  const pod0 = objects.find((o) => (o.metadata as { name: string }).name === 'pod-0') as unknown as Pod;
  return { store, pod0 };
}

function relabel(pod: Pod, labels: Record<string, string>): Record<string, unknown> {
  const changed = structuredClone(pod);
  changed.metadata.labels = { ...pod.metadata.labels, ...labels };
  changed.metadata.resourceVersion = String(Number(pod.metadata.resourceVersion) + 1);
  return changed as unknown as Record<string, unknown>;
}

/** Elements named by `add|delete element` lines. */
function elementCount(transaction: string): number {
  return transaction.trim().split('\n').filter(Boolean).reduce((n, line) => n + (/\{ (.*) \}$/.exec(line)?.[1].split(', ').length ?? 0), 0);
}

const webPeers = hash16('pods {tier In (web)} in namespace ns-0');
const namedHttp = hash16('targets http/TCP');

describe('policy engines at scale: one pod label change', function () {
  this.timeout(120_000);

  it('nftables: a peer leaving its set is one element, a pod leaving isolation two; the mirror stays a full render', async () => {
    const { store, pod0 } = cluster();
    const fullCompiles: string[] = [];
    const { exec } = recorder();
    const engine = new NftPolicyEngine(exec, OPTS(fullCompiles));
    await engine.sync(store, CTX_A, store.takeDirty().services, true);

    store.upsert(relabel(pod0, { tier: 'api' }));
    let t0 = performance.now();
    const leave = await engine.sync(store, CTX_A, store.takeDirty().services, false);
    const leaveMs = performance.now() - t0;
    expect(fullCompiles).to.deep.equal([]);
    expect(leave.transaction).to.equal(`delete element ip proxyctl-policy peers-${webPeers} { 10.100.0.1 }\n`);
    expect(elementCount(leave.transaction)).to.equal(1);

    store.upsert(relabel(pod0, { tier: 'api', app: 'app-1' }));
    t0 = performance.now();
    const unisolated = await engine.sync(store, CTX_A, store.takeDirty().services, false);
    const unisolatedMs = performance.now() - t0;
    expect(fullCompiles).to.deep.equal([]);
    expect(unisolated.transaction.trim().split('\n').sort()).to.deep.equal([
      'delete element ip proxyctl-policy ingress-pods { 10.100.0.1 }',
      `delete element ip proxyctl-policy named-${namedHttp} { 10.100.0.1 . tcp . 8080 }`,
    ]);
    expect(elementCount(unisolated.transaction)).to.equal(2);

    const want = renderPolicyNftables(compilePolicyPlan(store.sources(), { nodeName: CTX_A.nodeName, nodeIPs: CTX_A.nodeIPs }), { unknownPods: 'allow', podCIDRs: ['10.100.0.0/16'] });
    for (const table of want) {
      const have = engine.committed().get(table.family)!;
      expect(have.sets.map((s) => [s.name, s.elements.map(elementText).sort()])).to.deep.equal(table.sets.map((s) => [s.name, s.elements.map(elementText).sort()]));
    }
    console.log(`      partial sync JS+fake exec: leave peer set ${leaveMs.toFixed(1)} ms, leave isolation ${unisolatedMs.toFixed(1)} ms`);
  });

  it('iptables: a peer leaving its set is one ipset del', async () => {
    const { store, pod0 } = cluster();
    const fullCompiles: string[] = [];
    const { exec } = recorder((cmd) => ({ exitCode: 0, stdout: cmd.endsWith('-save') ? '*filter\nCOMMIT\n' : '' }));
    const engine = new IptPolicyEngine(exec, OPTS(fullCompiles), ['ipv4']);
    await engine.sync(store, CTX_A, store.takeDirty().services, true);

    store.upsert(relabel(pod0, { tier: 'api' }));
    const t0 = performance.now();
    const leave = await engine.sync(store, CTX_A, store.takeDirty().services, false);
    const ms = performance.now() - t0;
    expect(fullCompiles).to.deep.equal([]);
    expect(leave.transaction).to.equal(`del pxc-${webPeers}-peers4 10.100.0.1 -exist`);

    const plan = compilePolicyPlan(store.sources(), { nodeName: CTX_A.nodeName, nodeIPs: CTX_A.nodeIPs });
    const want = parseIpsets(renderPolicyIptables(plan, 'ipv4', { unknownPods: 'allow', podCIDRs: ['10.100.0.0/16'] }).ipset);
    const have = engine.committed().get('ipv4')!;
    expect([...have].map(([n, s]) => [n, [...s.members].sort()])).to.deep.equal([...want].map(([n, s]) => [n, [...s.members].sort()]));
    console.log(`      partial sync JS+fake exec: leave peer set ${ms.toFixed(1)} ms`);
  });
});

const CTX_A = { ...CTX, nodeName: 'node-a', nodeIPs: ['192.168.1.10'], clusterCIDRs: ['10.100.0.0/16'] };
