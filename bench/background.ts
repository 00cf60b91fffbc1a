import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { wallMs } from './clock.js';

/** A long-running child (daemon, agent, monitor) whose stdout lines are kept with their arrival time. */
export interface Background {
  readonly name: string;
  readonly child: ChildProcess;
  /** Set once the child exited. */
  exit?: { code: number | null; signal: string | null };
  stderr(): string;
  onLine(fn: (line: string, at: number) => void): void;
  exited: Promise<void>;
  /** SIGTERM, then SIGKILL after graceMs; resolves once the child is gone. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<Background>();
const KEEP = 16_384;

/** Spawns `argv` (e.g. ['ip', 'netns', 'exec', NS, ...]) with piped stdio; killed by killBackground on exit paths. */
export function startBackground(name: string, argv: string[], opts: { cwd?: string; stdin?: boolean; env?: Record<string, string> } = {}): Background {
  const env = opts.env ? { ...process.env, ...opts.env } : undefined;
  const child = spawn(argv[0], argv.slice(1), { cwd: opts.cwd, env, stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  let err = '';
  const listeners: ((line: string, at: number) => void)[] = [];
  child.stderr!.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-KEEP);
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const at = wallMs();
    for (const fn of listeners) fn(line, at);
  });
  // Writes after the child died fail with EPIPE; the exit is reported through `exit`.
  child.stdin?.on('error', () => {});
  const bg: Background = {
    name,
    child,
    stderr: () => err,
    onLine: (fn) => listeners.push(fn),
    exited: new Promise((resolve) => {
      child.once('close', (code, signal) => {
        bg.exit = { code, signal };
        live.delete(bg);
        resolve();
      });
      child.once('error', (e) => {
        err += String(e);
        bg.exit = { code: null, signal: null };
        live.delete(bg);
        resolve();
      });
    }),
    async stop(graceMs = 5000) {
      if (bg.exit) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await bg.exited;
      clearTimeout(timer);
    },
  };
  live.add(bg);
  return bg;
}

/** For exit paths (signals, crashes): SIGKILL every child still running, by its own pid. */
export function killBackground(): void {
  for (const bg of live) bg.child.kill('SIGKILL');
  live.clear();
}
