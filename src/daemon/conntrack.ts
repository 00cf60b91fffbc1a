// Stale UDP conntrack cleanup. UDP has no connection end, so after a backend goes away (or a
// service gets its first backend) the kernel keeps steering packets by old conntrack entries:
// to the dead pod, or to the reject. We delete exactly those entries.
import { isIP } from 'node:net';
import type { Executor } from '../sync/exec.js';
import type { Log } from './logger.js';
import { noopMetrics, type ProxyMetrics } from './metrics.js';

export interface StaleUDPService {
  /** The port's service IPs: clusterIPs, externalIPs, load-balancer ingress IPs (any family). */
  ips: string[];
  port: number;
  nodePort?: number;
  /** The port had no endpoints and now has some: drop entries that cached the reject. */
  gainedFirstEndpoint?: boolean;
  /** Endpoint IPs no longer serving this port: drop entries DNATed to them. */
  removedEndpointIPs?: string[];
}

export interface ConntrackOptions {
  exec: Executor;
  log: Log;
  metrics?: ProxyMetrics;
}

export interface CleanupResult {
  deleted: number;
  failed: number;
}

/** conntrack argument lists for the changes, deduplicated and sorted (input order does not matter). */
export function conntrackDeleteArgs(changes: StaleUDPService[]): string[][] {
  const out = new Map<string, string[]>();
  const add = (family: 4 | 6, filter: string[]): void => {
    const args = ['-D', ...(family === 6 ? ['-f', 'ipv6'] : []), '-p', 'udp', ...filter];
    out.set(args.join(' '), args);
  };
  for (const change of changes) {
    const ips = change.ips.filter((ip) => isIP(ip) !== 0);
    const families = new Set(ips.map(isIP) as (4 | 6)[]);
    const port = String(change.port);
    const nodePort = change.nodePort ? String(change.nodePort) : undefined;
    if (change.gainedFirstEndpoint) {
      for (const ip of ips) add(isIP(ip) as 4 | 6, ['--orig-dst', ip, '--orig-port-dst', port]);
      if (nodePort) for (const family of families) add(family, ['--orig-port-dst', nodePort]);
    }
    for (const endpoint of change.removedEndpointIPs ?? []) {
      const family = isIP(endpoint);
      if (family === 0) continue;
      for (const ip of ips.filter((ip) => isIP(ip) === family)) add(family as 4 | 6, ['--orig-dst', ip, '--orig-port-dst', port, '--dst-nat', endpoint]);
      if (nodePort) add(family as 4 | 6, ['--orig-port-dst', nodePort, '--dst-nat', endpoint]);
    }
  }
  return [...out.keys()].sort().map((key) => out.get(key) as string[]);
}

/** Runs the deletions one by one; a failed command is logged and the rest still run. */
export async function clearStaleUDP(changes: StaleUDPService[], options: ConntrackOptions): Promise<CleanupResult> {
  const result: CleanupResult = { deleted: 0, failed: 0 };
  for (const args of conntrackDeleteArgs(changes)) {
    const { exitCode, stdout, stderr } = await options.exec.run('conntrack', args);
    const count = deletedCount(`${stderr}\n${stdout}`);
    // conntrack exits 1 when nothing matched; that is success for us.
    if (exitCode === 0 || (exitCode === 1 && count === 0)) {
      result.deleted += count ?? 0;
      continue;
    }
    result.failed += 1;
    options.log.warn({ args: args.join(' '), exitCode, stderr: stderr.trim() }, 'conntrack cleanup failed');
  }
  (options.metrics ?? noopMetrics()).conntrackEntriesDeleted(result.deleted);
  if (result.deleted > 0) options.log.debug({ deleted: result.deleted }, 'deleted stale UDP conntrack entries');
  return result;
}

/** "N flow entries have been deleted." -> N */
export function deletedCount(output: string): number | undefined {
  const m = /(\d+) flow entries have been deleted/.exec(output);
  return m ? Number(m[1]) : undefined;
}
