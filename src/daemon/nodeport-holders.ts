// Holds a socket on every NodePort so no other process can take it. Traffic that reaches a
// holder (rules not in place yet, or no rule for it) is dropped at once: TCP gets a reset,
// UDP datagrams are read and discarded.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIP, type Server, type Socket } from 'node:net';
import type { Protocol } from '../model/types.js';
import { errorCode, formatHostPort } from './listen.js';
import type { Log } from './logger.js';
import { noopMetrics, type ProxyMetrics } from './metrics.js';

export interface NodePortSpec {
  protocol: Protocol;
  port: number;
}

export interface HeldPort {
  protocol: 'TCP' | 'UDP';
  port: number;
  /** '' = every address. */
  address: string;
}

export interface NodePortHolderOptions {
  log: Log;
  metrics?: ProxyMetrics;
  /** Node IPs accepting NodePort traffic; unset or empty = every address. */
  addresses?: string[];
}

interface Holder {
  spec: HeldPort;
  close(): Promise<void>;
}

export class NodePortHolders {
  private readonly holders = new Map<string, Holder>();
  private readonly failed = new Set<string>();
  private readonly skippedSctp = new Set<number>();
  private readonly hosts: string[];
  private readonly metrics: ProxyMetrics;
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: NodePortHolderOptions) {
    this.hosts = options.addresses?.length ? [...new Set(options.addresses)].sort() : [''];
    this.metrics = options.metrics ?? noopMetrics();
  }

  /** Open what is new, close what is gone; never rejects (bind failures are logged and counted). */
  sync(desired: NodePortSpec[]): Promise<void> {
    this.queue = this.queue.then(() => this.apply(desired)).catch((error: unknown) => this.options.log.error({ err: error }, 'sync of nodePort holders failed'));
    return this.queue;
  }

  /** Sockets currently held, by protocol, port, address. */
  held(): HeldPort[] {
    return [...this.holders.values()].map((h) => h.spec).sort((a, b) => compareText(a.protocol, b.protocol) || a.port - b.port || compareText(a.address, b.address));
  }

  close(): Promise<void> {
    this.queue = this.queue.then(async () => {
      this.closed = true;
      await Promise.all([...this.holders.values()].map((h) => h.close()));
      this.holders.clear();
    });
    return this.queue;
  }

  private async apply(desired: NodePortSpec[]): Promise<void> {
    if (this.closed) return;
    const wanted = new Map<string, HeldPort>();
    const sctp = new Set<number>();
    for (const { protocol, port } of desired) {
      if (protocol === 'SCTP') sctp.add(port);
      else for (const address of this.hosts) wanted.set(holderKey({ protocol, port, address }), { protocol, port, address });
    }
    this.noteSctp(sctp);
    for (const [key, holder] of this.holders) {
      if (wanted.has(key)) continue;
      this.holders.delete(key);
      await holder.close();
      this.options.log.debug({ ...holder.spec }, 'released nodePort');
    }
    for (const key of this.failed) if (!wanted.has(key)) this.failed.delete(key);
    for (const key of [...wanted.keys()].sort()) {
      const spec = wanted.get(key) as HeldPort;
      if (!this.holders.has(key)) await this.open(key, spec);
    }
  }

  private async open(key: string, spec: HeldPort): Promise<void> {
    try {
      const close = spec.protocol === 'TCP' ? await holdTcp(spec, this.options.log) : await holdUdp(spec, this.options.log);
      this.holders.set(key, { spec, close });
      this.failed.delete(key);
      this.options.log.debug({ ...spec }, 'holding nodePort');
    } catch (error) {
      const meta = { ...spec, code: errorCode(error) };
      if (this.failed.has(key)) return this.options.log.debug(meta, 'nodePort still cannot be held');
      this.failed.add(key);
      this.metrics.nodePortBindFailed();
      this.options.log.warn(meta, 'cannot hold nodePort: another process has it');
    }
  }

  // The kernel here has no SCTP sockets; the rules still match SCTP.
  private noteSctp(ports: Set<number>): void {
    for (const port of ports) {
      if (!this.skippedSctp.has(port)) this.options.log.debug({ protocol: 'SCTP', port }, 'not holding SCTP nodePort (no SCTP sockets)');
    }
    this.skippedSctp.clear();
    for (const port of ports) this.skippedSctp.add(port);
  }
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function holderKey({ protocol, port, address }: HeldPort): string {
  return `${protocol} ${formatHostPort({ host: address, port })}`;
}

/** A listener that resets every connection it gets: nothing half-open, no CLOSE_WAIT. */
function holdTcp(spec: HeldPort, log: Log): Promise<() => Promise<void>> {
  const server: Server = createServer({ pauseOnConnect: true }, (socket: Socket) => {
    socket.on('error', () => undefined);
    socket.resetAndDestroy();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: spec.port, exclusive: true, ...(spec.address ? { host: spec.address } : {}) }, () => {
      server.off('error', reject);
      server.on('error', (error) => log.error({ ...spec, code: errorCode(error) }, 'nodePort holder failed'));
      resolve(() => new Promise<void>((done) => server.close(() => done())));
    });
  });
}

/** A bound UDP socket whose datagrams are read and dropped. */
async function holdUdp(spec: HeldPort, log: Log): Promise<() => Promise<void>> {
  if (spec.address) return bindUdp(isIP(spec.address) === 6 ? 'udp6' : 'udp4', spec.address, spec, log);
  try {
    return await bindUdp('udp6', '::', spec, log);
  } catch (error) {
    if (errorCode(error) !== 'EAFNOSUPPORT') throw error;
    return bindUdp('udp4', '0.0.0.0', spec, log);
  }
}

function bindUdp(type: 'udp4' | 'udp6', address: string, spec: HeldPort, log: Log): Promise<() => Promise<void>> {
  const socket: UdpSocket = createSocket({ type, ipv6Only: false });
  socket.on('message', () => undefined);
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      socket.close();
      reject(error);
    };
    socket.once('error', onError);
    socket.bind({ port: spec.port, address, exclusive: true }, () => {
      socket.off('error', onError);
      socket.on('error', (error) => log.error({ ...spec, code: errorCode(error) }, 'nodePort holder failed'));
      resolve(() => new Promise<void>((done) => socket.close(() => done())));
    });
  });
}
