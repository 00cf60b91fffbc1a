// The pod-start window of the policy daemon bench: a new pod (Running, with its IP, labelled tier=web) is
// created at the API server on node-a in a namespace with policies; timed from the create call until its
// address is in the namespace's `tier In (web)` peer set in the kernel. It is then deleted again.
import { sleep, wallMs } from './clock.js';
import type { Stack } from './daemon-stack.js';
import type { NftMonitor } from './nft-monitor.js';
import { peerMembership, podFor } from './policy-cluster.js';
import type { PolicyDaemonOptions, PolicyDaemonResult } from './policy-daemon.js';
import { distribution } from './stats.js';

/** How many pods the bench starts per backend (or fewer with a smaller --label-changes). */
export const POD_STARTS = 20;

type Pod = { kind: string; apiVersion: string; metadata: { name: string; namespace: string; labels: Record<string, string>; resourceVersion?: string; uid?: string }; status: { podIP: string; podIPs?: { ip: string }[] } };

export async function podStarts(s: Stack, o: PolicyDaemonOptions, monitor: NftMonitor | undefined, r: PolicyDaemonResult): Promise<void> {
  const d = s.daemon!;
  const latency: number[] = [];
  const deadline = wallMs() + o.budgetMs;
  for (let n = 1; n <= Math.min(POD_STARTS, o.changes); n++) {
    if (wallMs() > deadline) break;
    // A sibling of an existing pod of node-a (same namespace, node and containers), new name and address.
    const ref = podFor(n, o.size);
    const sibling = await s.api.get<Pod>({ apiVersion: 'v1', kind: 'Pod', ...ref });
    if (!sibling) throw new Error(`pod ${ref.namespace}/${ref.name} not found`);
    const ip = `10.100.250.${n}`; // node-a's pod CIDR, above every generated pod address
    const pod = structuredClone(sibling);
    pod.metadata = { name: `started-${n}`, namespace: ref.namespace, labels: { ...sibling.metadata.labels, tier: 'web' } };
    pod.status = { ...pod.status, podIP: ip, podIPs: [{ ip }] };
    const check = peerMembership(o.backend, ref.namespace, ip, true);
    const before = await s.agent.run(check.argv);
    if (before.code === 0) {
      r.failures.push(`pod start ${n}: ${ip} is in the peer set before the pod exists`);
      continue;
    }
    const from = d.lines.length;
    const t0 = wallMs();
    const seen = monitor
      ? monitor.waitFor(check.monitor!, t0, o.timeoutMs)
      : s.agent.poll(check.argv, check.expect, o.pollMs, o.timeoutMs).then((p) => p.seenAt);
    const [, at] = await Promise.all([s.api.create(pod as never), seen]);
    if (at === undefined) {
      r.failures.push(`pod start ${n} (${ref.namespace}/started-${n}, ${ip}): not in the peer set within ${o.timeoutMs} ms`);
    } else {
      latency.push(at - t0);
    }
    await d.waitFor('policy synced', from, o.timeoutMs, 'policy sync failed');
    const removed = d.lines.length;
    await s.api.delete({ apiVersion: 'v1', kind: 'Pod', namespace: ref.namespace, name: `started-${n}` });
    await d.waitFor('policy synced', removed, o.timeoutMs, 'policy sync failed');
    await sleep(o.gapMs);
  }
  r.podStart = distribution(latency);
}
