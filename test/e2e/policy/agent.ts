// Host side of pod-agent.ts: starts it in a namespace (tracked by the lab, so destroyLab stops it)
// and sends probe requests with a bounded number in flight.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from '../../kernel/exec.js';
import type { Lab } from '../../kernel/netns.js';
import type { ProbeOutcome } from '../../kernel/probe.js';

export interface ProbeRequest {
  proto: 'tcp' | 'udp';
  host: string;
  port: number;
  timeoutMs: number;
}

const MAX_IN_FLIGHT = 48;
const START_TIMEOUT_MS = 20_000;

export class PodAgent {
  private nextId = 1;
  private readonly pending = new Map<number, (o: ProbeOutcome) => void>();
  private readonly queue: (() => void)[] = [];
  private inFlight = 0;
  private stderr = '';
  private readonly ready: Promise<void>;

  private constructor(readonly ns: string, readonly name: string, private readonly child: ChildProcess) {
    child.stdin!.on('error', () => {});
    child.stderr!.on('data', (c: Buffer) => (this.stderr += c.toString()));
    let markReady: () => void = () => {};
    let fail: (e: Error) => void = () => {};
    this.ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      fail = reject;
    });
    const timer = setTimeout(() => fail(new Error(`pod agent ${name} in ${ns} not ready after ${START_TIMEOUT_MS} ms: ${this.stderr}`)), START_TIMEOUT_MS);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line === 'ready') {
        clearTimeout(timer);
        markReady();
        return;
      }
      const { id, outcome } = JSON.parse(line) as { id: number; outcome: ProbeOutcome };
      const resolve = this.pending.get(id);
      this.pending.delete(id);
      resolve?.(outcome);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`pod agent ${name} exited (${code}): ${this.stderr}`));
      for (const [, resolve] of this.pending) resolve({ kind: 'error', code: 'AGENT_EXIT', message: `agent ${name} exited: ${this.stderr}` });
      this.pending.clear();
    });
  }

  /** firstPort: start of this agent's source-port counter (every agent lives in its own namespace). */
  static async start(lab: Lab, ns: string, name: string, ports: number[], firstPort = 20_000): Promise<PodAgent> {
    const args = ['netns', 'exec', ns, process.execPath, '--import', 'tsx', 'test/e2e/policy/pod-agent.ts', '--name', name, '--ports', ports.join(','), '--first-port', String(firstPort)];
    const agent = new PodAgent(ns, name, spawn('ip', args, { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] }));
    lab.processes.add({ ns, command: `pod-agent ${name}`, output: () => agent.stderr, stop: () => agent.stop() });
    await agent.ready;
    return agent;
  }

  async probe(request: ProbeRequest): Promise<ProbeOutcome> {
    if (this.inFlight >= MAX_IN_FLIGHT) await new Promise<void>((resolve) => this.queue.push(resolve));
    this.inFlight += 1;
    const id = this.nextId++;
    let timer: NodeJS.Timeout | undefined;
    try {
      const answer = new Promise<ProbeOutcome>((resolve) => this.pending.set(id, resolve));
      // Bounded even if the agent never answers.
      const guard = new Promise<ProbeOutcome>((resolve) => {
        timer = setTimeout(resolve, request.timeoutMs + 5000, { kind: 'error', code: 'NO_ANSWER', message: `agent ${this.name} did not answer` });
      });
      this.child.stdin!.write(`${JSON.stringify({ id, ...request })}\n`);
      return await Promise.race([answer, guard]);
    } finally {
      clearTimeout(timer);
      this.pending.delete(id);
      this.inFlight -= 1;
      this.queue.shift()?.();
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin!.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  }
}
