/** The one seam through which the daemon runs programs; tests swap in a recorder or a fake kernel. */
export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Killed after `timeoutMs`: exitCode is then meaningless (there was no exit). */
  timedOut?: boolean;
  /** Killed by a signal (including a timeout's SIGTERM). */
  signal?: string;
}

export interface Executor {
  run(cmd: string, args: string[], input?: string): Promise<ExecResult>;
}

export class CommandError extends Error {
  constructor(readonly cmd: string, readonly args: string[], readonly result: ExecResult) {
    super(`${cmd} ${args.join(' ')} ${outcomeText(result)}: ${result.stderr.trim().split('\n').slice(0, 12).join('\n')}`);
    this.name = 'CommandError';
  }

  get timedOut(): boolean {
    return this.result.timedOut === true;
  }
}

/** "exited 1", "timed out (killed)", "was killed by SIGKILL". */
export function outcomeText(r: ExecResult): string {
  if (r.timedOut) return 'timed out (killed)';
  if (r.signal) return `was killed by ${r.signal}`;
  return `exited ${r.exitCode}`;
}

/** A full iptables-restore at 10k services takes seconds; a stuck tool must not hang the daemon. */
export const COMMAND_TIMEOUT_MS = 120_000;

/** Runs commands with execa; never throws for a non-zero exit, a signal or a timeout (callers decide). */
export function realExecutor(prefix: string[] = [], timeoutMs = COMMAND_TIMEOUT_MS): Executor {
  return {
    async run(cmd, args, input) {
      const { execa } = await import('execa');
      const [bin, ...rest] = prefix.length ? [...prefix, cmd, ...args] : [cmd, ...args];
      const r = await execa(bin, rest, { input, reject: false, maxBuffer: 512 * 1024 * 1024, timeout: timeoutMs });
      return {
        exitCode: r.exitCode ?? 1,
        stdout: String(r.stdout),
        stderr: String(r.stderr),
        ...(r.timedOut ? { timedOut: true } : {}),
        ...(r.signal ? { signal: r.signal } : {}),
      };
    },
  };
}

export async function runOrThrow(exec: Executor, cmd: string, args: string[], input?: string): Promise<ExecResult> {
  const r = await exec.run(cmd, args, input);
  if (r.exitCode !== 0 || r.timedOut || r.signal) throw new CommandError(cmd, args, r);
  return r;
}
