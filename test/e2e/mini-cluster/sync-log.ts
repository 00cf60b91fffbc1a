// Checks of the daemon's sync loop from its own logs: no rules from a half-listed store, and never
// two syncs at once (also under a resync period shorter than a sync).
import { expect } from 'chai';
import type { E2ECluster } from './cluster.js';
import { isSynced } from './cluster.js';
import { SERVICES } from './objects.js';
import { log, podNs, withStreams } from './observe.js';
import { summarize } from './stream.js';
import { NODE_IP, NODES, type NodeName } from './topology.js';
import { sleep } from './traffic.js';

export interface SyncWindow {
  start: number;
  end: number;
  mode: string;
  elements: number;
}

/** Each "synced" log line as the time window it covered (end = log time, start = end − seconds). */
export function syncWindows(entries: Record<string, unknown>[]): SyncWindow[] {
  return entries.filter(isSynced).map((e) => {
    const end = Date.parse(String(e.time));
    return { start: end - Math.round(Number(e.seconds) * 1000), end, mode: String(e.mode), elements: Number(e.elements) };
  });
}

/** Breaches of the loop's contract in one daemon generation's log: syncing a half-listed store, overlapping syncs. */
function disciplineProblems(where: string, entries: Record<string, unknown>[]): string[] {
  const problems: string[] = [];
  const slack = 5; // log times have millisecond resolution
  const listed = entries.find((e) => e.msg === 'initial list done; syncing');
  if (!listed) return [`${where}: no "initial list done" line`];
  const listedAt = Date.parse(String(listed.time));
  const windows = syncWindows(entries);
  for (const w of windows.filter((x) => x.start < listedAt - slack)) {
    problems.push(`${where}: a ${w.mode} sync of ${w.elements} elements started at ${new Date(w.start).toISOString()}, before the initial list was done (${listed.time})`);
  }
  windows.forEach((w, i) => {
    const previous = windows[i - 1];
    if (previous && w.start < previous.end - slack) {
      problems.push(`${where}: a ${w.mode} sync (${new Date(w.start).toISOString()}–${new Date(w.end).toISOString()}) overlapped the previous ${previous.mode} sync (until ${new Date(previous.end).toISOString()})`);
    }
  });
  return problems;
}

// The daemon's own contract behind 10 (and every start): no rules from an incomplete store, one sync at a time.
export function syncDiscipline(cluster: E2ECluster): void {
  const problems: string[] = [];
  for (const node of NODES) {
    const generations = cluster.daemons[node].logs().split(/^(?==== .* start: )/m).filter((g) => g.startsWith('=== '));
    generations.forEach((text, generation) => {
      const entries = text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
      problems.push(...disciplineProblems(`${node}, daemon start #${generation + 1}`, entries));
    });
  }
  expect(problems, problems.join('\n')).to.be.empty;
}

/**
 * A resync period shorter than a sync takes (iptables syncs take 0.3–1.5 s here): the periodic
 * timer must not start a sync while one runs. Restarts node-b's daemon with --sync-period 300ms.
 */
export async function shortSyncPeriod(cluster: E2ECluster): Promise<void> {
  const node: NodeName = 'node-b';
  const daemon = cluster.daemons[node];
  expect(await daemon.stop(), 'exit code after SIGTERM').to.equal(0);
  const offset = daemon.logOffset();
  daemon.start(['--sync-period', '300ms']);
  await daemon.waitForLog('first sync', isSynced, offset, 30_000);
  const web = SERVICES.web;
  const { attempts, streams } = await withStreams(cluster, [
    { ns: podNs(cluster, 'client-b'), options: { proto: 'tcp', host: web.clusterIP, port: 80, intervalMs: 20 } },
    { ns: cluster.topology.client, options: { proto: 'tcp', host: NODE_IP[node], port: web.ports[0]!.nodePort!, intervalMs: 20 } },
  ], async () => sleep(5000));
  const entries = daemon.entries(offset);
  const windows = syncWindows(entries);
  const problems = disciplineProblems(`${node} with --sync-period 300ms`, entries);
  log(`${node} with --sync-period 300ms: ${windows.length} syncs in ${((windows.at(-1)!.end - windows[0]!.start) / 1000).toFixed(1)} s, ${(Math.max(...windows.map((w) => w.end - w.start)) / 1000).toFixed(2)} s the longest; ${problems.length} overlaps`);
  attempts.forEach((list, i) => expect(list.filter((a) => a.kind !== 'reply'), `${streams[i]!.description}: ${summarize(list)}`).to.be.empty);
  expect(problems, problems.join('\n')).to.be.empty;
}
