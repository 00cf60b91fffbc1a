export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Nearest-rank percentile (p in 0..100) of a non-empty list. */
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

export interface Distribution {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export function distribution(xs: number[]): Distribution | undefined {
  if (xs.length === 0) return undefined;
  return {
    n: xs.length, p50: percentile(xs, 50), p90: percentile(xs, 90), p99: percentile(xs, 99),
    max: Math.max(...xs), mean: xs.reduce((a, b) => a + b, 0) / xs.length,
  };
}

/** Runs `once` up to `runs` times; stops early after a run slower than slowMs or a failure. */
export async function repeat<T extends { ms: number; error?: string }>(
  runs: number, slowMs: number, once: (i: number) => Promise<T>,
): Promise<{ results: T[]; note?: string }> {
  const results: T[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await once(i);
    results.push(r);
    if (r.error) return { results, note: r.error };
    if (r.ms > slowMs && i < runs - 1) {
      return { results, note: `stopped after ${i + 1} run(s): ${(r.ms / 1000).toFixed(1)} s > --slow ${(slowMs / 1000).toFixed(0)} s` };
    }
  }
  return { results };
}
