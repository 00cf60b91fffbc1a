// healthCheckNodePort servers for externalTrafficPolicy: Local services (kube-proxy's
// service health server): 200 while this node has local endpoints and the proxy is healthy.
import { createServer, type Server } from 'node:http';
import { closeServer, errorCode, formatHostPort, listenOn } from './listen.js';
import type { Log } from './logger.js';
import { noopMetrics, type ProxyMetrics } from './metrics.js';

export interface HealthCheckService {
  namespace: string;
  name: string;
  /** The service's healthCheckNodePort. */
  port: number;
  /** Ready endpoints of the service on this node. */
  localEndpoints: number;
}

export interface HealthCheckOptions {
  log: Log;
  metrics?: ProxyMetrics;
  /** The proxy's own health (HealthState.isHealthy); unhealthy answers 503 everywhere. */
  proxyHealthy: () => boolean;
  /** Node addresses to listen on; unset or empty = every address. */
  bindAddresses?: string[];
}

interface Listener {
  service: HealthCheckService;
  servers: Server[];
}

export class HealthCheckServers {
  private readonly listeners = new Map<number, Listener>();
  private readonly failedPorts = new Set<number>();
  private readonly hosts: string[];
  private readonly metrics: ProxyMetrics;
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: HealthCheckOptions) {
    this.hosts = options.bindAddresses?.length ? [...new Set(options.bindAddresses)] : [''];
    this.metrics = options.metrics ?? noopMetrics();
  }

  /** Make the listening set equal `desired`; never rejects (bind failures are logged and counted). */
  sync(desired: HealthCheckService[]): Promise<void> {
    this.queue = this.queue.then(() => this.apply(desired)).catch((error: unknown) => this.options.log.error({ err: error }, 'sync of healthCheckNodePort servers failed'));
    return this.queue;
  }

  /** Ports with an open listener, ascending. */
  ports(): number[] {
    return [...this.listeners.keys()].sort((a, b) => a - b);
  }

  close(): Promise<void> {
    this.queue = this.queue.then(async () => {
      this.closed = true;
      await Promise.all([...this.listeners.values()].flatMap((l) => l.servers.map(closeServer)));
      this.listeners.clear();
    });
    return this.queue;
  }

  private async apply(desired: HealthCheckService[]): Promise<void> {
    if (this.closed) return;
    const wanted = this.byPort(desired);
    for (const [port, listener] of this.listeners) {
      if (wanted.has(port)) continue;
      this.listeners.delete(port);
      await Promise.all(listener.servers.map(closeServer));
      this.options.log.info({ port, service: serviceName(listener.service) }, 'closed healthCheckNodePort');
    }
    for (const port of this.failedPorts) if (!wanted.has(port)) this.failedPorts.delete(port);
    for (const [port, service] of wanted) {
      const existing = this.listeners.get(port);
      if (existing) existing.service = service;
      else await this.open(service);
    }
  }

  private byPort(desired: HealthCheckService[]): Map<number, HealthCheckService> {
    const sorted = [...desired].sort((a, b) => a.port - b.port || compareText(serviceName(a), serviceName(b)));
    const wanted = new Map<number, HealthCheckService>();
    for (const service of sorted) {
      const holder = wanted.get(service.port);
      if (!holder) wanted.set(service.port, service);
      else this.options.log.warn({ port: service.port, service: serviceName(service), holder: serviceName(holder) }, 'healthCheckNodePort already used by another service');
    }
    return wanted;
  }

  private async open(service: HealthCheckService): Promise<void> {
    const { port } = service;
    const listener: Listener = { service, servers: [] };
    try {
      for (const host of this.hosts) {
        const server = createServer((_req, res) => {
          const current = this.listeners.get(port)?.service ?? listener.service;
          const answer = healthCheckAnswer(current, this.options.proxyHealthy());
          res.writeHead(answer.status, answer.headers);
          res.end(answer.body);
        });
        await listenOn(server, { host, port });
        listener.servers.push(server);
      }
    } catch (error) {
      await Promise.all(listener.servers.map(closeServer));
      this.bindFailed(service, error);
      return;
    }
    this.failedPorts.delete(port);
    this.listeners.set(port, listener);
    this.options.log.info({ port, service: serviceName(service), addresses: this.hosts.map((host) => formatHostPort({ host, port })) }, 'opened healthCheckNodePort');
  }

  // Retried on every sync; logged and counted once until it works or is no longer wanted.
  private bindFailed(service: HealthCheckService, error: unknown): void {
    const meta = { port: service.port, service: serviceName(service), code: errorCode(error) };
    if (this.failedPorts.has(service.port)) return this.options.log.debug(meta, 'healthCheckNodePort still cannot be opened');
    this.failedPorts.add(service.port);
    this.metrics.nodePortBindFailed();
    this.options.log.error(meta, 'cannot open healthCheckNodePort');
  }
}

export interface HealthCheckAnswer {
  status: 200 | 503;
  headers: Record<string, string>;
  body: string;
}

/** kube-proxy's response, byte for byte (tab-indented JSON). */
export function healthCheckAnswer(service: HealthCheckService, proxyHealthy: boolean): HealthCheckAnswer {
  const count = service.localEndpoints;
  const body = JSON.stringify({ service: { namespace: service.namespace, name: service.name }, localEndpoints: count, serviceProxyHealthy: proxyHealthy }, null, '\t');
  return {
    status: count > 0 && proxyHealthy ? 200 : 503,
    headers: { 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff', 'X-Load-Balancing-Endpoint-Weight': String(count) },
    body,
  };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function serviceName(service: HealthCheckService): string {
  return `${service.namespace}/${service.name}`;
}
