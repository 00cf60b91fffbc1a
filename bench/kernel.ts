import { failure, run } from './exec.js';
import { log } from './log.js';
import { withNamespace } from './netns.js';
import { median } from './stats.js';

export type Loader = 'nft' | 'iptables-restore' | 'iptables-legacy-restore';

export interface LoadSpec {
  /** One of RULESET in targets.ts, e.g. 'proxyctl iptables', 'kube-proxy iptables'. */
  ruleset: string;
  loader: Loader;
  file: string;
  /** The ruleset this one is compared with (same loader, same run). */
  reference?: string;
}

export interface LoadSummary extends LoadSpec {
  runsMs: number[];
  medianMs?: number;
  error?: string;
  note?: string;
}

const ARGS: Record<Loader, (file: string) => string[]> = {
  nft: (file) => ['nft', '-f', file],
  'iptables-restore': (file) => ['iptables-restore', file],
  'iptables-legacy-restore': (file) => ['iptables-legacy-restore', file],
};

/** Time of `ip netns exec NS <loader> FILE` in a fresh, empty namespace. */
export async function loadOnce(spec: LoadSpec, timeoutMs: number): Promise<{ ms: number; error?: string }> {
  return withNamespace(async (ns) => {
    const r = await run('ip', ['netns', 'exec', ns, ...ARGS[spec.loader](spec.file)], { timeoutMs });
    const err = failure(r);
    return { ms: r.ms, error: err && `${spec.loader} ${spec.ruleset}: ${err}` };
  });
}

/**
 * Loads each spec `runs` times, interleaved (a, b, a, b...) so drift hits all alike. A spec is
 * dropped after a failure; after a run slower than slowMs no further round starts.
 */
export async function benchLoads(specs: LoadSpec[], runs: number, slowMs: number, timeoutMs: number): Promise<LoadSummary[]> {
  const out: LoadSummary[] = specs.map((s) => ({ ...s, runsMs: [] }));
  for (let i = 0; i < runs; i++) {
    let slow = 0;
    for (const s of out) {
      if (s.error) continue;
      const r = await loadOnce(s, timeoutMs);
      log(`  load ${s.ruleset} / ${s.loader} run ${i + 1}: ${r.error ?? `${(r.ms / 1000).toFixed(3)} s`}`);
      if (r.error) s.error = r.error;
      else s.runsMs.push(r.ms);
      slow = Math.max(slow, r.ms);
    }
    if (slow > slowMs && i < runs - 1) {
      for (const s of out) s.note = `stopped after ${i + 1} round(s): a load took ${(slow / 1000).toFixed(1)} s > --slow ${(slowMs / 1000).toFixed(0)} s`;
      break;
    }
  }
  for (const s of out) if (s.runsMs.length) s.medianMs = median(s.runsMs);
  return out;
}
