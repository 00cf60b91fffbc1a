import type { z } from 'zod';

/** A settings problem the operator must fix; `problems` holds every one found, not just the first. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.length === 1 ? problems[0] : `invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** ["iptables", "syncPeriod"] → "iptables.syncPeriod"; list indexes as "[2]". */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out;
}

/** One line per zod issue, each naming the file and the field: "config.yaml: field syncPeriod: ...". */
export function describeIssues(file: string, error: z.ZodError, knownFields: readonly string[] = []): string[] {
  const out: string[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const hint = suggest(key, knownFields);
        out.push(`${file}: field ${fieldPath([...issue.path, key])}: unknown field${hint ? ` (did you mean ${hint}?)` : ''}`);
      }
      continue;
    }
    const where = issue.path.length > 0 ? `field ${fieldPath(issue.path)}: ` : '';
    out.push(`${file}: ${where}${issue.message}`);
  }
  return out;
}

/** The closest known field when it is close enough to be a typo or a unit suffix ("syncPeriodSeconds"). */
function suggest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const k of known) {
    const score = key.toLowerCase().startsWith(k.toLowerCase()) ? 1 : distance(key.toLowerCase(), k.toLowerCase());
    if (score < bestScore) [best, bestScore] = [k, score];
  }
  return bestScore <= 2 ? best : undefined;
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}
