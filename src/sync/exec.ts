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

/** Runs commands with execa; never throws for a non-zero exit (callers decide). */
export function realExecutor(prefix: string[] = []): Executor {
  return {
    async run(cmd, args, input) {
      const { execa } = await import('execa');
      const [bin, ...rest] = prefix.length ? [...prefix, cmd, ...args] : [cmd, ...args];
      const r = await execa(bin, rest, { input, reject: false, maxBuffer: 512 * 1024 * 1024, timeout: 120_000 });
      return { exitCode: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr) };
    },
  };
}

export async function runOrThrow(exec: Executor, cmd: string, args: string[], input?: string): Promise<ExecResult> {
  const r = await exec.run(cmd, args, input);
  if (r.exitCode !== 0) throw new CommandError(cmd, args, r);
  return r;
}
