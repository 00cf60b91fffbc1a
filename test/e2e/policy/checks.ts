// Checks beyond the pod matrix: a Service's ClusterIP from every pod, a NodePort and pod addresses
// from the external client, and label changes timed from the API write to both kernels.
import type { Protocol } from '../../../src/model/types.js';
import { isAllowed } from '../../../src/policy/index.js';
import type { KubeObject } from '../../apiserver/store.js';
import { change, clusterPlan, nodesWithoutServiceRules, report, type PolicyCluster } from './cluster.js';
import { cellOf, describeOutcome, PROBE_TIMEOUT_MS, type Cell } from './matrix.js';
import { NODE_IP, NODES, pod, PODS, SVC_FRONTEND, SVC_XA, type NodeName } from './model.js';
import { CheckFailed } from './runner.js';

type Log = (line: string) => void;
const PROTOCOLS = ['TCP', 'UDP'] as const;
const proto = (p: Protocol) => (p === 'TCP' ? 'tcp' : 'udp');

/**
 * Every pod → x/svc-a's ClusterIP (backend x/a): open exactly when the evaluator allows the pod to
 * reach x/a itself (policy judges the DNATed packet). x/a → its own Service is hairpin traffic (the
 * node masquerades it): reported, not judged.
 */
export async function checkClusterIP(cluster: PolicyCluster, log: Log): Promise<void> {
  const missingBefore = await nodesWithoutServiceRules(cluster);
  const first = await probeClusterIP(cluster);
  log(`ClusterIP ${SVC_XA.clusterIP}:${SVC_XA.port} (backend x/a) open from: ${summarize(first.rows)}; x/a hairpin (not judged): ${first.hairpin}`);
  if (first.bad === 0) return;
  // Diagnosis only (the check has failed): were the Service rules themselves gone (before or during
  // the probes)? Then wait for them (bounded) and probe again, so the report says whether policy on
  // the DNATed traffic is right.
  let diagnosis = '';
  const missing = [...new Set([...missingBefore, ...(await nodesWithoutServiceRules(cluster))])];
  if (missing.length) {
    const t = Date.now();
    while (Date.now() - t < 15_000 && (await nodesWithoutServiceRules(cluster)).length) await new Promise((r) => setTimeout(r, 200));
    const again = await probeClusterIP(cluster);
    diagnosis = `\nService rules were missing on ${missing.join(', ')} before or after the first probe; ${(await nodesWithoutServiceRules(cluster)).length ? 'still missing after 15 s' : `back after ${Date.now() - t} ms`}; probed again: ${again.bad} mismatches\n${again.table}`;
    log(`diagnosis: Service rules missing on ${missing.join(', ')}; after they came back: ${again.bad} mismatches, open from ${summarize(again.rows)}`);
  }
  throw new CheckFailed(`ClusterIP ${SVC_XA.clusterIP} from pods: ${first.bad} mismatches\n${first.table}${diagnosis}\n${await report(cluster)}`);
}

async function probeClusterIP(cluster: PolicyCluster) {
  const plan = clusterPlan(cluster);
  const backend = pod('x/a');
  const rows = await Promise.all(PODS.map(async (from) => Promise.all(PROTOCOLS.map(async (p) => {
    const outcome = await cluster.topology.agents[from.id].probe({ proto: proto(p), host: SVC_XA.clusterIP, port: SVC_XA.port, timeoutMs: PROBE_TIMEOUT_MS });
    const hairpin = from.id === backend.id;
    const cell = cellOf(outcome, backend.id, hairpin ? undefined : from.ip);
    const expected = hairpin ? undefined : isAllowed(plan, from.ip, backend.ip, SVC_XA.port, p);
    return { from: from.id, p, cell, expected, text: outcome.kind === 'reply' ? outcome.text : outcome.kind };
  }))));
  const flat = rows.flat();
  const bad = flat.filter((r) => r.expected !== undefined && (r.cell === '.') !== r.expected).length;
  const table = ['from   TCP exp/obs  UDP exp/obs', ...rows.map((r) => `${r[0].from.padEnd(6)} ${r.map((c) => `${c.expected === undefined ? '-' : c.expected ? '.' : 'X'}/${c.cell}${c.expected !== undefined && (c.cell === '.') !== c.expected ? '!' : ' '}`.padEnd(12)).join(' ')}`)].join('\n');
  const hairpin = flat.filter((r) => r.expected === undefined).map((r) => `${r.p} ${r.text}`).join(', ');
  return { rows: flat, bad, table, hairpin };
}

function summarize(rows: { from: string; p: 'TCP' | 'UDP'; cell: Cell; expected?: boolean }[]): string {
  const open = PROTOCOLS.map((p) => `${p} [${rows.filter((r) => r.p === p && r.cell === '.' && r.expected !== undefined).map((r) => r.from).join(' ')}]`);
  return open.join(' ');
}

/**
 * External client (on the LAN) → the frontend's NodePort on both nodes, per protocol either every
 * attempt answered by a frontend pod or none answered; plus the client straight to pod addresses.
 */
export async function checkFromOutside(cluster: PolicyCluster, log: Log, nodePortOpen: Record<'TCP' | 'UDP', boolean>, direct: { pod: string; port: number; open: boolean }[]): Promise<void> {
  const ext = cluster.topology.agents.ext;
  const failures: string[] = [];
  for (const node of NODES) {
    for (const p of PROTOCOLS) {
      const outcomes = await Promise.all(Array.from({ length: 6 }, () => ext.probe({ proto: proto(p), host: NODE_IP[node], port: SVC_FRONTEND.nodePort, timeoutMs: PROBE_TIMEOUT_MS })));
      const answered = outcomes.map((o) => (o.kind === 'reply' ? o.text : describeOutcome(o)));
      const names = answered.map((a) => a.split(' ')[0]);
      log(`NodePort ${NODE_IP[node]}:${SVC_FRONTEND.nodePort}/${p} from outside (expected ${nodePortOpen[p] ? 'open' : 'closed'}): ${answered.join(', ')}`);
      const ok = nodePortOpen[p] ? names.every((n) => SVC_FRONTEND.endpoints.includes(n)) : outcomes.every((o) => o.kind !== 'reply');
      if (!ok) failures.push(`NodePort via ${node} ${p} (expected ${nodePortOpen[p] ? 'open' : 'closed'}): ${answered.join(', ')}`);
    }
  }
  for (const d of direct) {
    const target = pod(d.pod);
    const outcome = await ext.probe({ proto: 'tcp', host: target.ip, port: d.port, timeoutMs: PROBE_TIMEOUT_MS });
    const cell = cellOf(outcome, target.id);
    log(`outside -> ${d.pod} ${target.ip}:${d.port}/TCP: ${cell === '.' ? 'open' : `closed (${describeOutcome(outcome)})`}, expected ${d.open ? 'open' : 'closed'}`);
    if ((cell === '.') !== d.open) failures.push(`outside -> ${d.pod}:${d.port}: ${outcome.kind}, expected ${d.open ? 'open' : 'closed'}`);
  }
  if (failures.length) throw new CheckFailed(`from outside the cluster:\n${failures.join('\n')}\n${await report(cluster)}`);
}

export interface TimedChanges {
  /** Per change: ms until node-a / node-b / both held it. */
  samples: { what: string; ms: Record<NodeName, number>; both: number }[];
}

/** Applies `states` in turn (each an object to write), timing each from the API write to both kernels. */
export async function timeChanges(cluster: PolicyCluster, states: { what: string; object: KubeObject }[], log: Log): Promise<TimedChanges> {
  const samples: TimedChanges['samples'] = [];
  for (const s of states) {
    const applied = await change(cluster, [s.object]);
    const both = Math.max(...NODES.map((n) => applied.ms[n]));
    samples.push({ what: s.what, ms: applied.ms, both });
    log(`${s.what}: node-a ${applied.ms['node-a']} ms, node-b ${applied.ms['node-b']} ms`);
  }
  return { samples };
}

export function p50(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}
