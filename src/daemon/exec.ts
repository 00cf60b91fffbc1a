// The one seam through which the daemon runs programs; tests swap in a recorder.
import { execa } from 'execa';

export interface ExecResult {
  /** -1 when the program could not start, timed out or died from a signal. */
  exitCode: number;
  stdout: string;
  stderr: string;
}

export type Executor = (cmd: string, args: string[]) => Promise<ExecResult>;

/** Runs programs directly (no shell), bounded in time; never rejects. */
export function systemExecutor(options: { timeoutMs?: number } = {}): Executor {
  return async (cmd, args) => {
    const result = await execa(cmd, args, { reject: false, stdin: 'ignore', timeout: options.timeoutMs ?? 30_000 });
    const stderr = String(result.stderr ?? '');
    if (typeof result.exitCode === 'number' && !result.timedOut) return { exitCode: result.exitCode, stdout: String(result.stdout ?? ''), stderr };
    return { exitCode: -1, stdout: String(result.stdout ?? ''), stderr: stderr || result.shortMessage || 'failed' };
  };
}
