// Decides whether kernel tests can run here, and skips (or, when required, fails) them loudly.
import { execFileSync } from 'node:child_process';

export interface Availability {
  ok: boolean;
  reason: string;
}

const REQUIRED_TOOLS = ['ip', 'nft', 'iptables-restore', 'ip6tables-restore', 'iptables-save', 'conntrack'];
let cached: Availability | undefined;

export function kernelTestsAvailable(): Availability {
  cached ??= probeAvailability();
  return cached;
}

function probeAvailability(): Availability {
  if (process.platform !== 'linux') return { ok: false, reason: `platform is ${process.platform}, not linux` };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'not running as root' };
  const missing = REQUIRED_TOOLS.filter((tool) => !onPath(tool));
  if (missing.length > 0) return { ok: false, reason: `missing tools: ${missing.join(', ')}` };
  const probe = `pxt-${process.pid}-gate`;
  try {
    execFileSync('ip', ['netns', 'add', probe], { stdio: 'pipe', timeout: 5000 });
    execFileSync('ip', ['netns', 'exec', probe, 'nft', 'list', 'ruleset'], { stdio: 'pipe', timeout: 5000 });
  } catch (error) {
    return { ok: false, reason: `cannot create a network namespace with nft: ${firstLine(error)}` };
  } finally {
    try {
      execFileSync('ip', ['netns', 'del', probe], { stdio: 'ignore', timeout: 5000 });
    } catch {
      // it was never created
    }
  }
  return { ok: true, reason: 'root, tools present, ip netns add works' };
}

export function onPath(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function firstLine(error: unknown): string {
  const err = error as { stderr?: Buffer | string; message?: string };
  const text = err.stderr?.toString().trim() || err.message || String(error);
  return text.split('\n')[0] ?? text;
}

/**
 * describe() for kernel tests. The check runs lazily (unit-only runs never probe the kernel).
 * Without the kernel the suite is skipped with the reason, unless PROXYCTL_REQUIRE_KERNEL=1:
 * then it fails, so a CI that expects kernel coverage cannot pass silently.
 */
export function describeKernel(title: string, fn: (this: Mocha.Suite) => void): Mocha.Suite {
  if (!title.includes('@kernel')) throw new Error(`kernel suite title must contain "@kernel": ${title}`);
  return describe(title, function () {
    before(function () {
      const availability = kernelTestsAvailable();
      if (availability.ok) return;
      if (process.env.PROXYCTL_REQUIRE_KERNEL === '1') {
        throw new Error(`kernel tests unavailable (PROXYCTL_REQUIRE_KERNEL=1): ${availability.reason}`);
      }
      console.warn(`    skipping "${title}": ${availability.reason}`);
      this.skip();
    });
    fn.call(this);
  });
}
