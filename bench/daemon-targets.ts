import type { Backend } from '../src/pipeline.js';
import type { DaemonResult } from './daemon-bench.js';
import type { PolicyDaemonResult } from './policy-daemon.js';
import type { PolicyLoad, PolicyRender } from './policy-render.js';
import type { PolicySize } from './policy-cluster.js';
import type { TargetCheck } from './targets.js';

export interface PolicyResult {
  size: PolicySize;
  objects: number;
  renders: PolicyRender[];
  loads: PolicyLoad[];
  daemon: PolicyDaemonResult[];
}

/** The daemon targets at this many services. */
export const DAEMON_TARGET_SIZE = 10_000;
const CHANGE_P99_MS: Record<Backend, number> = { nftables: 30, iptables: 150 };
const COLD_START_MS = 3000;
const RSS_MB = 150;
const POLICY_TOTAL_MS = 2000;

const msText = (x: number) => `${x.toFixed(x < 100 ? 1 : 0)} ms`;
const s = (x: number) => `${(x / 1000).toFixed(2)} s`;
/** No figure because the daemon failed counts as missed; no figure otherwise as not measured. */
const check = (target: string, measured: string | undefined, ok: boolean | undefined, error?: string): TargetCheck => {
  if (measured !== undefined && ok !== undefined) return { target, measured, status: ok ? 'met' : 'missed' };
  return error ? { target, measured: 'the daemon failed (see Notes)', status: 'missed' } : { target, measured: '-', status: 'not measured' };
};

export function checkDaemonTargets(daemon: DaemonResult[], policy: PolicyResult | undefined): TargetCheck[] {
  const out: TargetCheck[] = [];
  for (const r of daemon.filter((x) => x.services === DAEMON_TARGET_SIZE)) {
    const lat = r.changes?.latency;
    const limit = CHANGE_P99_MS[r.backend];
    out.push(check(`daemon ${r.backend}: single endpoint change p99 ≤ ${limit} ms (10k services)`,
      lat && `p99 ${msText(lat.p99)} (p50 ${msText(lat.p50)}, n=${lat.n})`, lat && lat.p99 <= limit, r.error));
    // The issue sets cold-start and memory targets for nftables only; iptables' figures are in the daemon table.
    if (r.backend !== 'nftables') continue;
    const c = r.coldStart;
    out.push(check(`daemon ${r.backend}: cold start ≤ 3 s (10k services)`, c && `${s(c.totalMs)}`, c && c.totalMs <= COLD_START_MS, r.error));
    const m = r.memoryEnd;
    out.push(check(`daemon ${r.backend}: RSS ≤ ${RSS_MB} MB (10k services)`, m && `${m.rssMb.toFixed(0)} MB (HWM ${m.hwmMb.toFixed(0)} MB)`, m && m.rssMb <= RSS_MB, r.error));
  }
  if (!policy) return out;
  for (const backend of new Set(policy.renders.map((r) => r.backend))) {
    const renders = policy.renders.filter((r) => r.backend === backend);
    const load = policy.loads.find((l) => l.backend === backend);
    const renderMs = renders.every((r) => r.renderMs !== undefined) ? renders.reduce((a, r) => a + r.renderMs!, 0) : undefined;
    const total = renderMs !== undefined && load?.totalMs !== undefined ? renderMs + load.totalMs : undefined;
    out.push(check(`policy ${backend}: render + kernel load < 2 s`, total === undefined ? undefined : `${s(total)} (render ${s(renderMs!)} + load ${s(load!.totalMs!)})`,
      total === undefined ? undefined : total < POLICY_TOTAL_MS));
  }
  for (const r of policy.daemon) {
    const limit = CHANGE_P99_MS[r.backend];
    out.push(check(`policy ${r.backend}: label change p99 ≤ ${limit} ms`, r.latency && `p99 ${msText(r.latency.p99)} (p50 ${msText(r.latency.p50)}, n=${r.latency.n})`,
      r.latency && r.latency.p99 <= limit, r.error));
  }
  return out;
}
