// What the scenarios share: bounds, probe streams run while a test acts, and the daemons' sync times.
import type { E2ECluster } from './cluster.js';
import { isSynced } from './cluster.js';
import type { Proto } from './objects.js';
import { ProbeStream, type Attempt, type StreamOptions } from './stream.js';
import { NODES, type NodeName, type PodName } from './topology.js';

export const PROTOS: Proto[] = ['tcp', 'udp'];
export const CLIENT_PODS: PodName[] = ['client-a', 'client-b'];
/** Bounds from the brief: endpoint removal / service deletion take effect, and tampered rules are repaired. */
export const CHANGE_BOUND_MS = 2000;
export const REPAIR_BOUND_MS = 15_000;

export const log = (text: string): void => console.log(`      ${text}`);

export function podNs(cluster: E2ECluster, pod: PodName): string {
  return cluster.topology.pods[pod];
}

/** Runs streams while `body` acts; always stops them. */
export async function withStreams<T>(cluster: E2ECluster, specs: { ns: string; options: StreamOptions }[], body: (streams: ProbeStream[]) => Promise<T>): Promise<{ result: T; attempts: Attempt[][]; streams: ProbeStream[] }> {
  const streams: ProbeStream[] = [];
  try {
    const started = await Promise.allSettled(specs.map(({ ns, options }) => ProbeStream.start(cluster.topology.lab, ns, options)));
    for (const s of started) if (s.status === 'fulfilled') streams.push(s.value);
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    const result = await body(streams);
    const attempts = [];
    for (const s of streams) attempts.push(await s.stop());
    return { result, attempts, streams };
  } finally {
    await Promise.all(streams.map((s) => s.stop()));
  }
}

/** The daemon's "synced" log times after `since`, relative to it, for the timing report. */
export function syncTimes(cluster: E2ECluster, since: number, from: Record<NodeName, number>): string {
  return NODES.map((node) => {
    const synced = cluster.daemons[node].entries(from[node]).filter(isSynced).map((e) => Date.parse(String(e.time)) - since).filter((ms) => ms >= 0);
    return `${node} sync${synced.length > 1 ? 's' : ''} ended at ${synced.length ? synced.map((ms) => `+${ms}`).join(', ') : '(none)'} ms`;
  }).join('; ');
}

export function logOffsets(cluster: E2ECluster): Record<NodeName, number> {
  return { 'node-a': cluster.daemons['node-a'].logOffset(), 'node-b': cluster.daemons['node-b'].logOffset() };
}
