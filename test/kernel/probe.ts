// Host-side wrapper around probe-client.ts: runs it inside a namespace and parses its lines.
import { nsRun } from './exec.js';

export type ProbeOutcome =
  | { kind: 'reply'; text: string }
  | { kind: 'refused' }
  | { kind: 'timeout' }
  | { kind: 'unreachable'; code: string }
  | { kind: 'error'; code: string; message: string };

export interface ProbeOptions {
  proto: 'tcp' | 'udp';
  host: string;
  port: number;
  timeoutMs?: number;
  sourcePort?: number;
  /** Stop at the first attempt without a reply (fewer results come back). */
  stopOnFailure?: boolean;
}

const CLIENT = 'test/kernel/probe-client.ts';
const NODE_START_BUDGET_MS = 10_000;

export async function probe(ns: string, options: ProbeOptions): Promise<ProbeOutcome> {
  const [outcome] = await probeMany(ns, options, 1);
  return outcome!;
}

/** count sequential attempts, each from a fresh socket (new source port unless sourcePort is set). */
export async function probeMany(ns: string, options: ProbeOptions, count: number): Promise<ProbeOutcome[]> {
  const timeoutMs = options.timeoutMs ?? 2000;
  const args = ['--import', 'tsx', CLIENT, '--proto', options.proto, '--host', options.host, '--port', String(options.port)];
  args.push('--timeout-ms', String(timeoutMs), '--count', String(count));
  if (options.sourcePort !== undefined) args.push('--source-port', String(options.sourcePort));
  if (options.stopOnFailure) args.push('--stop-on-failure');
  const result = await nsRun(ns, process.execPath, args, { timeoutMs: count * (timeoutMs + 500) + NODE_START_BUDGET_MS });
  const outcomes = result.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as ProbeOutcome);
  const complete = outcomes.length === count || (options.stopOnFailure && outcomes.at(-1)?.kind !== 'reply');
  if (!complete) throw new Error(`probe in ${ns} gave ${outcomes.length}/${count} results: ${result.stderr}`);
  return outcomes;
}

/** "pod-1 10.244.0.4" → { name: 'pod-1', peer: '10.244.0.4' }. */
export function parseReply(outcome: ProbeOutcome): { name: string; peer: string } | undefined {
  if (outcome.kind !== 'reply') return undefined;
  const [name = '', peer = ''] = outcome.text.split(' ');
  return { name, peer };
}

export function describeOutcome(outcome: ProbeOutcome): string {
  return outcome.kind === 'reply' ? `reply "${outcome.text}"` : outcome.kind === 'refused' || outcome.kind === 'timeout' ? outcome.kind : `${outcome.kind} ${outcome.code}`;
}
