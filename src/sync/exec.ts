import { spawn } from 'node:child_process';

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

/**
 * Runs commands with node's spawn; never throws for a non-zero exit, a signal or a timeout (callers
 * decide). Not execa: its stream plumbing added ~10 ms per command, and a partial sync is one command.
 */
export function realExecutor(prefix: string[] = [], timeoutMs = COMMAND_TIMEOUT_MS): Executor {
  return {
    run(cmd, args, input) {
      const [bin, ...rest] = prefix.length ? [...prefix, cmd, ...args] : [cmd, ...args];
      return new Promise((resolve) => {
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        let timedOut = false;
        const child = spawn(bin, rest, { stdio: ['pipe', 'pipe', 'pipe'] });
        const timer = setTimeout(() => {
          timedOut = true;
          child.kill('SIGTERM');
        }, timeoutMs);
        child.stdout.on('data', (b: Buffer) => out.push(b));
        child.stderr.on('data', (b: Buffer) => err.push(b));
        child.stdin.on('error', () => {}); // the command may exit without reading its input
        child.on('error', (e) => {
          clearTimeout(timer);
          resolve({ exitCode: 127, stdout: '', stderr: e.message });
        });
        child.on('close', (code, signal) => {
          clearTimeout(timer);
          resolve({
            exitCode: code ?? 1,
            stdout: trimFinalNewline(Buffer.concat(out).toString()),
            stderr: trimFinalNewline(Buffer.concat(err).toString()),
            ...(timedOut ? { timedOut: true } : {}),
            ...(signal ? { signal } : {}),
          });
        });
        child.stdin.end(input ?? '');
      });
    },
  };
}

/** As execa did (callers compare stdout): one trailing newline is not part of the output. */
function trimFinalNewline(s: string): string {
  return s.endsWith('\n') ? s.slice(0, s.endsWith('\r\n') ? -2 : -1) : s;
}

export async function runOrThrow(exec: Executor, cmd: string, args: string[], input?: string): Promise<ExecResult> {
  const r = await exec.run(cmd, args, input);
  if (r.exitCode !== 0 || r.timedOut || r.signal) throw new CommandError(cmd, args, r);
  return r;
}
