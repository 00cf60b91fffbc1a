// The change loop of the daemon bench: isolated single-endpoint changes, each timed from the update
// call at the API server to the new endpoint in the kernel.
import { sleep, wallMs } from './clock.js';
import type { DaemonBenchOptions } from './daemon-bench.js';
import type { Stack } from './daemon-stack.js';
import { endpointVisible, moveLastEndpoint, newAddress, serviceFor, sliceRef } from './endpoint-change.js';
import type { NftMonitor } from './nft-monitor.js';
import { distribution, type Distribution } from './stats.js';

export interface ChangeLatency {
  requested: number;
  /** How the kernel was watched: `nft monitor` events (nftables) or polling (iptables). */
  method: string;
  /** Update call → the new endpoint in the kernel (monitor line, or the end of the first poll that saw it). */
  latency?: Distribution;
  /** Polling: update call → end of the last poll that did not see it (a lower bound). */
  pollLower?: Distribution;
  /** Per change, the daemon's own sync duration ('synced' seconds). */
  syncLog?: Distribution;
  /** Update call → the API server acknowledged the write. */
  apiAck?: Distribution;
  /** Polling: mean duration of one poll (the resolution). */
  meanPollMs?: number;
  /** Changes whose sync was not partial (a periodic resync ran instead or too). */
  nonPartial: number;
  failures: string[];
  note?: string;
}

export async function endpointChanges(s: Stack, o: DaemonBenchOptions, monitor: NftMonitor | undefined): Promise<ChangeLatency> {
  const d = s.daemon!;
  const latency: number[] = [];
  const lower: number[] = [];
  const syncLog: number[] = [];
  const ack: number[] = [];
  const failures: string[] = [];
  const changed = new Map<number, string>();
  let pollSpent = 0;
  let nonPartial = 0;
  let note: string | undefined;
  const deadline = wallMs() + o.budgetMs;
  for (let n = 1; n <= o.changes; n++) {
    if (wallMs() > deadline) {
      note = `stopped after ${n - 1} changes: --daemon-budget ${(o.budgetMs / 1000).toFixed(0)} s`;
      break;
    }
    const i = serviceFor(n, o.services);
    const address = newAddress(n);
    const current = await s.api.get(sliceRef(i));
    if (!current) throw new Error(`EndpointSlice of service ${i} not found`);
    const check = endpointVisible(o.backend, i, o.endpoints - 1, address);
    const from = d.lines.length;
    const t0 = wallMs();
    const update = s.api.update(moveLastEndpoint(current, address, new Date(t0))).then(() => wallMs());
    const seen: Promise<{ at?: number; before?: number; pollMs?: number; why?: string }> = monitor
      ? monitor.waitFor(check.monitorText!, t0, o.timeoutMs).then((at) => ({ at, why: 'no nft monitor line' }))
      : s.agent.poll(check.argv, check.expect, o.pollMs, o.timeoutMs)
        .then((p) => ({ at: p.seenAt, before: p.notSeenAt ?? t0, pollMs: p.meanPollMs, why: String(JSON.stringify(p.last ?? null)).slice(0, 300) }));
    const [acked, r] = await Promise.all([update, seen]);
    ack.push(acked - t0);
    if (r.at === undefined) {
      failures.push(`change ${n} (service ${i} → ${address}): not seen within ${o.timeoutMs} ms: ${r.why}`);
      if (failures.length >= 5) break;
      continue;
    }
    changed.set(i, address);
    latency.push(r.at - t0);
    if (r.before !== undefined) lower.push(r.before - t0);
    pollSpent += r.pollMs ?? 0;
    const synced = await d.waitFor('synced', from, o.timeoutMs);
    syncLog.push(Number(synced.line.fields.seconds) * 1000);
    if (synced.line.fields.mode !== 'partial') nonPartial++;
    await sleep(o.gapMs);
  }
  if (monitor) failures.push(...await verifyEndpoints(s, o, changed));
  return {
    requested: o.changes, method: monitor ? 'nft monitor' : `poll every ${o.pollMs} ms`, latency: distribution(latency),
    pollLower: distribution(lower), syncLog: distribution(syncLog), apiAck: distribution(ack),
    meanPollMs: lower.length ? pollSpent / lower.length : undefined, nonPartial, failures, note,
  };
}

/** nftables: what the monitor announced is what the map holds (one listing at the end). */
async function verifyEndpoints(s: Stack, o: DaemonBenchOptions, changed: Map<number, string>): Promise<string[]> {
  const r = await s.agent.run(['nft', 'list', 'map', 'ip', 'proxyctl', 'endpoints'], 120_000);
  if (r.code !== 0) return [`nft list map endpoints: ${r.stderr}`];
  const wrong = [...changed].filter(([i, address]) => !r.stdout.includes(endpointVisible(o.backend, i, o.endpoints - 1, address).monitorText!));
  return wrong.slice(0, 5).map(([i, address]) => `service ${i}: the map does not hold ${address} at index ${o.endpoints - 1}`);
}
