// NetworkPolicy at scale: full render per backend (render-one children) and the kernel load of the
// result into fresh namespaces (nft -f; ipset restore then iptables-restore).
import { join } from 'node:path';
import type { Backend, OutputFormat } from '../src/pipeline.js';
import { failure, run } from './exec.js';
import { log } from './log.js';
import { withNamespace } from './netns.js';
import { POLICY_NODE } from './policy-cluster.js';
import { benchRender, type RenderSummary } from './render.js';
import { median } from './stats.js';

export interface PolicyRender extends RenderSummary {
  output: OutputFormat;
}

export interface LoadStep {
  what: string;
  argv: (file: string) => string[];
  file: string;
}

export interface PolicyLoad {
  backend: Backend;
  steps: { what: string; runsMs: number[]; medianMs?: number }[];
  /** Median over runs of the steps' sum. */
  totalMs?: number;
  error?: string;
}

export interface PolicyRenderOptions {
  repoRoot: string;
  dir: string;
  input: string;
  backends: Backend[];
  runs: number;
  slowMs: number;
  timeoutMs: number;
  kernel: boolean;
  profile: boolean;
}

const outputs = (b: Backend): OutputFormat[] => (b === 'iptables' ? ['text', 'ipset'] : ['text']);
const fileOf = (dir: string, b: Backend, out: OutputFormat) => join(dir, `policy-${b}-${out}.rules`);

/** One load of all steps into one fresh namespace; times each step from spawn to exit. */
async function loadOnce(steps: LoadStep[], timeoutMs: number): Promise<number[]> {
  return withNamespace(async (ns) => {
    const times: number[] = [];
    for (const s of steps) {
      const r = await run('ip', ['netns', 'exec', ns, ...s.argv(s.file)], { timeoutMs });
      const err = failure(r);
      if (err) throw new Error(`${s.what}: ${err}`);
      times.push(r.ms);
    }
    return times;
  });
}

function loadSteps(dir: string, b: Backend): LoadStep[] {
  if (b === 'nftables') return [{ what: 'nft -f', argv: (f) => ['nft', '-f', f], file: fileOf(dir, b, 'text') }];
  return [
    { what: 'ipset restore', argv: (f) => ['ipset', '-f', f, 'restore'], file: fileOf(dir, b, 'ipset') },
    { what: 'iptables-restore', argv: (f) => ['iptables-restore', f], file: fileOf(dir, b, 'text') },
  ];
}

async function benchLoad(dir: string, b: Backend, runs: number, timeoutMs: number): Promise<PolicyLoad> {
  const steps = loadSteps(dir, b);
  const out: PolicyLoad = { backend: b, steps: steps.map((s) => ({ what: s.what, runsMs: [] })) };
  const totals: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const times = await loadOnce(steps, timeoutMs);
      times.forEach((t, k) => out.steps[k].runsMs.push(t));
      totals.push(times.reduce((a, c) => a + c, 0));
      log(`  policy load ${b} run ${i + 1}: ${steps.map((s, k) => `${s.what} ${(times[k] / 1000).toFixed(3)} s`).join(', ')}`);
    }
  } catch (err) {
    out.error = (err as Error).message;
    log(`  policy load ${b}: ${out.error}`);
  }
  for (const s of out.steps) if (s.runsMs.length) s.medianMs = median(s.runsMs);
  if (totals.length) out.totalMs = median(totals);
  return out;
}

export async function benchPolicyRender(o: PolicyRenderOptions): Promise<{ renders: PolicyRender[]; loads: PolicyLoad[] }> {
  const renders: PolicyRender[] = [];
  const loads: PolicyLoad[] = [];
  for (const b of o.backends) {
    for (const output of outputs(b)) {
      log(`policy: render ${b}${output === 'text' ? '' : ` --output ${output}`}`);
      const r = await benchRender({
        repoRoot: o.repoRoot, input: o.input, backend: b, output, node: POLICY_NODE, out: fileOf(o.dir, b, output),
        runs: o.runs, slowMs: o.slowMs, timeoutMs: o.timeoutMs, profileDir: o.profile ? join(o.dir, 'policy-profile') : undefined,
      });
      renders.push({ ...r, output });
    }
    const rendered = renders.filter((r) => r.backend === b);
    if (o.kernel && rendered.every((r) => r.renderMs !== undefined)) loads.push(await benchLoad(o.dir, b, o.runs, o.timeoutMs));
  }
  return { renders, loads };
}
