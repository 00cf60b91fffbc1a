// Prometheus metrics with kube-proxy's names under our own prefix, in a registry of our own.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, exponentialBuckets, linearBuckets } from 'prom-client';
import type { IPFamily } from '../model/ip.js';

export type SyncKind = 'full' | 'partial';

export interface RuleCounts {
  family: IPFamily;
  chains?: number;
  elements?: number;
  /** iptables backend: rules loaded. */
  rules?: number;
}

export interface ProxyMetrics {
  observeSync(kind: SyncKind, seconds: number): void;
  observeProgrammingLatency(seconds: number): void;
  setRuleCounts(counts: RuleCounts): void;
  syncFailed(): void;
  syncSucceeded(nowSeconds: number): void;
  nodePortBindFailed(): void;
  conntrackEntriesDeleted(n: number): void;
  healthzServed(endpoint: 'healthz' | 'livez', code: number): void;
}

export const METRIC_PREFIX = 'proxyctl_';

/** 1 ms doubling to ~33 s, then 60 s (kube-proxy stops at 16 s; big clusters need more). */
export const SYNC_BUCKETS: readonly number[] = [...exponentialBuckets(0.001, 2, 16), 60];

/**
 * kube-proxy's buckets (0.25 s, 0.5 s, 1..59 s, 60..115 s by 5, 2..5 min by 30 s), below them 5–100 ms:
 * our single changes land in tens of milliseconds, which kube-proxy's first bucket would hide.
 */
export const PROGRAMMING_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.075, 0.1, 0.15,
  ...linearBuckets(0.25, 0.25, 2),
  ...linearBuckets(1, 1, 59),
  ...linearBuckets(60, 5, 12),
  ...linearBuckets(120, 30, 7),
];

export const TRIGGER_TIME_ANNOTATION = 'endpoints.kubernetes.io/last-change-trigger-time';

export function createMetrics(): { metrics: ProxyMetrics; registry: Registry } {
  const registry = new Registry();
  // process_resident_memory_bytes, CPU, heap, GC and event-loop lag, as kube-proxy's Go client exports process_*.
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const name = (n: string): string => `${METRIC_PREFIX}${n}`;

  const syncDuration = new Histogram({ name: name('sync_proxy_rules_duration_seconds'), help: 'Time to sync proxy rules, by full or partial transaction', labelNames: ['kind'] as const, buckets: [...SYNC_BUCKETS], registers });
  const programming = new Histogram({ name: name('network_programming_duration_seconds'), help: 'From an EndpointSlice change (last-change-trigger-time) to the rules being applied', buckets: [...PROGRAMMING_BUCKETS], registers });
  const lastSync = new Gauge({ name: name('sync_proxy_rules_last_timestamp_seconds'), help: 'Time of the last successful sync of proxy rules (unix seconds)', registers });
  const failures = new Counter({ name: name('sync_proxy_rules_failures_total'), help: 'Syncs of proxy rules that failed', registers });
  const nftElements = new Gauge({ name: name('sync_proxy_rules_nft_elements'), help: 'nftables set and map elements loaded after the last sync', labelNames: ['family'] as const, registers });
  const nftChains = new Gauge({ name: name('sync_proxy_rules_nft_chains'), help: 'nftables chains loaded after the last sync', labelNames: ['family'] as const, registers });
  const iptablesRules = new Gauge({ name: name('sync_proxy_rules_iptables_rules'), help: 'iptables rules loaded after the last sync', labelNames: ['family'] as const, registers });
  const bindFailures = new Counter({ name: name('nodeport_bind_failures_total'), help: 'NodePort or healthCheckNodePort sockets that could not be opened', registers });
  const conntrack = new Counter({ name: name('conntrack_cleanup_entries_total'), help: 'Stale UDP conntrack entries deleted', registers });
  const healthz = new Counter({ name: name('proxy_healthz_total'), help: 'Health endpoint responses by endpoint and status code', labelNames: ['endpoint', 'code'] as const, registers });

  const metrics: ProxyMetrics = {
    observeSync: (kind, seconds) => syncDuration.observe({ kind }, seconds),
    observeProgrammingLatency: (seconds) => programming.observe(seconds),
    setRuleCounts({ family, chains, elements, rules }) {
      if (chains !== undefined) nftChains.set({ family }, chains);
      if (elements !== undefined) nftElements.set({ family }, elements);
      if (rules !== undefined) iptablesRules.set({ family }, rules);
    },
    syncFailed: () => failures.inc(),
    syncSucceeded: (nowSeconds) => lastSync.set(nowSeconds),
    nodePortBindFailed: () => bindFailures.inc(),
    conntrackEntriesDeleted(n) {
      if (n > 0) conntrack.inc(n);
    },
    healthzServed: (endpoint, code) => healthz.inc({ endpoint, code: String(code) }),
  };
  return { metrics, registry };
}

/** Does nothing; for tests and for code paths that run without metrics. */
export function noopMetrics(): ProxyMetrics {
  const nothing = (): void => undefined;
  return {
    observeSync: nothing,
    observeProgrammingLatency: nothing,
    setRuleCounts: nothing,
    syncFailed: nothing,
    syncSucceeded: nothing,
    nodePortBindFailed: nothing,
    conntrackEntriesDeleted: nothing,
    healthzServed: nothing,
  };
}

/**
 * Seconds from an EndpointSlice's trigger-time annotation to nowMs, or undefined when the
 * annotation is missing or unparsable, or predates startedAtMs (changes made before this
 * process started would report the restart, not the network). Negative (clock skew) -> 0.
 */
export function programmingLatencySeconds(triggerTime: string | undefined, nowMs: number, startedAtMs = -Infinity): number | undefined {
  if (!triggerTime) return undefined;
  const at = Date.parse(triggerTime);
  if (Number.isNaN(at) || at < startedAtMs) return undefined;
  return Math.max(0, nowMs - at) / 1000;
}
