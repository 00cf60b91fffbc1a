// The daemon on gen_cluster.py's cluster: cold start, single-endpoint programming latency (daemon-changes.ts), memory.
import type { Backend } from '../src/pipeline.js';
import { sleep, wallMs } from './clock.js';
import { generateCluster, type Tools } from './cluster.js';
import { DaemonProcess, type Memory } from './daemon-proc.js';
import { withStack, type Stack } from './daemon-stack.js';
import { endpointChanges, type ChangeLatency } from './daemon-changes.js';
import { serviceVisible } from './endpoint-change.js';
import { log } from './log.js';
import { NftMonitor } from './nft-monitor.js';
import { delta, readHistogram, summarize, type HistogramSummary } from './prom.js';
import { profilePhases, type ProfileSummary, type ProfileWindow } from './profile.js';

export const METRICS_URL = 'http://127.0.0.1:10249/metrics';

export interface DaemonBenchOptions {
  repoRoot: string;
  tools: Tools;
  dir: string;
  backend: Backend;
  services: number;
  endpoints: number;
  changes: number;
  gapMs: number;
  pollMs: number;
  /** Per wait (start, one change); the change loop also stops after budgetMs. */
  timeoutMs: number;
  budgetMs: number;
  /** Run the daemon under --cpu-prof, writing here; the result then has the hot spots per phase. */
  profileDir?: string;
}

export interface ColdStart {
  /** Spawn → rules visible in the kernel and the 'synced' line logged. */
  totalMs: number;
  /** Spawn → 'starting proxyctl' (node, tsx, config). */
  startupMs: number;
  /** 'starting proxyctl' → 'initial list done; syncing' (client-node import, informers list). */
  listMs: number;
  /** 'initial list done' → 'synced' (first sync: render + kernel load). */
  syncMs: number;
  /** The first sync's own duration, from its 'synced' line. */
  syncLogMs: number;
  /** Spawn → the last service seen in the kernel by polling. */
  visibleMs: number;
  elements?: number;
}

export type { ChangeLatency };

export interface DaemonResult {
  backend: Backend;
  services: number;
  endpoints: number;
  coldStart?: ColdStart;
  changes?: ChangeLatency;
  metrics?: { programming: HistogramSummary; partialSync: HistogramSummary };
  /** After the first sync (+1 s), and at the end. */
  memoryConverged?: Memory;
  memoryEnd?: Memory;
  /** --profile: the daemon's CPU profile, cut into its cold start and its change loop. */
  profile?: { coldStart?: ProfileSummary; changes?: ProfileSummary };
  error?: string;
}

const ms = (line: { time: number }, from: number) => line.time - from;

async function coldStart(s: Stack, o: DaemonBenchOptions): Promise<ColdStart> {
  const d = (s.daemon = DaemonProcess.start({ ns: s.ns, repoRoot: o.repoRoot, kubeconfig: s.kubeconfig, nodeName: 'node1', backend: o.backend, profileDir: o.profileDir }));
  const started = await d.waitFor('starting proxyctl', 0, o.timeoutMs);
  const listed = await d.waitFor('initial list done; syncing', started.index, o.timeoutMs);
  const check = serviceVisible(o.backend, o.services - 1);
  // iptables: poll one chain from the end of the list on (20 ms apart, a few ms each). nftables: the
  // daemon logs 'synced' only after `nft -f` returned (the transaction is committed), and a poll would
  // list the whole map each time, taking CPU from the daemon: check once after the log line.
  const polled = o.backend === 'iptables' ? s.agent.poll(check.argv, check.expect, 20, o.timeoutMs) : undefined;
  polled?.catch(() => {}); // awaited below; if the wait for 'synced' throws first, the stack's teardown ends it
  const synced = await d.waitFor('synced', listed.index, o.timeoutMs);
  const p = await (polled ?? s.agent.poll(check.argv, check.expect, 20, o.timeoutMs));
  if (!p.met) throw new Error(`service ${o.services - 1} is not in the kernel: ${JSON.stringify(p.last)}`);
  const visibleAt = polled ? p.seenAt! : synced.line.at;
  return {
    totalMs: Math.max(visibleAt, synced.line.at) - d.spawnedAt,
    startupMs: ms(started.line, d.spawnedAt),
    listMs: listed.line.time - started.line.time,
    syncMs: synced.line.time - listed.line.time,
    syncLogMs: Number(synced.line.fields.seconds) * 1000,
    visibleMs: visibleAt - d.spawnedAt,
    elements: typeof synced.line.fields.elements === 'number' ? synced.line.fields.elements : undefined,
  };
}

export async function benchDaemon(o: DaemonBenchOptions): Promise<DaemonResult> {
  const result: DaemonResult = { backend: o.backend, services: o.services, endpoints: o.endpoints };
  const file = `${o.dir}/daemon-${o.services}.json`;
  const windows: { coldStart?: ProfileWindow; changes?: ProfileWindow } = {};
  try {
    await generateCluster(o.tools, o.services, o.endpoints, file);
    await withStack({ repoRoot: o.repoRoot, dir: o.dir, loadFile: file, label: `daemon ${o.backend} ${o.services}` }, async (s) => {
      result.coldStart = await coldStart(s, o);
      windows.coldStart = { fromMs: 0, toMs: result.coldStart.totalMs };
      log(`  daemon ${o.backend} ${o.services}: cold start ${(result.coldStart.totalMs / 1000).toFixed(2)} s`);
      await sleep(1000);
      result.memoryConverged = s.daemon!.memory();
      const monitor = o.backend === 'nftables' ? await NftMonitor.inNamespace(s.ns, s.agent) : undefined;
      try {
        const before = await s.agent.fetch(METRICS_URL);
        const from = wallMs() - s.daemon!.spawnedAt;
        result.changes = await endpointChanges(s, o, monitor);
        windows.changes = { fromMs: from, toMs: wallMs() - s.daemon!.spawnedAt };
        const after = await s.agent.fetch(METRICS_URL);
        const h = (text: string, name: string, match?: Record<string, string>) => readHistogram(text, name, match);
        result.metrics = {
          programming: summarize(delta(h(after, 'proxyctl_network_programming_duration_seconds'), h(before, 'proxyctl_network_programming_duration_seconds'))),
          partialSync: summarize(delta(h(after, 'proxyctl_sync_proxy_rules_duration_seconds', { kind: 'partial' }), h(before, 'proxyctl_sync_proxy_rules_duration_seconds', { kind: 'partial' }))),
        };
      } finally {
        await monitor?.stop();
      }
      result.memoryEnd = s.daemon!.memory();
      const c = result.changes;
      log(`  daemon ${o.backend} ${o.services}: ${c.latency?.n ?? 0} changes (${c.method}), p50 ${c.latency?.p50.toFixed(1)} ms, p99 ${c.latency?.p99.toFixed(1)} ms; RSS ${result.memoryEnd.rssMb.toFixed(0)} MB`);
    });
  } catch (err) {
    result.error = (err as Error).message.slice(0, 2000);
    log(`  daemon ${o.backend} ${o.services}: ${result.error}`);
  }
  if (o.profileDir) result.profile = profilePhases(o.profileDir, windows);
  return result;
}
