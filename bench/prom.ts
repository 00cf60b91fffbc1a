/** A Prometheus histogram read from /metrics text: cumulative buckets, sum and count. */
export interface Histogram {
  buckets: { le: number; count: number }[];
  sum: number;
  count: number;
}

export interface HistogramSummary {
  count: number;
  meanMs?: number;
  /** Upper bounds from the buckets: p50 (p99) is at most this. */
  p50AtMostMs?: number;
  p99AtMostMs?: number;
}

function labels(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of (text ?? '').matchAll(/(\w+)="([^"]*)"/g)) out[m[1]] = m[2];
  return out;
}

/** The histogram `name` whose labels include `match` (le aside). */
export function readHistogram(text: string, name: string, match: Record<string, string> = {}): Histogram {
  const h: Histogram = { buckets: [], sum: 0, count: 0 };
  const fits = (l: Record<string, string>) => Object.entries(match).every(([k, v]) => l[k] === v);
  for (const line of text.split('\n')) {
    const m = /^(\w+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || !m[1].startsWith(name) || !fits(labels(m[2]))) continue;
    const value = Number(m[3]);
    if (m[1] === `${name}_bucket`) h.buckets.push({ le: Number(labels(m[2]).le.replace('+Inf', 'Infinity')), count: value });
    else if (m[1] === `${name}_sum`) h.sum = value;
    else if (m[1] === `${name}_count`) h.count = value;
  }
  h.buckets.sort((a, b) => a.le - b.le);
  return h;
}

/** after − before: the observations made between two scrapes. */
export function delta(after: Histogram, before: Histogram): Histogram {
  return {
    buckets: after.buckets.map((b) => ({ le: b.le, count: b.count - (before.buckets.find((x) => x.le === b.le)?.count ?? 0) })),
    sum: after.sum - before.sum,
    count: after.count - before.count,
  };
}

export function summarize(h: Histogram): HistogramSummary {
  if (h.count === 0) return { count: 0 };
  const atMost = (q: number) => {
    const b = h.buckets.find((x) => x.count >= q * h.count);
    return b && Number.isFinite(b.le) ? b.le * 1000 : undefined;
  };
  return { count: h.count, meanMs: (h.sum / h.count) * 1000, p50AtMostMs: atMost(0.5), p99AtMostMs: atMost(0.99) };
}
