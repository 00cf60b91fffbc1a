import { z } from 'zod';

export const DURATION_HINT = 'expected a duration like 30s, 1m, 1h';

const UNIT_MS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const WHOLE = /^(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/;
const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g;

/** Go's time.ParseDuration syntax, as Kubernetes config uses ("30s", "1h30m", "1.5h", "0"), in milliseconds. Negative: undefined. */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (s === '0') return 0;
  if (!WHOLE.test(s)) return undefined;
  let ms = 0;
  for (const [, n, unit] of s.matchAll(PART)) ms += Number(n) * UNIT_MS[unit];
  return ms;
}

/** A duration field of a settings file: a string with units, parsed to milliseconds. */
export const Duration = z.string({ error: (iss) => `${DURATION_HINT}; got ${JSON.stringify(iss.input)}` }).transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `${DURATION_HINT}; got ${JSON.stringify(text)}` });
    return z.NEVER;
  }
  return ms;
});
