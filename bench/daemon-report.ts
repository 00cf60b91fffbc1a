import type { DaemonResult } from './daemon-bench.js';
import type { PolicyResult } from './daemon-targets.js';
import type { Distribution } from './stats.js';

type Table = (head: string[], rows: string[][], left?: string[]) => string;

const sec = (ms: number | undefined) => (ms === undefined || Number.isNaN(ms) ? '-' : (ms / 1000).toFixed(2));
const msf = (ms: number | undefined) => (ms === undefined || Number.isNaN(ms) ? '-' : ms.toFixed(ms < 100 ? 1 : 0));
const mb = (x: number | undefined) => (x === undefined ? '-' : x.toFixed(0));
const dist = (d: Distribution | undefined) => (d ? [String(d.n), msf(d.p50), msf(d.p90), msf(d.p99), msf(d.max)] : ['0', '-', '-', '-', '-']);

export function formatDaemon(results: DaemonResult[], table: Table): string[] {
  if (results.length === 0) return [];
  const out = [
    'Daemon cold start: `proxyctl run --node-name node1` in a namespace with the API server → every rule in the kernel',
    '  startup = spawn → "starting proxyctl"; list = → "initial list done"; first sync = → "synced" (its own duration in sync s); total = spawn → rules visible and "synced" logged',
  ];
  out.push(table(['services', 'backend', 'total s', 'startup s', 'list s', 'first sync s', 'sync s', 'elements', 'RSS MB', 'end RSS MB', 'HWM MB'],
    results.map((r) => [String(r.services), r.backend, sec(r.coldStart?.totalMs), sec(r.coldStart?.startupMs), sec(r.coldStart?.listMs),
      sec(r.coldStart?.syncMs), sec(r.coldStart?.syncLogMs), r.coldStart?.elements === undefined ? '-' : String(r.coldStart.elements),
      mb(r.memoryConverged?.rssMb), mb(r.memoryEnd?.rssMb), mb(r.memoryEnd?.hwmMb)]), ['backend']), '');
  out.push('Network programming latency: one endpoint address changed in one EndpointSlice at the API server → the new address in the kernel (ms)',
    '  nftables: `nft monitor` line; iptables: end of the first `iptables -t nat -S <service chain>` poll that shows it (poll = mean poll duration)',
    '  sync = the daemon\'s own sync duration per change ("synced" seconds); metric = proxyctl_network_programming_duration_seconds / sync_proxy_rules_duration_seconds{kind="partial"} over the same changes (mean; ≤ = bucket bound)');
  out.push(table(['services', 'backend', 'n', 'p50', 'p90', 'p99', 'max', 'sync p50', 'sync p99', 'poll', 'metric prog mean', 'metric partial mean', 'partial p99 ≤'],
    results.map((r) => {
      const c = r.changes;
      return [String(r.services), r.backend, ...dist(c?.latency), msf(c?.syncLog?.p50), msf(c?.syncLog?.p99), msf(c?.meanPollMs),
        msf(r.metrics?.programming.meanMs), msf(r.metrics?.partialSync.meanMs), msf(r.metrics?.partialSync.p99AtMostMs)];
    }), ['backend']), '');
  return out;
}

export function formatPolicy(p: PolicyResult | undefined, table: Table): string[] {
  if (!p) return [];
  const out = [`NetworkPolicy: ${p.size.policies} policies over ${p.size.pods} pods in ${p.size.namespaces} namespaces (${p.objects} objects, no Services), for node-a`];
  out.push(table(['backend', 'output', 'render s', 'cpu s', 'warm s', 'n', 'peak MB', 'out MiB', 'same'],
    p.renders.map((r) => [r.backend, r.output, sec(r.renderMs), sec(r.renderCpuMs), sec(r.warmMs), String(r.runs.filter((x) => !x.error).length),
      mb(r.peakRssMb), r.bytes === undefined ? '-' : (r.bytes / 2 ** 20).toFixed(1), r.deterministic === undefined ? '-' : r.deterministic ? 'yes' : 'NO']),
  ['backend', 'output', 'same']), '');
  if (p.loads.length) {
    out.push('Kernel load into a fresh namespace (median s)');
    out.push(table(['backend', 'steps', 'total s', 'n'], p.loads.map((l) => [l.backend, l.steps.map((st) => `${st.what} ${sec(st.medianMs)}`).join(' + '),
      sec(l.totalMs), String(l.steps[0]?.runsMs.length ?? 0)]), ['backend', 'steps']), '');
  }
  if (p.daemon.length) {
    out.push('Daemon: start with the pods listed → first policy sync; all policies added at once (watch) → synced; then a pod\'s tier label flipped so it joins or leaves a peer set → the kernel set (ms)',
      '  nftables: `nft monitor` line; iptables: end of the first `ipset test` poll that shows it');
    out.push(table(['backend', 'start s', 'policies s', 'syncs', 'n', 'p50', 'p90', 'p99', 'max', 'sync p50', 'sync p99', 'poll', 'RSS MB'],
      p.daemon.map((r) => [r.backend, sec(r.startMs), sec(r.policiesMs), r.policiesSyncs === undefined ? '-' : String(r.policiesSyncs), ...dist(r.latency),
        msf(r.syncLog?.p50), msf(r.syncLog?.p99), msf(r.meanPollMs), mb(r.memory?.rssMb)]), ['backend']), '');
    out.push('Pod-start window: a new Running pod with its IP (tier=web, node-a) created at the API server → its address in the peer set in the kernel (ms)');
    out.push(table(['backend', 'n', 'p50', 'p90', 'p99', 'max'], p.daemon.map((r) => [r.backend, ...dist(r.podStart)]), ['backend']), '');
  }
  return out;
}

/** Errors, failures and notes of the daemon parts, for the Notes list. */
export function daemonNotes(results: DaemonResult[], p: PolicyResult | undefined): string[] {
  const notes: string[] = [];
  for (const r of results) {
    const at = `daemon ${r.backend} ${r.services}`;
    if (r.error) notes.push(`${at}: ${r.error.split('\n')[0]}`);
    for (const f of r.changes?.failures ?? []) notes.push(`${at}: ${f}`);
    if (r.changes?.note) notes.push(`${at}: ${r.changes.note}`);
    if (r.changes?.nonPartial) notes.push(`${at}: ${r.changes.nonPartial} change(s) were synced by a full resync`);
  }
  for (const r of p?.renders ?? []) if (r.note) notes.push(`policy render ${r.backend} ${r.output}: ${r.note}`);
  for (const l of p?.loads ?? []) if (l.error) notes.push(`policy load ${l.backend}: ${l.error}`);
  for (const r of p?.daemon ?? []) {
    if (r.error) notes.push(`policy daemon ${r.backend}: ${r.error.split('\n')[0]}`);
    for (const f of r.failures) notes.push(`policy daemon ${r.backend}: ${f}`);
    if (r.note) notes.push(`policy daemon ${r.backend}: ${r.note}`);
  }
  return notes;
}
