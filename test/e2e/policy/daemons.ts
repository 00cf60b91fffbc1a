// The processes on top of the topology: the API server on the LAN and one `proxyctl run` per
// node namespace. Both are registered with the lab, so destroyLab stops them on any failure.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { nsRun, REPO_ROOT } from '../../kernel/exec.js';
import type { Lab } from '../../kernel/netns.js';
import type { Backend } from '../mini-cluster/daemons.js';

// The API server is started as in the services e2e (same LAN address in both topologies).
export { startApiServer, type Backend } from '../mini-cluster/daemons.js';

export class NodeDaemon {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private log = '';

  constructor(readonly ns: string, readonly nodeName: string, private readonly kubeconfig: string) {}

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  logs(): string {
    return this.log;
  }

  tail(lines: number): string {
    return this.log.split('\n').slice(-lines).join('\n');
  }

  /** Starts `proxyctl run`; resolves after its first service sync and first policy sync. */
  async start(lab: Lab, backend: Backend, timeoutMs = 30_000): Promise<void> {
    if (this.running) throw new Error(`${this.nodeName}: daemon already running`);
    const args = ['netns', 'exec', this.ns, process.execPath, join(REPO_ROOT, 'bin/proxyctl.js'), 'run', '--kubeconfig', this.kubeconfig,
      '--node-name', this.nodeName, '--backend', backend, '--log-level', 'debug', '--healthz-bind-address', '127.0.0.1:10256'];
    const from = this.log.length;
    this.log += `=== ${new Date().toISOString()} start (${backend}): ip ${args.join(' ')}\n`;
    const child = spawn('ip', args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (c: Buffer) => (this.log += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (this.log += c.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => {
      this.log += `=== ${new Date().toISOString()} exited: code ${code} signal ${signal}\n`;
      resolve();
    }));
    this.child = child;
    lab.processes.add({ ns: this.ns, command: `proxyctl run ${this.nodeName}`, output: () => this.log, stop: () => this.stop() });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = this.log.slice(from);
      if (/"msg":"synced"/.test(text) && /"msg":"policy synced"/.test(text)) return;
      if (!this.running) throw new Error(`${this.nodeName}: daemon exited before its first sync\n${this.log.slice(from)}`);
      if (Date.now() > deadline) throw new Error(`${this.nodeName}: no first sync within ${timeoutMs} ms\n${this.log.slice(from)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** SIGTERM, SIGKILL after 5 s. Never throws. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.child!.kill('SIGTERM');
    const done = await Promise.race([this.exited.then(() => true), new Promise<boolean>((r) => setTimeout(r, 5000, false))]);
    if (!done) {
      this.child!.kill('SIGKILL');
      await this.exited;
    }
  }

  /** Errors and warnings the daemon logged since `from` (a logs() length). */
  problems(from = 0): string[] {
    return this.log.slice(from).split('\n').filter((l) => /"level":"(warn|error|fatal)"/.test(l));
  }
}

/** `proxyctl cleanup` inside a node namespace. */
export async function cleanupNode(ns: string): Promise<string> {
  const r = await nsRun(ns, process.execPath, [join(REPO_ROOT, 'bin/proxyctl.js'), 'cleanup'], { check: false, timeoutMs: 30_000 });
  return `${r.stdout}${r.stderr}`;
}

/** Removes our nftables tables that `proxyctl cleanup` may leave, inside a node namespace we own. */
export async function scrubNode(ns: string): Promise<void> {
  for (const family of ['ip', 'ip6']) {
    for (const table of ['proxyctl', 'proxyctl-policy']) await nsRun(ns, 'nft', ['delete', 'table', family, table], { check: false });
  }
}
