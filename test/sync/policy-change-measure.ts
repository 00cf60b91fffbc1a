// The policy engines' own cost of one pod label change at scale, with a do-nothing executor (figures,
// not asserts): a full sync, then label flips as the bench makes them (tier web <-> api on node-a pods).
//   node --import tsx test/sync/policy-change-measure.ts [changes=200]
import { IptPolicyEngine, NftPolicyEngine, type PolicyEngineOptions } from '../../src/sync/policy-engine.js';
import { PolicyStore } from '../../src/sync/policy-store.js';
import type { Executor } from '../../src/sync/exec.js';
import { syntheticPolicyCluster } from '../policy/synthetic.js';
import { CTX } from './helpers.js';

type Pod = { metadata: { labels: Record<string, string>; resourceVersion: string } };

const changes = Number(process.argv[2] ?? 200);
const ctx = { ...CTX, nodeName: 'node-a', nodeIPs: ['192.168.1.10'], clusterCIDRs: ['10.100.0.0/16'] };
const exec: Executor = { run: async (cmd) => ({ exitCode: 0, stdout: cmd.endsWith('-save') ? '*filter\nCOMMIT\n' : '', stderr: '' }) };

for (const backend of ['nftables', 'iptables'] as const) {
  const objects = syntheticPolicyCluster({ pods: 10_000, namespaces: 100, policies: 1_000 });
  const pods = objects.filter((o) => o.kind === 'Pod') as unknown as Pod[];
  const store = new PolicyStore();
  for (const o of objects) store.upsert(o);
  const fallbacks: string[] = [];
  const opts: PolicyEngineOptions = { unknownPods: 'allow', podCIDRs: () => ['10.100.0.0/16'], onFullCompile: (r) => fallbacks.push(r) };
  const engine = backend === 'nftables' ? new NftPolicyEngine(exec, opts) : new IptPolicyEngine(exec, opts, ['ipv4']);
  let t0 = performance.now();
  await engine.sync(store, ctx, store.takeDirty().services, true);
  const full = performance.now() - t0;
  const times: number[] = [];
  for (let n = 0; n < changes; n++) {
    const i = (n * 7919 * 2) % pods.length; // even index: a node-a pod
    const pod = structuredClone(pods[i]);
    pod.metadata.labels.tier = pod.metadata.labels.tier === 'web' ? 'api' : 'web';
    pod.metadata.resourceVersion = String(Number(pod.metadata.resourceVersion) + 1);
    pods[i] = pod;
    store.upsert(pod as unknown as Record<string, unknown>);
    t0 = performance.now();
    await engine.sync(store, ctx, store.takeDirty().services, false);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(2);
  console.log(`${backend}: full sync ${full.toFixed(0)} ms; ${changes} label changes: p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${q(1)} ms; full compiles ${fallbacks.length}`);
}
