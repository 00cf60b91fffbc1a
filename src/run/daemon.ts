import type { DaemonConfig } from '../config/index.js';
import { compactHeap } from '../daemon/compact-heap.js';
import { clearStaleUDP } from '../daemon/conntrack.js';
import { HealthState } from '../daemon/health.js';
import { HealthCheckServers } from '../daemon/healthcheck-nodeports.js';
import { startOpsServers } from '../daemon/http.js';
import type { Log } from '../daemon/logger.js';
import { createMetrics } from '../daemon/metrics.js';
import { NodePortHolders } from '../daemon/nodeport-holders.js';
import { reserveNodePortRange } from '../daemon/reserved-ports.js';
import { loadKubeClient } from '../kube/client.js';
import { startWatchers, type WatchedKind } from '../kube/informers.js';
import { buildNodeContext, parseNodePortRange } from '../model/context.js';
import type { Diagnostic } from '../model/diagnostics.js';
import type { NodeContext } from '../model/types.js';
import type { ProxyEngine } from '../sync/engine.js';
import { realExecutor, type Executor } from '../sync/exec.js';
import { IptEngine } from '../sync/ipt-engine.js';
import { SyncLoop } from '../sync/loop.js';
import { NftEngine } from '../sync/nft-engine.js';
import { ClusterStore } from '../sync/store.js';
import { IptPolicyEngine, NftPolicyEngine, type PolicyEngineOptions } from '../sync/policy-engine.js';
import { PolicyStore } from '../sync/policy-store.js';
import { hasSideJobs, serviceFacts, staleUdp, type ServiceFacts } from './service-facts.js';

export interface Daemon {
  /** Resolves after the first successful sync. */
  ready: Promise<void>;
  healthzPort?: number;
  metricsPort?: number;
  /** Stops watching and serving; the rules stay in the kernel so traffic keeps flowing. */
  stop(): Promise<void>;
}

export interface DaemonDeps {
  log: Log;
  exec?: Executor;
  /** Where /proc is (tests point it at a scratch directory). */
  procRoot?: string;
}

/** Wires store, informers, engine, loop and the side jobs. */
export async function startDaemon(config: DaemonConfig, deps: DaemonDeps): Promise<Daemon> {
  const { log } = deps;
  const exec = deps.exec ?? realExecutor();
  const { metrics, registry } = createMetrics();
  const health = new HealthState({ unhealthyAfterSeconds: config.unhealthyAfterSeconds });
  const warn = (d: Diagnostic) => log.warn({ ...d }, 'invalid input');
  const store = new ClusterStore(config.nodeName, warn);
  const engine: ProxyEngine = config.backend === 'nftables' ? new NftEngine(exec, warn) : new IptEngine(exec, ['ipv4', 'ipv6'], warn);
  const ops = await startOpsServers({
    healthzBindAddress: config.healthzBindAddress, metricsBindAddress: config.metricsBindAddress,
    health, registry, log, metrics, proxyMode: config.backend,
  });
  const holders = new NodePortHolders({ log, metrics, addresses: config.nodePortAddresses.length ? undefined : config.nodeIPs });
  const healthChecks = new HealthCheckServers({ log, metrics, proxyHealthy: () => health.isHealthy() });
  const facts = new Map<string, ServiceFacts>();
  if (config.reserveNodePortRange) await reserveNodePortRange(parseNodePortRange(config.nodePortRange), { log, procRoot: deps.procRoot });

  const context = (): NodeContext => buildNodeContext({
    nodeName: config.nodeName, nodeIPs: config.nodeIPs, clusterCIDRs: config.clusterCIDRs,
    nodePortAddresses: config.nodePortAddresses, masqueradeAll: config.masqueradeAll, nodePortRange: config.nodePortRange,
  }, { services: [], slices: [], nodes: store.node ? [store.node] : [] }).ctx;

  const policyOptions: PolicyEngineOptions = {
    unknownPods: config.policyUnknownPods,
    podCIDRs: () => store.node?.podCIDRs ?? context().clusterCIDRs,
    onDiagnostic: warn,
    onFullCompile: (reason) => log.debug({ reason }, 'policy change needs a full compile'),
  };

  /** Watch events: services and endpoints to the proxy store, pods/namespaces/policies to the policy store. */
  function route(kind: WatchedKind, object: Record<string, unknown>, deleted: boolean): void {
    if (kind === 'Pod' || kind === 'Namespace' || kind === 'NetworkPolicy') {
      if (deleted) policyStore.remove(object);
      else policyStore.upsert(object);
      policyLoop.notify();
      return;
    }
    if (deleted) store.remove(object);
    else store.upsert(object);
    if (kind === 'Node') {
      policyStore.touch('Node');
      policyLoop.notify();
    }
    health.queued();
    loop.notify();
  }

  const afterSync = async (ctx: NodeContext, dirty: Set<string>, full: boolean) => {
    const keys = full ? new Set([...facts.keys(), ...store.allServiceKeys()]) : dirty;
    const stale = [];
    for (const key of keys) {
      const before = facts.get(key);
      const after = serviceFacts(store, key, ctx);
      // Most services (TCP ClusterIP only) give the side jobs nothing: not kept (10k objects at 10k).
      if (after && hasSideJobs(after)) facts.set(key, after);
      else facts.delete(key);
      stale.push(...staleUdp(before, after));
    }
    await holders.sync([...facts.values()].flatMap((f) => f.nodePorts));
    await healthChecks.sync([...facts.values()].flatMap((f) => (f.healthCheck ? [{ namespace: f.namespace, name: f.name, ...f.healthCheck }] : [])));
    if (config.conntrackCleanup && stale.length) await clearStaleUDP(stale, { exec, log, metrics });
  };

  const loop = new SyncLoop(store, engine, {
    coalesceMs: config.coalesceMs,
    minSyncPeriodMs: config.minSyncPeriodSeconds * 1000,
    syncPeriodMs: config.syncPeriodSeconds * 1000,
    verifyPeriodMs: Math.min(10_000, config.syncPeriodSeconds * 1000),
    backoffMinMs: 1000,
    backoffMaxMs: 30_000,
  }, {
    context,
    onSynced(outcome, seconds, triggerTimes, dirty) {
      const full = outcome.mode !== 'partial';
      metrics.observeSync(full ? 'full' : 'partial', seconds);
      metrics.syncSucceeded(Date.now() / 1000);
      for (const c of outcome.counts) metrics.setRuleCounts(c);
      health.syncSucceeded();
      const now = Date.now();
      for (const t of triggerTimes.values()) metrics.observeProgrammingLatency(Math.max(0, (now - t) / 1000));
      log.info({ mode: outcome.mode, seconds: Number(seconds.toFixed(4)), services: dirty.size, elements: outcome.elements, chains: outcome.chains }, 'synced');
      // Not `outcome` in the closure: it holds the whole transaction text, which the collection should free.
      const rebuilt = outcome.mode === 'replace';
      void afterSync(context(), dirty, full)
        .catch((err) => log.error({ err: String(err) }, 'side jobs after sync failed'))
        .finally(() => {
          if (rebuilt) compactHeap();
        });
    },
    onFailed(err, attempt) {
      metrics.syncFailed();
      health.syncFailed();
      log.error({ attempt, err: String(err) }, 'sync failed; previous rules stay in place, retrying with a full sync');
    },
    onRepair() {
      log.warn({}, 'our rules were changed by someone else; restoring them');
    },
  });

  // NetworkPolicy: its own store, engine and loop, so policy churn never delays service syncs.
  const policyStore = new PolicyStore();
  const policyEngine = config.backend === 'nftables'
    ? new NftPolicyEngine(exec, policyOptions)
    : new IptPolicyEngine(exec, policyOptions);
  const policyLoop = new SyncLoop(policyStore, policyEngine, {
    coalesceMs: config.coalesceMs, minSyncPeriodMs: config.minSyncPeriodSeconds * 1000, syncPeriodMs: config.syncPeriodSeconds * 1000,
    verifyPeriodMs: Math.min(10_000, config.syncPeriodSeconds * 1000), backoffMinMs: 1000, backoffMaxMs: 30_000,
  }, {
    context,
    onSynced(outcome, seconds, _t, dirty) {
      log.info({ mode: outcome.mode, seconds: Number(seconds.toFixed(4)), objects: dirty.size, elements: outcome.elements, chains: outcome.chains }, 'policy synced');
    },
    onFailed(err, attempt) {
      metrics.syncFailed();
      health.syncFailed();
      log.error({ attempt, err: String(err) }, 'policy sync failed; previous rules stay in place, retrying with a full sync');
    },
    onRepair() {
      log.warn({}, 'our policy rules were changed by someone else; restoring them');
    },
  });

  const kinds: WatchedKind[] = ['Service', 'EndpointSlice', 'Node', 'Pod', 'Namespace', 'NetworkPolicy'];
  const kc = await loadKubeConfig(config.kubeconfig);
  const watchers = await startWatchers(kc, config.nodeName, kinds, {
    upsert(kind, object) {
      route(kind, object, false);
    },
    remove(kind, object) {
      route(kind, object, true);
    },
    error(kind, err, restartInMs) {
      log.warn({ kind, err: String(err), restartInMs }, 'watch failed; restarting it (rules stay in place)');
    },
  }, { convertedKinds: ['Service', 'EndpointSlice', 'Node'] });
  const ready = watchers.synced.then(() => {
    log.info({ services: store.services.size }, 'initial list done; syncing');
    loop.start();
    policyLoop.start();
    return Promise.all([loop.firstSync, policyLoop.firstSync]).then(() => undefined);
  });
  return {
    ready,
    healthzPort: ops.healthzPort,
    metricsPort: ops.metricsPort,
    async stop() {
      await watchers.stop();
      await loop.stop();
      await policyLoop.stop();
      await holders.close();
      await healthChecks.close();
      await ops.close();
    },
  };
}

async function loadKubeConfig(path: string | undefined) {
  const k8s = await loadKubeClient();
  const kc = new k8s.KubeConfig();
  if (path) kc.loadFromFile(path);
  else kc.loadFromCluster();
  return kc;
}
