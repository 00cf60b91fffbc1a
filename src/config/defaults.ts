import type { Backend, DaemonConfig } from './types.js';

export const DEFAULT_BACKEND: Backend = 'nftables';

/** kube-proxy's defaults: iptables mode resyncs every 30s, nftables mode every hour. */
export const DEFAULT_SYNC_PERIOD_SECONDS: Readonly<Record<Backend, number>> = { nftables: 3600, iptables: 30 };

/** Every default except nodeName (no sensible default: NODE_NAME or a flag must supply it). */
export function defaultConfig(backend: Backend = DEFAULT_BACKEND): Omit<DaemonConfig, 'nodeName'> {
  return {
    nodeIPs: [],
    clusterCIDRs: [],
    nodePortAddresses: [],
    masqueradeAll: false,
    nodePortRange: '30000-32767',
    backend,
    // An unknown backend (unchecked input) is reported by validateConfig; it must not also break the period.
    syncPeriodSeconds: DEFAULT_SYNC_PERIOD_SECONDS[backend] ?? DEFAULT_SYNC_PERIOD_SECONDS[DEFAULT_BACKEND],
    minSyncPeriodSeconds: 0,
    // Leading edge: an isolated change syncs at once; events arriving during a sync form the next batch.
    coalesceMs: 0,
    healthzBindAddress: '0.0.0.0:10256',
    metricsBindAddress: '127.0.0.1:10249',
    logLevel: 'info',
    unhealthyAfterSeconds: 60,
    policyUnknownPods: 'allow',
    conntrackCleanup: true,
    reserveNodePortRange: true,
  };
}
