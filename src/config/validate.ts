import { checkBindAddress, checkCIDR, checkIP, checkNodeName, checkPortRange, parseHostPort, type Check } from './checks.js';
import { ConfigError } from './errors.js';
import { PRIMARY, PRIMARY_NEEDS_NODE_IPS } from './node-port-addresses.js';
import { BACKENDS, LOG_LEVELS, POLICY_UNKNOWN_PODS, type DaemonConfig } from './types.js';

/** Where a resolved value came from, so a problem can say which input to fix. */
export type Origins = Partial<Record<keyof DaemonConfig, string>>;

/** Checks a resolved config as a whole; throws one ConfigError listing every problem (not just the first). */
export function validateConfig(config: DaemonConfig, origins: Origins = {}): void {
  const problems = configProblems(config).map(({ field, path, message }) => `${path}${origins[field] ? ` (from ${origins[field]})` : ''}: ${message}`);
  if (problems.length > 0) throw new ConfigError(problems);
}

export interface Problem {
  field: keyof DaemonConfig;
  /** The field, with a list index where one element is wrong: "nodeIPs[1]". */
  path: string;
  message: string;
}

/** Every problem; empty when the config is usable. */
export function configProblems(c: DaemonConfig): Problem[] {
  const out: Problem[] = [];
  const add = (field: keyof DaemonConfig, message: string | undefined, path: string = field) => {
    if (message) out.push({ field, path, message });
  };
  const addList = (field: 'nodeIPs' | 'clusterCIDRs' | 'nodePortAddresses', check: Check) => {
    for (const [i, v] of c[field].entries()) add(field, check(v), `${field}[${i}]`);
  };
  add('nodeName', c.nodeName ? checkNodeName(c.nodeName) : 'required: set NODE_NAME, --node-name or nodeName in the config file');
  addList('nodeIPs', checkIP);
  addList('clusterCIDRs', checkCIDR);
  addList('nodePortAddresses', (v) => (v === PRIMARY ? PRIMARY_NEEDS_NODE_IPS : checkCIDR(v)));
  add('nodePortRange', checkPortRange(c.nodePortRange));
  add('backend', oneOf(c.backend, BACKENDS));
  add('logLevel', oneOf(c.logLevel, LOG_LEVELS));
  add('policyUnknownPods', oneOf(c.policyUnknownPods, POLICY_UNKNOWN_PODS));
  const periodOK = c.syncPeriodSeconds > 0;
  add('syncPeriodSeconds', periodOK ? undefined : 'must be greater than 0');
  // Compared with the sync period only when that is valid, so one mistake is reported once.
  add('minSyncPeriodSeconds', nonNegative(c.minSyncPeriodSeconds)
    ?? (periodOK && c.minSyncPeriodSeconds > c.syncPeriodSeconds ? `must not exceed syncPeriod (${c.syncPeriodSeconds}s)` : undefined));
  add('coalesceMs', nonNegative(c.coalesceMs)
    ?? (periodOK && c.coalesceMs >= c.syncPeriodSeconds * 1000 ? `must be shorter than syncPeriod (${c.syncPeriodSeconds}s)` : undefined));
  add('unhealthyAfterSeconds', c.unhealthyAfterSeconds > 0 ? undefined : 'must be greater than 0');
  add('healthzBindAddress', checkBindAddress(c.healthzBindAddress));
  add('metricsBindAddress', checkBindAddress(c.metricsBindAddress) ?? samePort(c.healthzBindAddress, c.metricsBindAddress));
  if (c.kubeconfig !== undefined) add('kubeconfig', c.kubeconfig ? undefined : 'must not be empty');
  return out;
}

function oneOf(value: string, allowed: readonly string[]): string | undefined {
  return allowed.includes(value) ? undefined : `expected one of ${allowed.join(', ')}; got ${JSON.stringify(value)}`;
}

function nonNegative(n: number): string | undefined {
  return Number.isFinite(n) && n >= 0 ? undefined : 'must be 0 or more';
}

/** Both servers on one port only work on distinct specific addresses. */
function samePort(healthz: string, metrics: string): string | undefined {
  const h = parseHostPort(healthz);
  const m = parseHostPort(metrics);
  if (!h || !m || h.port !== m.port) return undefined;
  const wildcard = (a: string) => a === '0.0.0.0' || a === '::';
  return h.host === m.host || wildcard(h.host) || wildcard(m.host) ? `port ${m.port} is already healthzBindAddress's` : undefined;
}
