import { spawnExecutor } from './spawn-exec.js';

/** The one seam through which the daemon runs programs; tests swap in a recorder or a fake kernel. */
export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface Executor {
  run(cmd: string, args: string[], input?: string): Promise<ExecResult>;
}

export class CommandError extends Error {
  constructor(readonly cmd: string, readonly args: string[], readonly result: ExecResult) {
    super(`${cmd} ${args.join(' ')} exited ${result.exitCode}: ${result.stderr.trim().split('\n').slice(0, 12).join('\n')}`);
    this.name = 'CommandError';
  }
}

/** Runs commands (see spawn-exec.ts); never throws for a non-zero exit (callers decide). */
export function realExecutor(prefix: string[] = []): Executor {
  return spawnExecutor(prefix);
}

export async function runOrThrow(exec: Executor, cmd: string, args: string[], input?: string): Promise<ExecResult> {
  const r = await exec.run(cmd, args, input);
  if (r.exitCode !== 0) throw new CommandError(cmd, args, r);
  return r;
}
