// Small helpers shared by the daemon's listeners.
import type { Server } from 'node:http';
import { isIP } from 'node:net';

export interface HostPort {
  /** '' means every address. */
  host: string;
  port: number;
}

/** Parses "host:port", "[v6]:port" or ":port"; port 0 asks for an ephemeral port. */
export function parseHostPort(text: string): HostPort {
  const m = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d{1,5})$/.exec(text.trim());
  const host = m ? (m[1] ?? m[2] ?? '') : '';
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new Error(`invalid address ${JSON.stringify(text)} (expected host:port, [ipv6]:port or :port)`);
  if (m[1] !== undefined && isIP(host) !== 6) throw new Error(`invalid address ${JSON.stringify(text)}: ${host} in brackets is not an IPv6 address`);
  if (m[2] && isIP(host) !== 4) throw new Error(`invalid address ${JSON.stringify(text)}: ${host} is not an IPv4 address (write IPv6 as [addr]:port)`);
  return { host, port };
}

export function formatHostPort({ host, port }: HostPort): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Listens and resolves with the bound port, or rejects with the listen error (e.g. EADDRINUSE). */
export function listenOn(server: Server, { host, port }: HostPort): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen({ port, ...(host ? { host } : {}) }, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** Stops listening and drops open (keep-alive) connections. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException)?.code ?? String(error);
}
