// Host side of stream-client.ts: a probe loop running in a namespace while the test changes
// things, and what its attempts tell (who answered, when, and what failed).
import { startInNamespace, type BackgroundProcess } from '../../kernel/background.js';
import type { Lab } from '../../kernel/netns.js';

export interface Attempt {
  /** Epoch ms when the attempt started (same clock as the test process). */
  t: number;
  ms: number;
  kind: 'reply' | 'refused' | 'timeout' | 'unreachable' | 'error';
  text?: string;
  code?: string;
}

export interface StreamOptions {
  proto: 'tcp' | 'udp';
  host: string;
  port: number;
  intervalMs?: number;
  timeoutMs?: number;
  /** Hard bound on the client's life; it also stops on stop(). */
  durationMs?: number;
  /** UDP: one socket (one conntrack flow) for every datagram. */
  reuseSocket?: boolean;
  sourcePort?: number;
}

export class ProbeStream {
  private constructor(private readonly process: BackgroundProcess, readonly description: string) {}

  static async start(lab: Lab, ns: string, options: StreamOptions): Promise<ProbeStream> {
    const args = ['--import', 'tsx', 'test/e2e/mini-cluster/stream-client.ts', '--proto', options.proto, '--host', options.host, '--port', String(options.port)];
    args.push('--interval-ms', String(options.intervalMs ?? 25), '--timeout-ms', String(options.timeoutMs ?? 1000), '--duration-ms', String(options.durationMs ?? 30_000));
    if (options.reuseSocket) args.push('--reuse-socket');
    if (options.sourcePort !== undefined) args.push('--source-port', String(options.sourcePort));
    const proc = await startInNamespace(lab, ns, process.execPath, args, /^started$/m);
    return new ProbeStream(proc, `${options.proto} ${options.host}:${options.port} from ${ns}`);
  }

  attempts(): Attempt[] {
    return this.process.output().split('\n').filter((line) => line.startsWith('{') && line.endsWith('}')).map((line) => JSON.parse(line) as Attempt);
  }

  /** Waits until at least `count` attempts started at or after `since` have finished. */
  async waitForAttempts(count: number, since = 0, timeoutMs = 15_000): Promise<Attempt[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const got = this.attempts().filter((a) => a.t >= since);
      if (got.length >= count) return got;
      if (Date.now() > deadline) throw new Error(`${this.description}: ${got.length}/${count} attempts after ${timeoutMs} ms\n${this.process.output().slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<Attempt[]> {
    await this.process.stop();
    return this.attempts();
  }
}

export function answeredBy(attempt: Attempt): string | undefined {
  return attempt.kind === 'reply' ? attempt.text?.split(' ')[0] : undefined;
}

export function peerOf(attempt: Attempt): string | undefined {
  return attempt.kind === 'reply' ? attempt.text?.split(' ')[1] : undefined;
}

/** One line per run of equal outcomes: "12× reply pod-a1, 1× timeout, ...", for assertion messages. */
export function summarize(attempts: Attempt[], t0 = attempts[0]?.t ?? 0): string {
  const runs: { what: string; n: number; from: number }[] = [];
  for (const a of attempts) {
    const what = a.kind === 'reply' ? `reply ${answeredBy(a)}` : `${a.kind}${a.code ? ` ${a.code}` : ''}`;
    const last = runs.at(-1);
    if (last && last.what === what) last.n += 1;
    else runs.push({ what, n: 1, from: a.t - t0 });
  }
  const text = runs.map((r) => `${r.n}× ${r.what} (from +${r.from} ms)`);
  return text.length > 40 ? [...text.slice(0, 20), '...', ...text.slice(-20)].join(', ') : text.join(', ');
}
