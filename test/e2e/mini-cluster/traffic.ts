// One-shot traffic checks for the e2e tests (probe-client.ts runs in the namespace).
import { expect } from 'chai';
import { describeOutcome, parseReply, probeMany, type ProbeOptions } from '../../kernel/probe.js';

export interface Reply {
  name: string;
  peer: string;
}

/** `count` attempts that must all be answered; the message lists outcomes up to the first failure. */
export async function replies(ns: string, options: ProbeOptions, count: number): Promise<Reply[]> {
  const outcomes = await probeMany(ns, { timeoutMs: 2000, stopOnFailure: true, ...options }, count);
  const summary = `${options.proto} ${options.host}:${options.port} from ${ns}: ${outcomes.map(describeOutcome).join(', ')}`;
  expect(outcomes.filter((o) => o.kind !== 'reply'), summary).to.be.empty;
  return outcomes.map((o) => parseReply(o)!);
}

export function distinct(values: string[]): string[] {
  return [...new Set(values)].sort();
}

/** Polls fn (every 100 ms) until it returns a value; throws with the last error after timeoutMs. */
export async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
