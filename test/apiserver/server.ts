// TestApiServer: an in-process, plain-HTTP Kubernetes API server speaking the real list/watch
// protocol, with fault injection for informer tests, e2e suites and benchmarks.

import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type HandlerContext, type ServerStats, createHandler } from './http.js';
import { kubeconfigYaml, writeKubeconfig } from './kubeconfig.js';
import { Pager } from './pager.js';
import { DEFAULT_RESOURCES, ResourceRegistry, type ResourceType } from './resources.js';
import { type KubeObject, ObjectStore, type ObjectRef, StoreError, clone } from './store.js';
import type { ActiveWatch } from './watch.js';

export interface TestApiServerOptions {
  /** Address to listen on; default 127.0.0.1. */
  host?: string;
  /** Default 0: an ephemeral port, kept across refuseConnections(true/false). */
  port?: number;
  /** Bearer token clients must send; default "proxyctl-test-token". */
  token?: string;
  /** Accept requests without the token (default false: 401 like a real server). */
  anonymous?: boolean;
  /** Events kept for watch resumes; resuming from before them gets 410 Expired. Default 1000. */
  historyLimit?: number;
  /** Period of BOOKMARK events on watches that ask for them. Default 1000 ms. */
  bookmarkIntervalMs?: number;
  /** Ends every watch cleanly after this long, like the real server's request timeout. */
  maxWatchMs?: number;
  /** Kinds served in addition to the defaults (services, pods, nodes, namespaces, endpoints, endpointslices, networkpolicies). */
  extraResources?: ResourceType[];
}

export const DEFAULT_TOKEN = 'proxyctl-test-token';

export class TestApiServer {
  readonly stats: ServerStats = { requests: 0, lists: 0, watches: 0, expiredWatches: 0, recent: [] };
  readonly token: string;
  private readonly store: ObjectStore;
  private readonly registry: ResourceRegistry;
  private readonly pager = new Pager();
  private readonly watches = new Set<ActiveWatch>();
  private readonly settings: HandlerContext['settings'];
  private readonly server: Server;
  private readonly host: string;
  private port: number;
  private listening = false;

  private constructor(options: TestApiServerOptions) {
    const registry = new ResourceRegistry([...DEFAULT_RESOURCES, ...(options.extraResources ?? [])]);
    this.registry = registry;
    this.store = new ObjectStore(registry, { historyLimit: options.historyLimit ?? 1000 });
    this.token = options.token ?? DEFAULT_TOKEN;
    this.host = options.host ?? '127.0.0.1';
    this.port = options.port ?? 0;
    this.settings = {
      token: options.anonymous === true ? undefined : this.token,
      latencyMs: 0,
      failWith: undefined,
      bookmarkIntervalMs: options.bookmarkIntervalMs ?? 1000,
      maxWatchMs: options.maxWatchMs,
    };
    const context = { store: this.store, registry, pager: this.pager, stats: this.stats, watches: this.watches, settings: this.settings };
    this.server = createServer(createHandler(context));
  }

  static async start(options: TestApiServerOptions = {}): Promise<TestApiServer> {
    const server = new TestApiServer(options);
    await server.listen();
    return server;
  }

  /** e.g. "http://127.0.0.1:41234" (IPv6 hosts are bracketed). */
  get url(): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `http://${host}:${this.port}`;
  }

  /** The global resourceVersion: the version of the latest write. */
  get resourceVersion(): string {
    return String(this.store.resourceVersion);
  }

  /** Watch streams currently open. */
  get openWatches(): number {
    return this.watches.size;
  }

  // Objects. Writes take objects with apiVersion + kind and return the stored copy.

  create<T extends KubeObject>(obj: T): T {
    return clone(this.store.create(obj)) as T;
  }

  /** A metadata.resourceVersion in `obj` is a precondition (409 Conflict when stale). */
  update<T extends KubeObject>(obj: T): T {
    return clone(this.store.update(obj)) as T;
  }

  /** Create or replace. */
  apply<T extends KubeObject>(obj: T): T {
    return clone(this.store.apply(obj)) as T;
  }

  /** Applies every object, expanding kind: List (e.g. gen_cluster.py output). */
  load(objects: KubeObject | KubeObject[]): void {
    for (const obj of Array.isArray(objects) ? objects : [objects]) {
      if (obj.kind === 'List' && Array.isArray(obj.items)) this.load(obj.items as KubeObject[]);
      else this.store.apply(obj);
    }
  }

  delete(ref: ObjectRef): KubeObject {
    return clone(this.store.delete(ref));
  }

  get<T extends KubeObject>(ref: ObjectRef): T | undefined {
    const obj = this.store.get(this.typeOf(ref), ref.namespace, ref.name);
    return obj === undefined ? undefined : (clone(obj) as T);
  }

  /** Objects of one kind, sorted by namespace/name; all namespaces when `namespace` is omitted. */
  list<T extends KubeObject>(apiVersion: string, kind: string, namespace?: string): T[] {
    return this.store.list(this.typeOf({ apiVersion, kind }), namespace).map((obj) => clone(obj) as T);
  }

  // Connection details.

  kubeconfig(): string {
    return kubeconfigYaml({ server: this.url, token: this.token });
  }

  async writeKubeconfig(path: string): Promise<void> {
    await writeKubeconfig(path, { server: this.url, token: this.token });
  }

  // Faults.

  /** Destroys every open watch socket mid-stream; returns how many. */
  dropWatches(): number {
    const count = this.watches.size;
    for (const watch of [...this.watches]) watch.destroy();
    return count;
  }

  /** Ends every open watch cleanly (as a server-side watch timeout does); returns how many. */
  endWatches(): number {
    const count = this.watches.size;
    for (const watch of [...this.watches]) watch.end();
    return count;
  }

  /** On: stop listening and cut every connection (clients get ECONNREFUSED). Off: listen again on the same port. */
  async refuseConnections(on: boolean): Promise<void> {
    if (on && this.listening) await this.close();
    if (!on && !this.listening) await this.listen();
  }

  /** Delay before every response (list, get, watch headers, writes). */
  setLatency(ms: number): void {
    this.settings.latencyMs = ms;
  }

  /** Answer every request with this HTTP status (e.g. 503) until called with undefined. */
  failRequests(code: number | undefined): void {
    this.settings.failWith = code;
  }

  /** The next watch resuming from any version seen so far gets 410 Expired; continue tokens expire too. */
  expireHistory(): void {
    this.store.expireHistory();
    this.pager.clear();
  }

  async stop(): Promise<void> {
    if (this.listening) await this.close();
  }

  private typeOf(ref: { apiVersion: string; kind: string }): ResourceType {
    const type = this.registry.forObject(ref.apiVersion, ref.kind);
    if (type === undefined) throw new StoreError(400, 'BadRequest', `no resource type for ${ref.apiVersion} ${ref.kind}`);
    return type;
  }

  private async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, this.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
    this.listening = true;
  }

  private async close(): Promise<void> {
    this.listening = false;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }
}
