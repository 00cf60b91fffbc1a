import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';

export interface RunResult {
  code: number | null;
  signal: string | null;
  ms: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface RunOptions {
  timeoutMs?: number;
  cwd?: string;
  /** Send stdout to this file instead of capturing it. */
  stdoutFile?: string;
}

const KEEP = 8192;
const tail = (s: string) => (s.length > KEEP ? s.slice(-KEEP) : s);

let current: ReturnType<typeof spawn> | undefined;

/** Runs one command, timing it from spawn to exit; kills it (by pid) after timeoutMs. */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const fd = opts.stdoutFile ? openSync(opts.stdoutFile, 'w') : undefined;
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(cmd, args, { cwd: opts.cwd, stdio: ['ignore', fd ?? 'pipe', 'pipe'] });
    current = child;
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout?.on('data', (d: Buffer) => { stdout = tail(stdout + d.toString()); });
    child.stderr?.on('data', (d: Buffer) => { stderr = tail(stderr + d.toString()); });
    const timer = opts.timeoutMs ? setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, opts.timeoutMs) : undefined;
    child.on('error', (err) => {
      clearTimeout(timer);
      if (fd !== undefined) closeSync(fd);
      reject(err);
    });
    child.on('close', (code, signal) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      clearTimeout(timer);
      if (fd !== undefined) closeSync(fd);
      current = undefined;
      resolve({ code, signal, ms, stdout, stderr, timedOut });
    });
  });
}

/** Kills the child currently running, if any (used on SIGINT). */
export function killCurrent(): void {
  current?.kill('SIGKILL');
}

/** A one-line reason for a failed run: the error line of a Node stack trace, else stderr's last line. */
export function failure(r: RunResult): string | undefined {
  if (r.timedOut) return `timed out after ${(r.ms / 1000).toFixed(0)} s`;
  if (r.code === 0) return undefined;
  const lines = r.stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const reason = lines.find((l) => /^\w*(Error|Exception)\b/.test(l)) ?? lines.filter((l) => !l.startsWith('at ')).pop() ?? '';
  return `exit ${r.code ?? r.signal}: ${reason.slice(0, 300)}`;
}
