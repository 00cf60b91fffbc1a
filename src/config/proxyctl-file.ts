import { z } from 'zod';
import { checkBindAddress, checkCIDR, checkIP, checkNodeName, checkPortRange } from './checks.js';
import { Duration } from './duration.js';
import { describeIssues, ConfigError } from './errors.js';
import { checked, dropUndefined, errorMap } from './fields.js';
import { checkNodePortAddress, normalizeNodePortAddresses } from './node-port-addresses.js';
import { BACKENDS, LOG_LEVELS, POLICY_UNKNOWN_PODS, type DaemonConfig } from './types.js';

export const PROXYCTL_API_VERSION = 'proxyctl.io/v1alpha1';
export const PROXYCTL_KIND = 'ProxyctlConfiguration';

/** Our own settings file: strict, since every field in it was written for proxyctl. Durations are strings. */
export const ProxyctlConfiguration = z.strictObject({
  apiVersion: z.literal(PROXYCTL_API_VERSION),
  kind: z.literal(PROXYCTL_KIND),
  nodeName: checked(checkNodeName).optional(),
  nodeIPs: z.array(checked(checkIP)).optional(),
  clusterCIDRs: z.array(checked(checkCIDR)).optional(),
  nodePortAddresses: z.array(checked(checkNodePortAddress)).optional(),
  masqueradeAll: z.boolean().optional(),
  nodePortRange: checked(checkPortRange).optional(),
  backend: z.enum(BACKENDS).optional(),
  syncPeriod: Duration.optional(),
  minSyncPeriod: Duration.optional(),
  coalesce: Duration.optional(),
  healthzBindAddress: checked(checkBindAddress).optional(),
  metricsBindAddress: checked(checkBindAddress).optional(),
  kubeconfig: z.string().min(1).optional(),
  logLevel: z.enum(LOG_LEVELS).optional(),
  unhealthyAfter: Duration.optional(),
  policyUnknownPods: z.enum(POLICY_UNKNOWN_PODS).optional(),
  conntrackCleanup: z.boolean().optional(),
  reserveNodePortRange: z.boolean().optional(),
});
export type ProxyctlConfiguration = z.infer<typeof ProxyctlConfiguration>;

const FIELDS = Object.keys(ProxyctlConfiguration.shape);

/** Validates a parsed ProxyctlConfiguration document; throws ConfigError naming the file and every bad field. */
export function fromProxyctlConfiguration(doc: unknown, file: string): Partial<DaemonConfig> {
  const parsed = ProxyctlConfiguration.safeParse(doc, { error: errorMap });
  if (!parsed.success) throw new ConfigError(describeIssues(file, parsed.error, FIELDS));
  const { apiVersion: _v, kind: _k, syncPeriod, minSyncPeriod, coalesce, unhealthyAfter, nodePortAddresses, ...same } = parsed.data;
  const out: Partial<DaemonConfig> = {
    ...same,
    nodePortAddresses: nodePortAddresses && normalizeNodePortAddresses(nodePortAddresses),
    syncPeriodSeconds: seconds(syncPeriod),
    minSyncPeriodSeconds: seconds(minSyncPeriod),
    coalesceMs: coalesce,
    unhealthyAfterSeconds: seconds(unhealthyAfter),
  };
  return dropUndefined(out);
}

function seconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : ms / 1000;
}
