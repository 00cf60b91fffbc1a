// Bounded command execution, in the root namespace or inside a test namespace.
import { execa } from 'execa';

export const REPO_ROOT = new URL('../../', import.meta.url).pathname.replace(/\/$/, '');

export interface RunResult {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface RunOptions {
  input?: string;
  timeoutMs?: number;
  /** Throw on non-zero exit (default true). */
  check?: boolean;
}

/** Run a command inside a namespace, bounded in time. */
export async function nsRun(ns: string, command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return run('ip', ['netns', 'exec', ns, command, ...args], options);
}

export async function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const result = await execa(command, args, {
    input: options.input,
    stdin: options.input === undefined ? 'ignore' : undefined,
    timeout: options.timeoutMs ?? 15_000,
    reject: false,
    cwd: REPO_ROOT,
    stripFinalNewline: false,
  });
  const out: RunResult = {
    exitCode: result.exitCode,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
    timedOut: result.timedOut,
  };
  if ((options.check ?? true) && (out.exitCode !== 0 || out.timedOut)) {
    const why = out.timedOut ? 'timed out' : `exit ${out.exitCode}`;
    throw new Error(`${command} ${args.join(' ')}: ${why}\n${out.stderr}${out.stdout}`);
  }
  return out;
}
