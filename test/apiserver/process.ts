// The parent side of cli.ts: spawns a TestApiServer process (optionally under a command
// prefix such as `ip netns exec NS`) and drives it with the same methods as TestApiServer.

import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Command, Ready, Reply } from './control.js';
import { writeKubeconfig } from './kubeconfig.js';
import type { ServerStats } from './http.js';
import type { KubeObject, ObjectRef } from './store.js';
import { within } from './wait.js';

export interface SpawnOptions {
  host?: string;
  port?: number;
  historyLimit?: number;
  bookmarkIntervalMs?: number;
  maxWatchMs?: number;
  /** A kubectl List (JSON or YAML) loaded before the server reports ready. */
  loadFile?: string;
  /** Written by the child, so addresses are as seen from inside its namespace. */
  kubeconfigPath?: string;
  /** Runs node under this command, e.g. ['ip', 'netns', 'exec', 'apiserver']. */
  prefix?: string[];
  /** Bound on startup and on each command; default 10 s. */
  timeoutMs?: number;
}

export interface ProcessStats extends ServerStats {
  openWatches: number;
  resourceVersion: string;
}

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

export class ApiServerProcess {
  private nextId = 1;
  private readonly pending = new Map<number, (reply: Reply) => void>();
  private stderr = '';
  /** Set once the child prints its Ready line. */
  url = '';
  token = '';

  private constructor(
    private readonly child: ChildProcess,
    private readonly timeoutMs: number,
  ) {
    // Writes after the child died fail with EPIPE; the exit handler below already reports that.
    child.stdin?.on('error', () => {});
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    // A dead child answers every outstanding command with its stderr.
    child.once('exit', (code) => {
      for (const [id, resolve] of this.pending) resolve({ id, ok: false, error: `apiserver process exited (${code}): ${this.stderr}` });
    });
  }

  static async spawn(options: SpawnOptions = {}): Promise<ApiServerProcess> {
    const args = ['--import', TSX, CLI];
    const flag = (name: string, value: string | number | undefined): void => {
      if (value !== undefined) args.push(`--${name}`, String(value));
    };
    flag('host', options.host);
    flag('port', options.port);
    flag('history', options.historyLimit);
    flag('bookmark-ms', options.bookmarkIntervalMs);
    flag('max-watch-ms', options.maxWatchMs);
    flag('load', options.loadFile);
    flag('kubeconfig', options.kubeconfigPath);
    const [command, ...rest] = [...(options.prefix ?? []), process.execPath, ...args];
    const child = spawn(command, rest, { stdio: ['pipe', 'pipe', 'pipe'] });
    const proc = new ApiServerProcess(child, options.timeoutMs ?? 10_000);
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const firstLine = new Promise<string>((resolve, reject) => {
      lines.once('line', resolve);
      child.once('exit', (code) => reject(new Error(`apiserver process exited (${code}): ${proc.stderr}`)));
      child.once('error', reject);
    });
    try {
      const ready = JSON.parse(await within('apiserver process start', proc.timeoutMs, firstLine)) as Ready;
      proc.url = ready.url;
      proc.token = ready.token;
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
    lines.on('line', (line) => proc.onReply(JSON.parse(line) as Reply));
    return proc;
  }

  create<T extends KubeObject>(object: T): Promise<T> {
    return this.send({ op: 'create', object }) as Promise<T>;
  }

  update<T extends KubeObject>(object: T): Promise<T> {
    return this.send({ op: 'update', object }) as Promise<T>;
  }

  apply<T extends KubeObject>(object: T): Promise<T> {
    return this.send({ op: 'apply', object }) as Promise<T>;
  }

  /** Applies every object (kind: List expanded); resolves to the resourceVersion after loading. */
  load(objects: KubeObject | KubeObject[]): Promise<string> {
    return this.send({ op: 'load', objects }) as Promise<string>;
  }

  delete(ref: ObjectRef): Promise<KubeObject> {
    return this.send({ op: 'delete', ref }) as Promise<KubeObject>;
  }

  get<T extends KubeObject>(ref: ObjectRef): Promise<T | null> {
    return this.send({ op: 'get', ref }) as Promise<T | null>;
  }

  stats(): Promise<ProcessStats> {
    return this.send({ op: 'stats' }) as Promise<ProcessStats>;
  }

  dropWatches(): Promise<number> {
    return this.send({ op: 'dropWatches' }) as Promise<number>;
  }

  endWatches(): Promise<number> {
    return this.send({ op: 'endWatches' }) as Promise<number>;
  }

  async expireHistory(): Promise<void> {
    await this.send({ op: 'expireHistory' });
  }

  async refuseConnections(on: boolean): Promise<void> {
    await this.send({ op: 'refuseConnections', on });
  }

  async setLatency(ms: number): Promise<void> {
    await this.send({ op: 'setLatency', ms });
  }

  async failRequests(code: number | undefined): Promise<void> {
    await this.send({ op: 'failRequests', code: code ?? null });
  }

  /** A kubeconfig for clients that reach the server at `url` (same namespace as the server). */
  async writeKubeconfig(path: string): Promise<void> {
    await writeKubeconfig(path, { server: this.url, token: this.token });
  }

  /** Closes stdin (the child stops its server and exits); SIGKILL if it does not exit in time. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin?.end();
    try {
      await within('apiserver process exit', this.timeoutMs, exited);
    } catch {
      this.child.kill('SIGKILL');
      await exited;
    }
  }

  private async send(command: Command): Promise<unknown> {
    const id = this.nextId++;
    const reply = new Promise<Reply>((resolve) => this.pending.set(id, resolve));
    this.child.stdin?.write(`${JSON.stringify({ id, command })}\n`);
    try {
      const answer = await within(`apiserver command ${command.op}`, this.timeoutMs, reply);
      if (!answer.ok) throw new Error(answer.error);
      return answer.result;
    } finally {
      this.pending.delete(id);
    }
  }

  private onReply(reply: Reply): void {
    this.pending.get(reply.id)?.(reply);
  }
}
