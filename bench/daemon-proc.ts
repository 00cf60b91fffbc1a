import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Backend } from '../src/pipeline.js';
import { startBackground, type Background } from './background.js';
import { sleep, wallMs } from './clock.js';
import { imageRuntime } from './image-runtime.js';

/** One JSON log line of `proxyctl run`, with the time it reached the bench. */
export interface LogLine {
  msg: string;
  /** The daemon's own timestamp (ms). */
  time: number;
  /** When the bench read it (wallMs). */
  at: number;
  fields: Record<string, unknown>;
}

export interface Memory {
  rssMb: number;
  hwmMb: number;
}

/** `ip netns exec NS node bin/proxyctl.js run ...`; keeps its log lines. */
export class DaemonProcess {
  readonly lines: LogLine[] = [];
  private readonly raw: string[] = [];

  private constructor(private readonly bg: Background, readonly spawnedAt: number) {
    bg.onLine((line, at) => {
      this.raw.push(line);
      if (this.raw.length > 200) this.raw.shift();
      try {
        const o = JSON.parse(line) as Record<string, unknown>;
        if (typeof o.msg === 'string') this.lines.push({ msg: o.msg, time: Date.parse(String(o.time)), at, fields: o });
      } catch {
        // not a log line
      }
    });
  }

  private graceMs = 5000;

  /** `profileDir`: run node with --cpu-prof (the profile is written when the daemon exits after SIGTERM). */
  static start(o: { ns: string; repoRoot: string; kubeconfig: string; nodeName: string; backend: Backend; profileDir?: string }): DaemonProcess {
    const prof = o.profileDir ? ['--cpu-prof', '--cpu-prof-dir', o.profileDir] : [];
    const image = imageRuntime(o.repoRoot); // as deployed: the image's node flags and environment
    const argv = ['ip', 'netns', 'exec', o.ns, process.execPath, ...image.nodeFlags, ...prof, join(o.repoRoot, 'bin/proxyctl.js'), 'run', '--kubeconfig', o.kubeconfig,
      '--node-name', o.nodeName, '--backend', o.backend, '--healthz-bind-address', '127.0.0.1:10256', '--metrics-bind-address', '127.0.0.1:10249'];
    const spawnedAt = wallMs();
    const d = new DaemonProcess(startBackground(`proxyctl run ${o.ns}`, argv, { cwd: o.repoRoot, env: image.env }), spawnedAt);
    if (o.profileDir) d.graceMs = 60_000;
    return d;
  }

  get running(): boolean {
    return this.bg.exit === undefined;
  }

  /** The last lines of output, for error messages. */
  tail(): string {
    return [...this.raw.slice(-20), this.bg.stderr().slice(-2000)].join('\n');
  }

  /**
   * The first line with this msg at index `from` or later; polls the list every 5 ms. A line whose msg
   * starts with `failOn` first (e.g. 'sync failed') ends the wait with its error.
   */
  async waitFor(msg: string, from: number, timeoutMs: number, failOn = 'sync failed'): Promise<{ line: LogLine; index: number }> {
    const deadline = wallMs() + timeoutMs;
    for (let i = from; ;) {
      for (; i < this.lines.length; i++) {
        const l = this.lines[i];
        if (l.msg === msg) return { line: l, index: i };
        if (l.msg.startsWith(failOn)) throw new Error(`daemon: ${l.msg.split(';')[0]}: ${String(l.fields.err)} (waiting for '${msg}')`);
      }
      if (!this.running) throw new Error(`daemon exited (${JSON.stringify(this.bg.exit)}) before logging '${msg}'\n${this.tail()}`);
      if (wallMs() > deadline) throw new Error(`daemon did not log '${msg}' within ${timeoutMs} ms\n${this.tail()}`);
      await sleep(5);
    }
  }

  /**
   * VmRSS / VmHWM of the node process. `ip netns exec` execs the command, so the spawned pid is node
   * itself; checked through /proc/<pid>/cmdline.
   */
  memory(): Memory {
    const pid = this.bg.child.pid!;
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!cmdline.includes('proxyctl.js')) throw new Error(`pid ${pid} is not the daemon: ${cmdline.replaceAll('\0', ' ')}`);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
  }

  /** SIGTERM (the daemon exits cleanly, leaving its rules), SIGKILL after a grace period. */
  stop(): Promise<void> {
    return this.bg.stop(this.graceMs);
  }
}
