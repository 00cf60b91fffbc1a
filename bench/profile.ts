import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { log } from './log.js';

interface CallFrame { functionName: string; url: string; columnNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

/** Only samples taken this many ms after the profile started (about when the process started). */
export interface ProfileWindow { fromMs: number; toMs: number }

export interface ProfileLine { fn: string; ms: number; pct: number }
export interface ProfileSummary { totalMs: number; self: ProfileLine[]; inclusive: ProfileLine[] }

/** tsx compiles each file to one line, so an anonymous function is named by file and column. */
function frameName(cf: CallFrame): string {
  const file = cf.url.replace(/^file:\/\/.*?\/(src|bench|node_modules)\//, '$1/');
  if (!cf.url) return cf.functionName || '(native)';
  return `${cf.functionName || `(anonymous):${cf.columnNumber}`} ${file}`;
}

/** Self and inclusive time per function of the main thread's profile (the largest file in dir). */
export function summarizeProfile(dir: string, top = 15, window?: ProfileWindow): ProfileSummary {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(dir, f));
  if (files.length === 0) throw new Error(`no .cpuprofile in ${dir}`);
  const file = files.sort((a, b) => statSync(b).size - statSync(a).size)[0];
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfById = new Map<number, number>();
  let at = 0;
  p.samples.forEach((id, i) => {
    at += p.timeDeltas[i] / 1000;
    if (window && (at < window.fromMs || at > window.toMs)) return;
    selfById.set(id, (selfById.get(id) ?? 0) + p.timeDeltas[i] / 1000);
  });
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  let total = 0;
  for (const [id, ms] of selfById) {
    total += ms;
    const name = frameName(byId.get(id)!.callFrame);
    self.set(name, (self.get(name) ?? 0) + ms);
    const seen = new Set<string>();
    // Bounded walk up the tree: each node has one parent and the root has none.
    for (let x: number | undefined = id, depth = 0; x !== undefined && depth < 10_000; x = parent.get(x), depth++) {
      const cf = byId.get(x)!.callFrame;
      if (!cf.url.includes('/src/')) continue;
      const n = frameName(cf);
      if (!seen.has(n)) incl.set(n, (incl.get(n) ?? 0) + ms);
      seen.add(n);
    }
  }
  const lines = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top)
    .map(([fn, ms]) => ({ fn, ms, pct: (100 * ms) / total }));
  return { totalMs: total, self: lines(self), inclusive: lines(incl) };
}

/** The profile is written when the daemon exits; cut it by phase (its clock starts about when the process did). */
export function profilePhases(dir: string, windows: Record<string, ProfileWindow | undefined>): Record<string, ProfileSummary | undefined> {
  const out: Record<string, ProfileSummary | undefined> = {};
  for (const [phase, w] of Object.entries(windows)) {
    try {
      if (w) out[phase] = summarizeProfile(dir, 12, w);
    } catch (err) {
      log(`  profile ${phase}: ${(err as Error).message}`);
    }
  }
  return out;
}
