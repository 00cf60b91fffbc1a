import { readFileSync } from 'node:fs';
import type { Agent } from './agent.js';
import { startBackground, type Background } from './background.js';
import { sleep, wallMs } from './clock.js';

/**
 * `nft monitor elements` inside a namespace: the kernel announces each committed element change, so
 * its arrival time measures programming latency without polling (and without taking CPU from the
 * daemon). Keeps the last lines with their arrival time.
 */
export class NftMonitor {
  private readonly seen: { line: string; at: number }[] = [];

  private constructor(private readonly bg: Background) {
    bg.onLine((line, at) => {
      this.seen.push({ line, at });
      if (this.seen.length > 20_000) this.seen.splice(0, 10_000);
    });
  }

  /**
   * Starts the monitor and waits until it demonstrably listens (an element it sees us add). It first
   * lists the whole ruleset (1-2 s of CPU at 10,000 services); a change meanwhile interrupts that dump
   * and nft starts it again, so we probe only once it went idle.
   */
  static async start(ns: string, probe: { add: () => Promise<void>; text: string }): Promise<NftMonitor> {
    const m = new NftMonitor(startBackground(`nft monitor ${ns}`, ['ip', 'netns', 'exec', ns, 'nft', 'monitor', 'elements']));
    const deadline = wallMs() + 120_000;
    await m.idle(deadline);
    while (wallMs() < deadline && !m.bg.exit) {
      await probe.add();
      if (await m.waitFor(probe.text, 0, 2000)) return m;
    }
    await m.stop();
    throw new Error(`nft monitor did not start: ${m.bg.stderr()}`);
  }

  /** Until the process used no CPU for 300 ms (`ip netns exec` execs nft, so the pid is nft's). */
  private async idle(deadline: number): Promise<void> {
    const ticks = () => {
      try {
        const f = readFileSync(`/proc/${this.bg.child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
        return Number(f[11]) + Number(f[12]);
      } catch {
        return -1;
      }
    };
    let last = ticks();
    while (wallMs() < deadline && !this.bg.exit) {
      await sleep(300);
      const now = ticks();
      if (now === last) return;
      last = now;
    }
  }

  /** Started and proven through a scratch table of ours (created and deleted here), away from the daemon's tables. */
  static async inNamespace(ns: string, agent: Agent): Promise<NftMonitor> {
    const must = async (argv: string[]) => {
      const r = await agent.run(argv);
      if (r.code !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
    };
    await must(['nft', 'add table ip pxbench-probe { set s { type ipv4_addr; }; }']);
    let k = 0;
    const monitor = await NftMonitor.start(ns, { text: 'pxbench-probe', add: () => must(['nft', `add element ip pxbench-probe s { 127.1.0.${++k % 250} }`]) });
    await must(['nft', 'delete table ip pxbench-probe']);
    return monitor;
  }

  /** Arrival time of the first line after `since` (wallMs) containing `text` (matching it); undefined on timeout. */
  async waitFor(text: string | RegExp, since: number, timeoutMs: number): Promise<number | undefined> {
    const deadline = wallMs() + timeoutMs;
    const match = (line: string) => (typeof text === 'string' ? line.includes(text) : text.test(line));
    for (;;) {
      const hit = this.seen.find((s) => s.at >= since && match(s.line));
      if (hit) return hit.at;
      if (wallMs() > deadline || this.bg.exit) return undefined;
      await sleep(2);
    }
  }

  stop(): Promise<void> {
    return this.bg.stop(1000);
  }
}
