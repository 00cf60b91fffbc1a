import type { BenchArgs } from './args.js';
import type { DaemonResult } from './daemon-bench.js';
import { daemonNotes, formatDaemon, formatPolicy } from './daemon-report.js';
import type { PolicyResult } from './daemon-targets.js';
import type { Machine } from './machine.js';
import { ratioOf, type SizeResult, type TargetCheck } from './targets.js';

export interface BenchReport {
  machine: Machine;
  command: string;
  args: BenchArgs;
  startedAt: string;
  durationS: number;
  results: SizeResult[];
  daemon: DaemonResult[];
  policy?: PolicyResult;
  skipped: string[];
  targets: TargetCheck[];
  loadAverage: { start: number[]; end: number[] };
}

/** Other work at start (load > half the CPUs), or at the end beyond the bench's own one CPU. */
export function busy(rep: BenchReport): boolean {
  return rep.loadAverage.start[0] > rep.machine.nproc / 2 || rep.loadAverage.end[0] > rep.machine.nproc;
}

const sec = (ms: number | undefined) => (ms === undefined ? '-' : (ms / 1000).toFixed(3));

/** Columns whose header is in `left` are left-aligned, the rest (numbers) right-aligned. */
export function table(head: string[], rows: string[][], left: string[] = []): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (left.includes(head[i]) ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ').trimEnd();
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

export function formatReport(rep: BenchReport): string {
  const m = rep.machine;
  const out = [
    `machine: ${m.nproc} CPUs (${m.cpu}), ${m.memoryGiB} GiB, kernel ${m.kernel}, node ${m.node}`,
    `         ${m.nft}; ${m.iptables}; ${m.iptablesLegacy}`,
    `commit:  ${m.commit}`,
    `load:    ${rep.loadAverage.start.map((l) => l.toFixed(2)).join(' ')} at start, ${rep.loadAverage.end.map((l) => l.toFixed(2)).join(' ')} at end (1/5/15 min)${busy(rep) ? ' — BUSY MACHINE: other work competed for the CPUs, timings are inflated' : ''}`,
    `command: ${rep.command}`,
    '',
    'Render: renderObjects on parsed objects, first call in a fresh process (cold, as `proxyctl render`); cpu = its CPU time;',
    '        warm = a second call in the same process (as a running daemon); parse = reading the List file; peak = maxRSS after parse + cold render',
  ];
  const renderRows: string[][] = [];
  const notes: string[] = [];
  if (rep.results.length === 0) out.splice(-2, 2);
  for (const r of rep.results) {
    for (const x of r.render) {
      const ok = x.runs.filter((y) => !y.error);
      renderRows.push([String(r.services), x.backend, sec(x.renderMs), sec(x.renderCpuMs), sec(x.warmMs), String(ok.length),
        ok.length ? `${sec(Math.min(...ok.map((y) => y.ms)))}-${sec(Math.max(...ok.map((y) => y.ms)))}` : '-',
        sec(x.parseMs), x.peakRssMb === undefined ? '-' : x.peakRssMb.toFixed(0),
        x.bytes === undefined ? '-' : (x.bytes / 2 ** 20).toFixed(1), x.deterministic === undefined ? '-' : x.deterministic ? 'yes' : 'NO']);
      if (x.note) notes.push(`${r.services} ${x.backend} render: ${x.note}`);
      if (x.diagnostics) notes.push(`${r.services} ${x.backend} render: ${x.diagnostics} diagnostics, first: ${x.firstDiagnostic}`);
    }
  }
  if (renderRows.length) out.push(table(['services', 'backend', 'render s', 'cpu s', 'warm s', 'n', 'min-max s', 'parse s', 'peak MB', 'out MiB', 'same'], renderRows, ['backend', 'same']), '');
  if (rep.results.length) out.push('Kernel load into an empty network namespace (ip netns exec NS <loader> FILE; fresh namespace per run)');
  const loadRows: string[][] = [];
  for (const r of rep.results) {
    for (const l of r.loads) {
      const ratio = ratioOf(l, r.loads);
      loadRows.push([String(r.services), l.ruleset, l.loader, sec(l.medianMs), String(l.runsMs.length),
        ratio === undefined ? '' : `${ratio.toFixed(2)} × ${l.reference}`]);
      if (l.error) notes.push(`${r.services} ${l.ruleset} ${l.loader}: ${l.error}`);
      else if (l.note && !notes.includes(`${r.services} loads: ${l.note}`)) notes.push(`${r.services} loads: ${l.note}`);
    }
  }
  if (rep.results.length) out.push(loadRows.length ? table(['services', 'ruleset', 'loader', 'median s', 'n', 'ratio'], loadRows, ['ruleset', 'loader', 'ratio']) : '(no kernel loads)', '');
  out.push(...formatDaemon(rep.daemon, table), ...formatPolicy(rep.policy, table));
  notes.push(...daemonNotes(rep.daemon, rep.policy));
  out.push('Targets (services: at 10,000)');
  out.push(table(['target', 'measured', 'status'], rep.targets.map((t) => [t.target, t.measured, t.status.toUpperCase()]), ['target', 'measured', 'status']), '');
  const profiled = [
    ...rep.results.flatMap((r) => r.render.map((x) => ({ label: `${r.services} ${x.backend}`, p: x.profile }))),
    ...(rep.policy?.renders ?? []).map((x) => ({ label: `policy ${x.backend} ${x.output}`, p: x.profile })),
    ...rep.daemon.flatMap((d) => Object.entries(d.profile ?? {}).map(([phase, p]) => ({ label: `daemon ${d.backend} ${d.services}, ${phase}`, p }))),
    ...(rep.policy?.daemon ?? []).flatMap((d) => Object.entries(d.profile ?? {}).map(([phase, p]) => ({ label: `policy daemon ${d.backend}, ${phase}`, p }))),
  ];
  for (const { label, p } of profiled) {
    if (!p) continue;
    out.push(`Profile: ${label} (${sec(p.totalMs)} s sampled${label.includes('daemon') ? '' : ', whole process'})`);
    const rows = (ls: typeof p.self) => ls.map((l) => [l.fn, l.ms.toFixed(0), l.pct.toFixed(1)]);
    out.push(table(['self time', 'ms', '%'], rows(p.self), ['self time']), '');
    out.push(table(['inclusive time (src/)', 'ms', '%'], rows(p.inclusive), ['inclusive time (src/)']), '');
  }
  if (notes.length) out.push('Notes:', ...notes.map((n) => `  - ${n}`), '');
  if (rep.skipped.length) out.push('Skipped:', ...rep.skipped.map((n) => `  - ${n}`), '');
  out.push(`total ${rep.durationS.toFixed(0)} s`);
  return out.join('\n') + '\n';
}
