// The ops servers: /healthz + /livez on the healthz address, /metrics on the metrics address.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import type { HealthResponse, HealthState } from './health.js';
import { closeServer, formatHostPort, listenOn, parseHostPort, type HostPort } from './listen.js';
import type { Log } from './logger.js';
import { noopMetrics, type ProxyMetrics } from './metrics.js';

export interface OpsServerOptions {
  /** e.g. "0.0.0.0:10256"; '' or undefined disables the server. */
  healthzBindAddress?: string;
  /** e.g. "127.0.0.1:10249"; '' or undefined disables the server. */
  metricsBindAddress?: string;
  health: HealthState;
  registry: Registry;
  log: Log;
  metrics?: ProxyMetrics;
  /** Served at /proxyMode on the metrics server, as kube-proxy does ("nftables", "iptables"). */
  proxyMode?: string;
}

export interface OpsServers {
  /** Bound ports (useful with port 0); undefined when that server is disabled. */
  healthzPort?: number;
  metricsPort?: number;
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export async function startOpsServers(options: OpsServerOptions): Promise<OpsServers> {
  const { health, registry, log } = options;
  const metrics = options.metrics ?? noopMetrics();
  const sendHealth = (res: ServerResponse, endpoint: 'healthz' | 'livez', answer: HealthResponse): void => {
    metrics.healthzServed(endpoint, answer.status);
    send(res, answer.status, 'application/json', answer.body);
  };

  const healthRoutes: Record<string, Handler> = {
    '/healthz': (_req, res) => sendHealth(res, 'healthz', health.healthz()),
    '/livez': (_req, res) => sendHealth(res, 'livez', health.livez()),
  };
  const metricsRoutes: Record<string, Handler> = {
    '/metrics': async (_req, res) => send(res, 200, registry.contentType, await registry.metrics()),
    // kube-proxy's metrics server answers /healthz with a plain liveness ping.
    '/healthz': (_req, res) => send(res, 200, 'text/plain; charset=utf-8', 'ok'),
    ...(options.proxyMode ? { '/proxyMode': (_req: IncomingMessage, res: ServerResponse) => send(res, 200, 'text/plain; charset=utf-8', options.proxyMode ?? '') } : {}),
  };

  const opened: Server[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(opened.splice(0).map(closeServer));
  };
  const result: OpsServers = { close };
  try {
    if (options.healthzBindAddress) {
      result.healthzPort = await start('healthz', parseHostPort(options.healthzBindAddress), healthRoutes, opened, log);
    }
    if (options.metricsBindAddress) {
      result.metricsPort = await start('metrics', parseHostPort(options.metricsBindAddress), metricsRoutes, opened, log);
    }
  } catch (error) {
    await close();
    throw error;
  }
  return result;
}

async function start(name: string, address: HostPort, routes: Record<string, Handler>, opened: Server[], log: Log): Promise<number> {
  const server = createServer((req, res) => void route(routes, req, res, log));
  try {
    const port = await listenOn(server, address);
    opened.push(server);
    log.info({ server: name, address: formatHostPort({ ...address, port }) }, 'ops server listening');
    return port;
  } catch (error) {
    throw new Error(`cannot listen for ${name} on ${formatHostPort(address)}: ${(error as Error).message}`, { cause: error });
  }
}

async function route(routes: Record<string, Handler>, req: IncomingMessage, res: ServerResponse, log: Log): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  const handler = routes[path];
  if (!handler) return send(res, 404, 'text/plain; charset=utf-8', `404 page not found\n`);
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
  try {
    await handler(req, res);
  } catch (error) {
    log.error({ path, err: error }, 'ops handler failed');
    if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error\n');
  }
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'Content-Type': contentType, 'X-Content-Type-Options': 'nosniff' });
  res.end(body);
}
