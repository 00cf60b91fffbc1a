// The processes of the e2e mini-cluster: the API server in its namespace on the LAN, and a real
// `proxyctl run` per node namespace. Both are tracked in the lab so destroyLab always stops them.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ApiServerProcess } from '../../apiserver/process.js';
import type { KubeObject } from '../../apiserver/store.js';
import { nsRun, REPO_ROOT } from '../../kernel/exec.js';
import type { Lab } from '../../kernel/netns.js';
import { API_IP } from './topology.js';

export type Backend = 'nftables' | 'iptables';

/** Starts the API server inside `ns`, listening on the LAN address, loaded with `objects`. */
export async function startApiServer(lab: Lab, ns: string, kubeconfigPath: string, objects: KubeObject[]): Promise<ApiServerProcess> {
  const api = await ApiServerProcess.spawn({ host: API_IP, prefix: ['ip', 'netns', 'exec', ns], kubeconfigPath });
  lab.processes.add({ ns, command: 'apiserver', output: () => '', stop: () => api.stop().catch(() => {}) });
  await api.load(objects);
  return api;
}

export interface DaemonOptions {
  ns: string;
  nodeName: string;
  kubeconfig: string;
  backend: Backend;
  extraArgs?: string[];
}

/** One node's `proxyctl run`; survives stop/start cycles, keeping every generation's log. */
export class ProxyDaemon {
  private child: ChildProcess | undefined;
  private exit: Promise<number | null> = Promise.resolve(null);
  private log = '';

  constructor(private readonly options: DaemonOptions) {}

  static async start(lab: Lab, options: DaemonOptions): Promise<ProxyDaemon> {
    const daemon = new ProxyDaemon(options);
    lab.processes.add({ ns: options.ns, command: `proxyctl run (${options.nodeName})`, output: () => daemon.log, stop: () => daemon.kill() });
    daemon.start();
    return daemon;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Offset into logs() where the current generation's output begins (after start()). */
  logOffset(): number {
    return this.log.length;
  }

  logs(from = 0): string {
    return this.log.slice(from);
  }

  /** Parsed JSON log lines (from an offset), skipping anything that is not JSON. */
  entries(from = 0): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const line of this.log.slice(from).split('\n')) {
      try {
        if (line.startsWith('{')) out.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // a line still being written
      }
    }
    return out;
  }

  /** Starts a new generation; `extraArgs` replaces the options' extra flags for it. */
  start(extraArgs = this.options.extraArgs ?? []): void {
    if (this.running) throw new Error(`${this.options.nodeName}: daemon already running`);
    const { ns, nodeName, kubeconfig, backend } = this.options;
    const args = ['netns', 'exec', ns, process.execPath, join(REPO_ROOT, 'bin/proxyctl.js'), 'run', '--kubeconfig', kubeconfig, '--node-name', nodeName, '--backend', backend, '--log-level', 'debug', ...extraArgs];
    this.log += `=== ${new Date().toISOString()} start: ip ${args.join(' ')}\n`;
    const child = spawn('ip', args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (c: Buffer) => (this.log += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (this.log += c.toString()));
    this.exit = new Promise((resolve) => child.once('exit', (code, signal) => {
      this.log += `=== ${new Date().toISOString()} exited: code ${code} signal ${signal}\n`;
      resolve(code);
    }));
    this.child = child;
  }

  /** SIGTERM and wait for the exit code; SIGKILL (and throw) if it does not exit within timeoutMs. */
  async stop(timeoutMs = 10_000): Promise<number | null> {
    if (!this.running) return this.child?.exitCode ?? null;
    this.child!.kill('SIGTERM');
    const code = await Promise.race([this.exit, new Promise<'timeout'>((r) => setTimeout(r, timeoutMs, 'timeout'))]);
    if (code !== 'timeout') return code;
    this.child!.kill('SIGKILL');
    await this.exit;
    throw new Error(`${this.options.nodeName}: daemon did not exit within ${timeoutMs} ms of SIGTERM`);
  }

  /** Cleanup path: never throws. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child!.kill('SIGTERM');
    const done = await Promise.race([this.exit.then(() => true), new Promise<boolean>((r) => setTimeout(r, 3000, false))]);
    if (!done) {
      this.child!.kill('SIGKILL');
      await this.exit;
    }
  }

  /** Resolves once a log line (from `from` on) satisfies `match`; rejects if the daemon exits first. */
  async waitForLog(what: string, match: (entry: Record<string, unknown>) => boolean, from = 0, timeoutMs = 20_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.entries(from).find(match);
      if (hit) return hit;
      if (!this.running) throw new Error(`${this.options.nodeName}: daemon exited while waiting for ${what}`);
      if (Date.now() > deadline) throw new Error(`${this.options.nodeName}: no log line for ${what} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** What a node's kernel holds, for failure reports (conntrack cut to its first lines). */
export async function dumpNode(ns: string, backend: Backend): Promise<string> {
  const commands: [string, string[], number][] = [['nft', ['list', 'ruleset'], Infinity], ['conntrack', ['-L'], 60]];
  if (backend === 'iptables') commands.splice(1, 0, ['iptables-save', [], Infinity]);
  const sections: string[] = [];
  for (const [command, args, max] of commands) {
    const result = await nsRun(ns, command, args, { check: false, timeoutMs: 10_000 });
    const lines = result.stdout.split('\n');
    const shown = lines.length > max ? [...lines.slice(0, max), `... (${lines.length - max} more lines)`] : lines;
    sections.push(`--- ${command} ${args.join(' ')} (in ${ns})\n${shown.join('\n')}${result.stderr}`);
  }
  return sections.join('\n');
}
