// Shared helpers for the daemon tests: a recording log, free loopback ports, bounded waits.
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import type { Log } from '../../src/daemon/logger.js';

export interface LogLine {
  level: 'error' | 'warn' | 'info' | 'debug';
  msg: string;
  meta: Record<string, unknown>;
}

export function recordingLog(): { log: Log; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: LogLine['level']) => (meta: object, msg: string) => void lines.push({ level, msg, meta: { ...meta } });
  return { log: { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') }, lines };
}

/** A loopback port free for both TCP and UDP right now (the kernel picks it). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen({ host, port: 0 }, () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    if (await udpFree(host, port)) return port;
  }
  throw new Error('no free port found in 20 attempts');
}

/** n distinct free ports. */
export async function freePorts(n: number, host = '127.0.0.1'): Promise<number[]> {
  const ports = new Set<number>();
  for (let i = 0; i < n * 10 && ports.size < n; i++) ports.add(await freePort(host));
  if (ports.size < n) throw new Error(`found only ${ports.size} of ${n} free ports`);
  return [...ports];
}

function udpFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind({ address: host, port }, () => socket.close(() => resolve(true)));
  });
}

/** TCP listen on a port, as "another process" holding it would. */
export function occupyTcp(host: string, port: number): Promise<() => Promise<void>> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.destroy());
    server.once('error', reject);
    server.listen({ host, port }, () => resolve(() => new Promise<void>((done) => server.close(() => done()))));
  });
}

/** Resolves the TCP/UDP bind error code for host:port, or 'free'. */
export async function tryBind(protocol: 'TCP' | 'UDP', host: string, port: number): Promise<string> {
  if (protocol === 'UDP') {
    return new Promise((resolve) => {
      const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
      socket.once('error', (error: NodeJS.ErrnoException) => {
        socket.close();
        resolve(error.code ?? 'error');
      });
      socket.bind({ address: host, port }, () => socket.close(() => resolve('free')));
    });
  }
  try {
    const release = await occupyTcp(host, port);
    await release();
    return 'free';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? 'error';
  }
}

/** Polls until check() is true; bounded by attempts and time. */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000, intervalMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < Math.ceil(timeoutMs / intervalMs) + 1; i++) {
    if (await check()) return;
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** fetch with a time bound. */
export function get(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
}

let v6: Promise<boolean> | undefined;

/** Whether ::1 can be bound here (IPv6 may be disabled). */
export function ipv6LoopbackAvailable(): Promise<boolean> {
  v6 ??= new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: '::1', port: 0 }, () => server.close(() => resolve(true)));
  });
  return v6;
}
