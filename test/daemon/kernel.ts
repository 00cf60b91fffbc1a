// Kernel-test gate and throwaway network namespaces (pxd-<pid>-<n>) for the daemon tests.
import { execFileSync } from 'node:child_process';
import { execa } from 'execa';

export interface Availability {
  ok: boolean;
  reason: string;
}

const cache = new Map<string, Availability>();

export function kernelAvailable(tools: string[]): Availability {
  const key = tools.join(',');
  let found = cache.get(key);
  if (!found) {
    found = probe(tools);
    cache.set(key, found);
  }
  return found;
}

function probe(tools: string[]): Availability {
  if (process.platform !== 'linux') return { ok: false, reason: `platform is ${process.platform}` };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'not running as root' };
  const missing = tools.filter((tool) => !onPath(tool));
  if (missing.length > 0) return { ok: false, reason: `missing tools: ${missing.join(', ')}` };
  return { ok: true, reason: 'root and tools present' };
}

export function onPath(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v "$1"', 'sh', tool], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

/** describe() that skips with the reason, or fails when PROXYCTL_REQUIRE_KERNEL=1. */
export function describeKernel(title: string, tools: string[], fn: (this: Mocha.Suite) => void): void {
  if (!title.includes('@kernel')) throw new Error(`kernel suite title must contain "@kernel": ${title}`);
  const availability = kernelAvailable(tools);
  if (availability.ok) {
    describe(title, fn);
  } else if (process.env.PROXYCTL_REQUIRE_KERNEL === '1') {
    describe(title, () => {
      it('requires the kernel (PROXYCTL_REQUIRE_KERNEL=1)', () => {
        throw new Error(`kernel tests unavailable: ${availability.reason}`);
      });
    });
  } else {
    describe.skip(`${title} (skipped: ${availability.reason})`, fn);
  }
}

export interface Result {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs a command bounded in time; throws on failure unless check is false. */
export async function run(cmd: string, args: string[], options: { check?: boolean; input?: string; timeoutMs?: number } = {}): Promise<Result> {
  const r = await execa(cmd, args, { reject: false, input: options.input, stdin: options.input === undefined ? 'ignore' : undefined, timeout: options.timeoutMs ?? 10_000 });
  const out = { exitCode: typeof r.exitCode === 'number' && !r.timedOut ? r.exitCode : -1, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
  if ((options.check ?? true) && out.exitCode !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${out.exitCode}\n${out.stderr}`);
  return out;
}

const live = new Set<string>();
let counter = 0;
let netInstalled = false;

/** A fresh namespace with lo up; removed by deleteNamespace (and on exit as a last resort). */
export async function createNamespace(role: string): Promise<string> {
  installSafetyNet();
  counter += 1;
  const name = `pxd-${process.pid}-${counter}-${role}`;
  await run('ip', ['netns', 'add', name]);
  live.add(name);
  await run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  return name;
}

export async function deleteNamespace(name: string): Promise<void> {
  if (!live.delete(name)) return;
  await run('ip', ['netns', 'del', name], { check: false });
}

export function nsRun(ns: string, cmd: string, args: string[], options: { check?: boolean; input?: string } = {}): Promise<Result> {
  return run('ip', ['netns', 'exec', ns, cmd, ...args], options);
}

function installSafetyNet(): void {
  if (netInstalled) return;
  netInstalled = true;
  process.on('exit', () => {
    for (const name of live) {
      try {
        execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore', timeout: 5000 });
      } catch {
        // best effort
      }
    }
  });
}
