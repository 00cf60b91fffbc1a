import { join } from 'node:path';
import type { AgentReply, AgentRequest, CommandResult, Expect, PollResult } from './agent-protocol.js';
import { startBackground, type Background } from './background.js';

type Body<T> = T extends { id: number } ? Omit<T, 'id'> : never;

/** The parent side of bench/ns-agent.ts: polls and fetches from inside a namespace. */
export class Agent {
  private nextId = 1;
  private readonly pending = new Map<number, (r: AgentReply) => void>();

  private constructor(private readonly bg: Background) {
    bg.onLine((line) => {
      const reply = JSON.parse(line) as AgentReply & { ready?: boolean };
      if (!reply.ready) this.pending.get(reply.id)?.(reply);
    });
    void bg.exited.then(() => {
      for (const [id, resolve] of this.pending) resolve({ id, ok: false, error: `ns-agent exited: ${bg.stderr().slice(-2000)}` });
    });
  }

  static async start(ns: string, repoRoot: string): Promise<Agent> {
    const bg = startBackground(`agent ${ns}`, ['ip', 'netns', 'exec', ns, process.execPath, '--import', 'tsx', join(repoRoot, 'bench/ns-agent.ts')],
      { cwd: repoRoot, stdin: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`ns-agent did not start within 30 s: ${bg.stderr()}`)), 30_000);
      bg.onLine(() => {
        clearTimeout(timer);
        resolve();
      });
      void bg.exited.then(() => reject(new Error(`ns-agent exited: ${bg.stderr()}`)));
    });
    return new Agent(bg);
  }

  private async send<T>(body: Body<AgentRequest>, timeoutMs: number): Promise<T> {
    const id = this.nextId++;
    const reply = new Promise<AgentReply>((resolve) => {
      this.pending.set(id, resolve);
      setTimeout(() => resolve({ id, ok: false, error: `ns-agent: no reply within ${timeoutMs} ms` }), timeoutMs).unref();
    });
    this.bg.child.stdin!.write(`${JSON.stringify({ ...body, id })}\n`);
    const r = await reply;
    this.pending.delete(id);
    if (!r.ok) throw new Error(r.error);
    return r.result as T;
  }

  /** Runs argv every intervalMs (gap after each run) until `expect` holds or timeoutMs passes. */
  poll(argv: string[], expect: Expect, intervalMs: number, timeoutMs: number): Promise<PollResult> {
    return this.send({ op: 'poll', argv, expect, intervalMs, timeoutMs }, timeoutMs + 15_000);
  }

  run(argv: string[], timeoutMs = 60_000): Promise<CommandResult> {
    return this.send({ op: 'run', argv, timeoutMs }, timeoutMs + 5000);
  }

  fetch(url: string, timeoutMs = 10_000): Promise<string> {
    return this.send({ op: 'fetch', url, timeoutMs }, timeoutMs + 5000);
  }

  async stop(): Promise<void> {
    this.bg.child.stdin!.end();
    const t = setTimeout(() => void this.bg.stop(1000), 3000);
    await this.bg.exited;
    clearTimeout(t);
  }
}
