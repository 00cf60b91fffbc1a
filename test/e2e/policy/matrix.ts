// Probing the 9x9 pod matrix per port/protocol against the evaluator's truth table, and printing
// expected and observed side by side (rows = from, columns = to).
import type { Protocol } from '../../../src/model/types.js';
import { truthTable, type NamedAddress, type PolicyPlan } from '../../../src/policy/index.js';
import type { ProbeOutcome } from '../../kernel/probe.js';
import type { PodAgent } from './agent.js';
import { PODS } from './model.js';

export interface PortProto {
  port: number;
  protocol: 'TCP' | 'UDP';
}

export const ALL_PORTS: PortProto[] = [{ port: 80, protocol: 'TCP' }, { port: 81, protocol: 'TCP' }, { port: 80, protocol: 'UDP' }, { port: 81, protocol: 'UDP' }];
/** A dropped TCP SYN or UDP datagram costs this much; replies come within milliseconds. */
export const PROBE_TIMEOUT_MS = 1500;
const RETRY_TIMEOUT_MS = 3000;

/** '.' answered by the right pod, 'X' timeout, 'R' refused, 'U' unreachable, '?' wrong answer or error. */
export type Cell = '.' | 'X' | 'R' | 'U' | '?';

export const ENDPOINTS: NamedAddress[] = PODS.map((p) => ({ name: p.id, address: p.ip }));

export interface MatrixResult {
  label: string;
  expected: boolean[][];
  observed: Cell[][];
  /** Raw outcomes of cells that are not '.' or 'X', for the report. */
  notes: string[];
  /** Cells expected open that answered only on the retry. */
  retried: string[];
  mismatches: number;
}

export function cellOf(outcome: ProbeOutcome, expectName: string, expectPeer?: string): Cell {
  switch (outcome.kind) {
    case 'reply': {
      const [name, peer] = outcome.text.split(' ');
      return name === expectName && (expectPeer === undefined || peer === expectPeer) ? '.' : '?';
    }
    case 'timeout':
      return 'X';
    case 'refused':
      return 'R';
    case 'unreachable':
      return 'U';
    default:
      return '?';
  }
}

export const describeOutcome = (o: ProbeOutcome): string => (o.kind === 'reply' ? `reply "${o.text}"` : o.kind === 'unreachable' || o.kind === 'error' ? `${o.kind} ${o.code}` : o.kind);

/**
 * Probes every (from, to) pair, self included: a pod reaching its own address stays on its own
 * loopback, which the evaluator allows ("loopback follows no policy") and the kernel never polices.
 */
export async function probeMatrix(agents: Record<string, PodAgent>, plan: PolicyPlan, pp: PortProto): Promise<MatrixResult> {
  const proto = pp.protocol === 'TCP' ? 'tcp' : 'udp';
  const expected = truthTable(plan, ENDPOINTS, pp.port, pp.protocol as Protocol);
  const notes: string[] = [];
  const retried: string[] = [];
  const observed = await Promise.all(PODS.map((from, i) => Promise.all(PODS.map(async (to, j): Promise<Cell> => {
    const request = { proto, host: to.ip, port: pp.port, timeoutMs: PROBE_TIMEOUT_MS } as const;
    let outcome = await agents[from.id].probe(request);
    let cell = cellOf(outcome, to.id, from.ip);
    if (cell !== '.' && expected[i][j]) {
      // One slower retry for an open pair that did not answer: a busy machine is not a policy bug,
      // but it is reported.
      outcome = await agents[from.id].probe({ ...request, timeoutMs: RETRY_TIMEOUT_MS });
      cell = cellOf(outcome, to.id, from.ip);
      if (cell === '.') retried.push(`${from.id}->${to.id}`);
    }
    if (cell !== '.' && cell !== 'X') notes.push(`${from.id} -> ${to.id}: ${describeOutcome(outcome)}`);
    return cell;
  }))));
  let mismatches = 0;
  observed.forEach((row, i) => row.forEach((cell, j) => {
    if ((cell === '.') !== expected[i][j]) mismatches += 1;
  }));
  return { label: `${pp.port}/${pp.protocol}`, expected, observed, notes, retried, mismatches };
}

/** Expected and observed grids side by side; a mismatching observed cell is marked with '!'. */
export function formatSideBySide(result: MatrixResult): string {
  const names = ENDPOINTS.map((e) => e.name);
  const w = 4;
  const pad = (s: string) => s.padEnd(w);
  const header = `${pad('')}${names.map(pad).join('')}`;
  const title = `${result.label}: expected (evaluator)`.padEnd(header.length + 4) + `observed (${result.mismatches} mismatch${result.mismatches === 1 ? '' : 'es'})`;
  const lines = [title, `${header}    ${header}`];
  names.forEach((from, i) => {
    const exp = result.expected[i].map((ok) => pad(ok ? '.' : 'X')).join('');
    const obs = result.observed[i].map((cell, j) => pad(cell + ((cell === '.') !== result.expected[i][j] ? '!' : ''))).join('');
    lines.push(`${pad(from)}${exp}    ${pad(from)}${obs}`);
  });
  if (result.notes.length) lines.push(`  notes: ${result.notes.join('; ')}`);
  if (result.retried.length) lines.push(`  answered only on retry: ${result.retried.join(', ')}`);
  return lines.join('\n');
}

/** Compact observed grid (for the log of passing scenarios). */
export function formatObserved(result: MatrixResult): string {
  const names = ENDPOINTS.map((e) => e.name);
  return [`${result.label}  ${names.join(' ')}`, ...names.map((from, i) => `${from}  ${result.observed[i].map((c) => c.padEnd(3)).join(' ')}`)].join('\n');
}
