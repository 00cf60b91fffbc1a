import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Backend, OutputFormat } from '../src/pipeline.js';
import { NODE, type NodeArgs } from './cluster.js';
import { failure, run } from './exec.js';
import { log } from './log.js';
import { median, repeat } from './stats.js';
import { summarizeProfile, type ProfileSummary } from './profile.js';
import type { RenderOneResult } from './render-one.js';

export interface RenderRun extends Partial<RenderOneResult> {
  ms: number;
  error?: string;
}

export interface RenderSummary {
  backend: Backend;
  runs: RenderRun[];
  renderMs?: number;
  renderCpuMs?: number;
  warmMs?: number;
  parseMs?: number;
  peakRssMb?: number;
  bytes?: number;
  diagnostics?: number;
  firstDiagnostic?: string;
  deterministic?: boolean;
  note?: string;
  profile?: ProfileSummary;
}

export interface RenderBenchOptions {
  repoRoot: string;
  input: string;
  backend: Backend;
  /** Where the first run writes the ruleset, for the kernel loads. */
  out: string;
  runs: number;
  slowMs: number;
  timeoutMs: number;
  /** Also run once under --cpu-prof, writing the profile here. */
  profileDir?: string;
  /** Default: gen_cluster.py's node1 (NODE). */
  node?: NodeArgs;
  /** Default text. */
  output?: OutputFormat;
}

const label = (o: RenderBenchOptions) => (o.output && o.output !== 'text' ? `${o.backend} --output ${o.output}` : o.backend);

/** Each run is a fresh `node --import tsx bench/render-one.ts`: a cold render (as `proxyctl render`) with its own peak RSS. */
async function renderOnce(o: RenderBenchOptions, i: number, profileDir?: string): Promise<RenderRun> {
  const prof = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  const node = o.node ?? NODE;
  const args = [...prof, '--import', 'tsx', resolve(o.repoRoot, 'bench/render-one.ts'), '--input', o.input, '--backend', o.backend,
    '--output', o.output ?? 'text', '--node-name', node.nodeName, ...node.nodeIPs.flatMap((ip) => ['--node-ip', ip]),
    ...node.clusterCIDRs.flatMap((c) => ['--cluster-cidr', c]), ...(i === 0 ? ['--out', o.out] : [])];
  const r = await run(process.execPath, args, { cwd: o.repoRoot, timeoutMs: o.timeoutMs });
  const error = failure(r);
  if (error) {
    log(`  render ${label(o)} ${profileDir ? 'profiled run' : `run ${i + 1}`}: ${error}`);
    return { ms: r.ms, error: `render ${o.backend}: ${error}` };
  }
  const parsed = JSON.parse(r.stdout.trim().split('\n').pop()!) as RenderOneResult;
  log(`  render ${label(o)} ${profileDir ? 'profiled run' : `run ${i + 1}`}: ${(parsed.renderMs / 1000).toFixed(3)} s (cpu ${(parsed.renderCpuMs / 1000).toFixed(3)} s, warm ${(parsed.warmMs / 1000).toFixed(3)} s), peak ${parsed.maxRssMb.toFixed(0)} MB`);
  return { ...parsed, ms: parsed.renderMs };
}

export async function benchRender(o: RenderBenchOptions): Promise<RenderSummary> {
  const { results, note } = await repeat(o.runs, o.slowMs, (i) => renderOnce(o, i));
  const ok = results.filter((r) => !r.error);
  if (ok.length === 0) return { backend: o.backend, runs: results, note };
  let profile: ProfileSummary | undefined;
  if (o.profileDir) {
    const dir = join(o.profileDir, `${o.backend}-${o.output ?? 'text'}`);
    mkdirSync(dir, { recursive: true });
    const r = await renderOnce(o, 1, dir);
    if (!r.error) profile = summarizeProfile(dir);
  }
  return {
    backend: o.backend,
    runs: results,
    renderMs: median(ok.map((r) => r.renderMs!)),
    renderCpuMs: median(ok.map((r) => r.renderCpuMs!)),
    warmMs: median(ok.map((r) => r.warmMs!)),
    parseMs: median(ok.map((r) => r.parseMs!)),
    peakRssMb: median(ok.map((r) => r.maxRssMb!)),
    bytes: ok[0].bytes,
    diagnostics: ok[0].diagnostics,
    firstDiagnostic: ok[0].firstDiagnostic,
    deterministic: ok.every((r) => r.sha256 === ok[0].sha256),
    note,
    profile,
  };
}
