/** The daemon's settings after defaults, the config file and flags have been merged. */
export interface DaemonConfig {
  nodeName: string;
  /** Empty: the Node object's InternalIPs. */
  nodeIPs: string[];
  /** Empty: the Node object's spec.podCIDRs. */
  clusterCIDRs: string[];
  /** CIDRs only once resolved (keywords expanded). Empty: every node IP. */
  nodePortAddresses: string[];
  masqueradeAll: boolean;
  /** "A-B", inclusive. */
  nodePortRange: string;
  backend: Backend;
  /** Full resync period; default 3600 for nftables, 30 for iptables (kube-proxy's defaults). */
  syncPeriodSeconds: number;
  /** Default 0: a sync costs what changed, not the cluster's size, so there is nothing to rate-limit. */
  minSyncPeriodSeconds: number;
  /** Wait this long after the first event of a burst before syncing. */
  coalesceMs: number;
  /** "IP:port" or "[IPv6]:port". */
  healthzBindAddress: string;
  metricsBindAddress: string;
  /** Unset: in-cluster service account. */
  kubeconfig?: string;
  logLevel: LogLevel;
  /** /healthz turns 503 when syncs have kept failing this long. */
  unhealthyAfterSeconds: number;
  /** Verdict for traffic from/to pods the policy engine does not know yet. */
  policyUnknownPods: PolicyUnknownPods;
  conntrackCleanup: boolean;
  /** Add nodePortRange to net.ipv4.ip_local_reserved_ports so no local socket takes a NodePort as its source port. */
  reserveNodePortRange: boolean;
}

export const BACKENDS = ['nftables', 'iptables'] as const;
export type Backend = (typeof BACKENDS)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const POLICY_UNKNOWN_PODS = ['allow', 'deny'] as const;
export type PolicyUnknownPods = (typeof POLICY_UNKNOWN_PODS)[number];

/** What a settings file contributes; `warnings` name the file and what was ignored or assumed. */
export interface LoadedConfig {
  config: Partial<DaemonConfig>;
  warnings: string[];
}
