// The e2e mini-cluster: real `proxyctl run` daemons on node-a and node-b (namespaces, see topology.ts)
// against the test API server, proven by real traffic — once per backend. nftables adds the repair after
// `nft flush ruleset`; iptables adds a resync period shorter than a sync (its syncs are slow enough to
// make that real).
import type { Backend } from './daemons.js';
import { installReplyCounters } from '../../kernel/reply-counters.js';
import { describeKernel } from '../../kernel/kernel-gate.js';
import { report, startCluster, stopCluster, type E2ECluster } from './cluster.js';
import * as changes from './changes.js';
import { CHANGE_BOUND_MS, REPAIR_BOUND_MS } from './observe.js';
import * as reachability from './reachability.js';
import * as resilience from './resilience.js';
import * as syncLog from './sync-log.js';

for (const backend of ['nftables', 'iptables'] as Backend[]) {
  describeKernel(`e2e mini-cluster, ${backend}: proxyctl run on two nodes @kernel`, function () {
    this.timeout(60_000);
    let cluster: E2ECluster;

    before(async function () {
      this.timeout(90_000);
      cluster = await startCluster(backend);
      await installReplyCounters(cluster.topology.client);
    });

    after(async function () {
      await stopCluster(cluster);
    });

    afterEach(async function () {
      if (this.currentTest?.state === 'failed' && cluster) console.log(`\n[diagnostics] ${this.currentTest.fullTitle()}\n${await report(cluster)}`);
    });

    it('ClusterIP from pods on both nodes reaches endpoints on both nodes (TCP, UDP)', () => reachability.clusterIpFromPodsOnBothNodes(cluster));
    it('NodePort from the external client reaches endpoints on both nodes through either node (TCP, UDP)', () => reachability.nodePortFromExternalClient(cluster));
    it('sessionAffinity ClientIP: 20 connections from one client land on one endpoint (TCP, UDP, clients on both nodes)', () => reachability.sessionAffinity(cluster));
    it('externalTrafficPolicy Local: a NodePort reaches only the node\'s own endpoint, which sees the client\'s address', () => reachability.externalTrafficPolicyLocal(cluster));
    it(`endpoint removed from the EndpointSlice: traffic stops reaching it within ${CHANGE_BOUND_MS} ms`, () => changes.endpointRemoval(cluster));
    it(`service deleted: its NodePorts are refused (TCP RST, ICMP port unreachable) within ${CHANGE_BOUND_MS} ms`, () => changes.serviceDeletion(cluster));
    it('UDP stale conntrack: a flow from one source port moves to the remaining endpoint when its endpoint is removed', () => changes.udpStaleConntrack(cluster));
    it('API server outage: rules stay and traffic flows; a change made meanwhile is applied once it is back', () => resilience.apiServerOutage(cluster));
    it('SIGTERM leaves the rules (traffic flows); a restarted daemon converges without a gap in traffic', () => resilience.gracefulStopAndRestart(cluster));
    if (backend === 'nftables') {
      it(`nft flush ruleset on node-a: the daemon restores the rules and traffic flows again within ${REPAIR_BOUND_MS} ms`, () => resilience.repairAfterFlush(cluster));
    }
    it('every daemon start applied rules only after its initial list, one sync at a time (from the daemon logs)', () => syncLog.syncDiscipline(cluster));
    if (backend === 'iptables') {
      it('a resync period shorter than a sync (--sync-period 300ms): syncs never overlap, traffic flows', () => syncLog.shortSyncPeriod(cluster));
    }
  });
}
