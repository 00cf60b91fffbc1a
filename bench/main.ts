import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Backend } from '../src/pipeline.js';
import { parseBenchArgs, USAGE, type BenchArgs } from './args.js';
import { killBackground } from './background.js';
import { findTools, generateCluster, generateLayout, type Tools } from './cluster.js';
import type { DaemonResult } from './daemon-bench.js';
import { runDaemonPart, runPolicyPart } from './daemon-parts.js';
import { checkDaemonTargets, type PolicyResult } from './daemon-targets.js';
import { killCurrent } from './exec.js';
import { benchLoads, type LoadSpec, type LoadSummary } from './kernel.js';
import { log } from './log.js';
import { describeMachine } from './machine.js';
import { deleteLiveNamespaces } from './netns.js';
import { benchRender, type RenderSummary } from './render.js';
import { formatReport, type BenchReport } from './report.js';
import { checkTargets, RULESET, type SizeResult } from './targets.js';

/**
 * `npm run bench`: synthetic clusters → render time, peak memory, kernel load time, vs the reference
 * layouts (--render); the daemon's cold start, programming latency and memory (--daemon); NetworkPolicy
 * render, load and label-change latency (--policy).
 */
export async function main(argv: string[]): Promise<number> {
  let args: BenchArgs;
  try {
    args = parseBenchArgs(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const repoRoot = fileURLToPath(new URL('..', import.meta.url));
  let tools: Tools;
  try {
    tools = findTools(repoRoot);
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n`);
    return 2;
  }
  const skipped: string[] = [];
  if (args.kernel && process.getuid?.() !== 0) {
    args.kernel = false;
    skipped.push('kernel loads and the daemon parts: not root (they create network namespaces)');
  } else if (!args.kernel && args.parts.some((p) => p !== 'render')) skipped.push('the daemon parts: --no-kernel');
  const started = Date.now();
  const loadAtStart = loadavg();
  const dir = mkdtempSync(join(tmpdir(), 'proxyctl-bench-'));
  const onSignal = (sig: NodeJS.Signals) => {
    killCurrent();
    killBackground();
    deleteLiveNamespaces();
    if (!args.keep) rmSync(dir, { recursive: true, force: true });
    process.stderr.write(`bench: ${sig}, cleaned up\n`);
    process.exit(130);
  };
  // A crash skips the finally below: still stop our children and delete our namespaces.
  const onCrash = (err: unknown) => {
    killCurrent();
    killBackground();
    deleteLiveNamespaces();
    if (!args.keep) rmSync(dir, { recursive: true, force: true });
    process.stderr.write(`bench: crashed, cleaned up: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  const results: SizeResult[] = [];
  let daemon: DaemonResult[] = [];
  let policy: PolicyResult | undefined;
  try {
    if (args.parts.includes('render')) for (const n of args.sizes) results.push(await benchSize(n, args, tools, repoRoot, dir, skipped));
    if (args.parts.includes('daemon') && args.kernel) daemon = await runDaemonPart(args, tools, repoRoot, dir);
    if (args.parts.includes('policy')) policy = await runPolicyPart(args, repoRoot, dir, args.kernel);
  } finally {
    killBackground();
    deleteLiveNamespaces();
    if (!args.keep) rmSync(dir, { recursive: true, force: true });
    else log(`kept ${dir}`);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
  }
  const report: BenchReport = {
    machine: describeMachine(repoRoot),
    command: `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
    args,
    startedAt: new Date(started).toISOString(),
    durationS: (Date.now() - started) / 1000,
    results,
    daemon,
    policy,
    skipped,
    targets: [...(args.parts.includes('render') ? checkTargets(results) : []), ...checkDaemonTargets(daemon, policy)],
    loadAverage: { start: loadAtStart, end: loadavg() },
  };
  process.stdout.write(args.json ? JSON.stringify(report, null, 2) + '\n' : formatReport(report));
  return args.check && report.targets.some((t) => t.status === 'missed') ? 1 : 0;
}

async function benchSize(n: number, args: BenchArgs, tools: Tools, repoRoot: string, dir: string, skipped: string[]): Promise<SizeResult> {
  const e = args.endpoints;
  const file = (name: string) => join(dir, `${n}-${name}`);
  log(`${n} services × ${e} endpoints: generating the cluster`);
  const generateMs = await generateCluster(tools, n, e, file('cluster.json'));
  const backends = args.backends.filter((b) => b !== 'iptables' || n <= args.iptablesMax);
  if (backends.length < args.backends.length) skipped.push(`${n}: iptables render and loads (above --iptables-max ${args.iptablesMax})`);
  const render: RenderSummary[] = [];
  for (const backend of backends) {
    log(`${n}: render ${backend}`);
    render.push(await benchRender({
      repoRoot, input: file('cluster.json'), backend, out: file(`${backend}.rules`),
      runs: args.runs, slowMs: args.slowMs, timeoutMs: args.timeoutMs,
      profileDir: args.profile ? join(dir, `${n}-profile`) : undefined,
    }));
  }
  const loads: LoadSummary[] = [];
  if (args.kernel) {
    for (const backend of backends) {
      const ours = render.find((r) => r.backend === backend);
      if (ours?.renderMs === undefined) {
        skipped.push(`${n}: ${backend} kernel loads (render failed)`);
        continue;
      }
      log(`${n}: kernel loads ${backend}`);
      loads.push(...await benchLoads(await loadSpecs(backend, n, e, tools, file), args.runs, args.slowMs, args.timeoutMs));
    }
  }
  if (!args.keep) for (const f of ['cluster.json', 'nftables.rules', 'iptables.rules', 'grouped-maps.nft', 'kubeproxy.ipt']) rmSync(file(f), { force: true });
  return { services: n, endpoints: e, generateMs, render, loads };
}

/** Ours and the reference layout of the same cluster, loaded in the same run. */
async function loadSpecs(backend: Backend, n: number, e: number, tools: Tools, file: (name: string) => string): Promise<LoadSpec[]> {
  if (backend === 'nftables') {
    await generateLayout(tools, 'grouped-maps', n, e, file('grouped-maps.nft'));
    return [
      { ruleset: RULESET.nft, loader: 'nft', file: file('nftables.rules'), reference: RULESET.nftFloor },
      { ruleset: RULESET.nftFloor, loader: 'nft', file: file('grouped-maps.nft') },
    ];
  }
  await generateLayout(tools, 'kubeproxy-ipt', n, e, file('kubeproxy.ipt'));
  return (['iptables-legacy-restore', 'iptables-restore'] as const).flatMap((loader): LoadSpec[] => [
    { ruleset: RULESET.ipt, loader, file: file('iptables.rules'), reference: RULESET.kubeProxy },
    { ruleset: RULESET.kubeProxy, loader, file: file('kubeproxy.ipt') },
  ]);
}
