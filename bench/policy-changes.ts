// The change loop of the policy daemon bench: flip one pod's tier label so it joins or leaves a
// peer set, timed from the update call at the API server to the set change in the kernel.
import { sleep, wallMs } from './clock.js';
import type { Stack } from './daemon-stack.js';
import type { NftMonitor } from './nft-monitor.js';
import { peerMembership, podFor } from './policy-cluster.js';
import type { PolicyDaemonOptions, PolicyDaemonResult } from './policy-daemon.js';
import { distribution } from './stats.js';

type Pod = { metadata: { labels: Record<string, string>; resourceVersion?: string }; status: { podIP: string } };

export async function labelChanges(s: Stack, o: PolicyDaemonOptions, monitor: NftMonitor | undefined, r: PolicyDaemonResult): Promise<void> {
  const d = s.daemon!;
  const latency: number[] = [];
  const lower: number[] = [];
  const syncLog: number[] = [];
  let pollSpent = 0;
  const deadline = wallMs() + o.budgetMs;
  for (let n = 1; n <= o.changes; n++) {
    if (wallMs() > deadline) {
      r.note = `stopped after ${n - 1} changes: --daemon-budget ${(o.budgetMs / 1000).toFixed(0)} s`;
      break;
    }
    const ref = podFor(n, o.size);
    const pod = await s.api.get<Pod & { kind: string; apiVersion: string; metadata: { name: string } }>({ apiVersion: 'v1', kind: 'Pod', ...ref });
    if (!pod) throw new Error(`pod ${ref.namespace}/${ref.name} not found`);
    const joins = pod.metadata.labels.tier !== 'web';
    const ip = pod.status.podIP;
    const check = peerMembership(o.backend, ref.namespace, ip, joins);
    // The opposite must hold now: proves the set exists (a missing set would pass an "absent" check).
    const before = await s.agent.run(check.argv);
    if ((before.code === 0) === joins) {
      r.failures.push(`change ${n}: ${ref.namespace}/${ref.name} (${ip}) ${joins ? 'already in' : 'not in'} the peer set before the change: ${before.stderr.trim()}`);
      if (r.failures.length >= 5) break;
      continue;
    }
    const changed = structuredClone(pod);
    changed.metadata.labels = { ...pod.metadata.labels, tier: joins ? 'web' : 'api' };
    delete changed.metadata.resourceVersion;
    const from = d.lines.length;
    const t0 = wallMs();
    const update = s.api.update(changed);
    const seen: Promise<{ at?: number; before?: number; pollMs?: number; why?: string }> = monitor
      ? monitor.waitFor(check.monitor!, t0, o.timeoutMs).then((at) => ({ at, why: 'no nft monitor line' }))
      : s.agent.poll(check.argv, check.expect, o.pollMs, o.timeoutMs)
        .then((p) => ({ at: p.seenAt, before: p.notSeenAt ?? t0, pollMs: p.meanPollMs, why: String(JSON.stringify(p.last ?? null)).slice(0, 300) }));
    const [, res] = await Promise.all([update, seen]);
    if (res.at === undefined) {
      r.failures.push(`change ${n} (${ref.namespace}/${ref.name} ${joins ? 'joins' : 'leaves'}): not seen within ${o.timeoutMs} ms: ${res.why}`);
      if (r.failures.length >= 5) break;
      continue;
    }
    latency.push(res.at - t0);
    if (res.before !== undefined) lower.push(res.before - t0);
    pollSpent += res.pollMs ?? 0;
    const synced = await d.waitFor('policy synced', from, o.timeoutMs, 'policy sync failed');
    syncLog.push(Number(synced.line.fields.seconds) * 1000);
    await sleep(o.gapMs);
  }
  r.method = monitor ? 'nft monitor' : `poll every ${o.pollMs} ms`;
  r.latency = distribution(latency);
  r.pollLower = distribution(lower);
  r.syncLog = distribution(syncLog);
  r.meanPollMs = lower.length ? pollSpent / lower.length : undefined;
}
