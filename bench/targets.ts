import type { LoadSummary } from './kernel.js';
import type { RenderSummary } from './render.js';

export const TARGET_SIZE = 10_000;
export const RULESET = {
  nft: 'proxyctl nftables',
  nftFloor: 'grouped-maps floor',
  ipt: 'proxyctl iptables',
  kubeProxy: 'kube-proxy iptables',
} as const;

export interface SizeResult {
  services: number;
  endpoints: number;
  generateMs: number;
  render: RenderSummary[];
  loads: LoadSummary[];
}

export interface TargetCheck {
  target: string;
  measured: string;
  status: 'met' | 'missed' | 'not measured';
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** The ratio of a load to its reference (same loader, same run), when both were measured. */
export function ratioOf(load: LoadSummary, all: LoadSummary[]): number | undefined {
  const ref = all.find((l) => l.ruleset === load.reference && l.loader === load.loader);
  return load.medianMs !== undefined && ref?.medianMs ? load.medianMs / ref.medianMs : undefined;
}

/** The targets at 10,000 services. */
export function checkTargets(results: SizeResult[]): TargetCheck[] {
  const at = results.find((r) => r.services === TARGET_SIZE);
  const checks: TargetCheck[] = [];
  for (const backend of ['nftables', 'iptables'] as const) {
    const r = at?.render.find((x) => x.backend === backend);
    checks.push(r?.renderMs === undefined
      ? { target: `render ${backend} ≤ 0.5 s`, measured: r?.note ?? '-', status: 'not measured' }
      : { target: `render ${backend} ≤ 0.5 s (cold)`, measured: `${s(r.renderMs)} (warm ${s(r.warmMs!)})`, status: r.renderMs <= 500 ? 'met' : 'missed' });
  }
  const nft = at?.loads.find((l) => l.ruleset === RULESET.nft);
  checks.push(nft?.medianMs === undefined
    ? { target: 'nft -f load ≤ 2 s', measured: nft?.error ?? '-', status: 'not measured' }
    : { target: 'nft -f load ≤ 2 s', measured: s(nft.medianMs), status: nft.medianMs <= 2000 ? 'met' : 'missed' });
  for (const loader of ['iptables-legacy-restore', 'iptables-restore'] as const) {
    const target = `${loader} load ≤ 1.2 × kube-proxy layout`;
    const ours = at?.loads.find((l) => l.ruleset === RULESET.ipt && l.loader === loader);
    const ratio = ours && at ? ratioOf(ours, at.loads) : undefined;
    checks.push(ratio === undefined
      ? { target, measured: ours?.error ?? '-', status: 'not measured' }
      : { target, measured: `${ratio.toFixed(2)} × (${s(ours!.medianMs!)})`, status: ratio <= 1.2 ? 'met' : 'missed' });
  }
  return checks;
}
