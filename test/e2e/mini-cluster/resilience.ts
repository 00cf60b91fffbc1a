// Scenarios 8–10: the daemon's environment misbehaves — its rules are flushed, the API server goes
// away, the daemon itself is stopped and restarted. They run last in a suite.
import { expect } from 'chai';
import { nsRun } from '../../kernel/exec.js';
import type { E2ECluster } from './cluster.js';
import { isSynced } from './cluster.js';
import { programs, serviceRules } from './kernel-state.js';
import { AFTER_RESTART, LATE, serviceObject, SERVICES, sliceObject } from './objects.js';
import { REPAIR_BOUND_MS, CLIENT_PODS, log, podNs, withStreams, logOffsets } from './observe.js';
import { answeredBy, peerOf, summarize } from './stream.js';
import { syncWindows } from './sync-log.js';
import { NODE_IP, NODES, PODS } from './topology.js';
import { distinct, replies, sleep, until } from './traffic.js';

// 8.
export async function repairAfterFlush(cluster: E2ECluster): Promise<void> {
  const web = SERVICES.web;
  const nodeA = cluster.topology.nodes['node-a'];
  const before = await serviceRules(nodeA, cluster.backend);
  const offset = cluster.daemons['node-a'].logOffset();
  let t0 = 0;
  let restored = 0;
  const specs = [
    { ns: podNs(cluster, 'client-a'), options: { proto: 'tcp' as const, host: web.clusterIP, port: 80, intervalMs: 50, timeoutMs: 500, durationMs: 40_000 } },
    { ns: cluster.topology.client, options: { proto: 'tcp' as const, host: NODE_IP['node-a'], port: web.ports[0]!.nodePort!, intervalMs: 50, timeoutMs: 500, durationMs: 40_000 } },
  ];
  const { attempts } = await withStreams(cluster, specs, async (streams) => {
    for (const s of streams) await s.waitForAttempts(5);
    t0 = Date.now();
    await nsRun(nodeA, 'nft', ['flush', 'ruleset']);
    // The repair check runs every 10 s: the rules come back within that (plus a sync).
    restored = await until('the service rules restored', async () => ((await serviceRules(nodeA, cluster.backend)) === before ? Date.now() - t0 : undefined), REPAIR_BOUND_MS + 5000);
    for (const s of streams) await s.waitForAttempts(10, t0 + restored);
  });
  // Attempts fail between the flush and the repair (unless the check happened to run at once).
  const recovered = attempts.map((list) => {
    const after = list.filter((a) => a.t >= t0);
    const lastFailure = after.map((a) => a.kind !== 'reply').lastIndexOf(true);
    return lastFailure < 0 ? 0 : after[lastFailure + 1]!.t - t0;
  });
  const failed = attempts.map((list) => list.filter((a) => a.t >= t0 && a.kind !== 'reply').length);
  const repaired = cluster.daemons['node-a'].entries(offset).find((e) => /restoring/.test(String(e.msg)));
  log(`nft flush ruleset in node-a: repair logged at +${repaired ? Date.parse(String(repaired.time)) - t0 : '?'} ms, rules back by +${restored} ms; traffic back at +${recovered[0]} ms (ClusterIP from client-a, ${failed[0]} failed attempts), +${recovered[1]} ms (NodePort from the client, ${failed[1]} failed attempts)`);
  expect(repaired, 'the daemon logs the repair').to.not.equal(undefined);
  expect(restored, 'time until the service rules were restored').to.be.below(REPAIR_BOUND_MS);
  attempts.forEach((list, i) => {
    const summary = `${specs[i]!.options.host}: ${summarize(list, t0)}`;
    expect(recovered[i], summary).to.be.below(REPAIR_BOUND_MS);
    expect(list.filter((a) => a.t >= t0 + restored && a.kind !== 'reply'), `attempts after the rules were restored; ${summary}`).to.be.empty;
  });
}

// 9.
export async function apiServerOutage(cluster: E2ECluster): Promise<void> {
  const web = SERVICES.web;
  const nodes = NODES.map((node) => cluster.topology.nodes[node]);
  const before = await Promise.all(nodes.map((ns) => serviceRules(ns, cluster.backend)));
  const offsets = logOffsets(cluster);
  let outage = 0;
  let catchUp = 0;
  const { attempts, streams } = await withStreams(cluster, [
    { ns: podNs(cluster, 'client-b'), options: { proto: 'tcp', host: web.clusterIP, port: 80, intervalMs: 50, durationMs: 60_000 } },
    { ns: cluster.topology.client, options: { proto: 'udp', host: NODE_IP['node-a'], port: web.ports[1]!.nodePort!, intervalMs: 50, durationMs: 60_000 } },
  ], async (s) => {
    for (const stream of s) await stream.waitForAttempts(5);
    const down = Date.now();
    await cluster.api.refuseConnections(true);
    // Both daemons notice (their watches break) ...
    for (const node of NODES) await cluster.daemons[node].waitForLog('watch failure', (e) => e.msg === 'watch failed; restarting it (rules stay in place)', offsets[node], 10_000);
    // ... and a change happens meanwhile: the daemons cannot see it yet.
    await cluster.api.apply(serviceObject(LATE));
    await cluster.api.apply(sliceObject(LATE));
    await sleep(2000);
    const during = await Promise.all(nodes.map((ns) => serviceRules(ns, cluster.backend)));
    during.forEach((rules, i) => expect(rules, `${NODES[i]}: rules during the outage`).to.equal(before[i]));
    const up = Date.now();
    outage = up - down;
    await cluster.api.refuseConnections(false);
    await until('both nodes programming the service created during the outage', async () => {
      const done = await Promise.all(nodes.map((ns) => programs(ns, cluster.backend, LATE.clusterIP)));
      return done.every(Boolean) ? true : undefined;
    }, 40_000);
    catchUp = Date.now() - up;
    await sleep(300);
  });
  log(`API server refused connections for ${outage} ms; the daemons caught up ${catchUp} ms after it came back`);
  attempts.forEach((list, i) => expect(list.filter((a) => a.kind !== 'reply'), `${streams[i]!.description}: ${summarize(list)}`).to.be.empty);
  attempts.forEach((list, i) => expect(list.length, streams[i]!.description).to.be.at.least(20));
  for (const pod of CLIENT_PODS) {
    const got = await replies(podNs(cluster, pod), { proto: 'tcp', host: LATE.clusterIP, port: 80 }, 16);
    expect(distinct(got.map((r) => r.name)), `endpoints of ${LATE.clusterIP} answering ${pod}`).to.deep.equal([...LATE.endpoints].sort());
  }
}

const FLOW_PORT = 40080;

/** The conntrack entry (with its id) of the UDP flow from FLOW_PORT, as node-a sees it. */
async function flowEntry(ns: string): Promise<string> {
  const r = await nsRun(ns, 'conntrack', ['-L', '-p', 'udp', '--orig-port-src', String(FLOW_PORT), '-o', 'id'], { check: false });
  return r.stdout.split('\n').filter((l) => l.includes(`sport=${FLOW_PORT}`)).map((l) => l.replace(/^udp\s+\d+\s+\d+\s+/, '')).join('\n');
}

// 10.
export async function gracefulStopAndRestart(cluster: E2ECluster): Promise<void> {
  const web = SERVICES.web;
  const nodeA = cluster.topology.nodes['node-a'];
  const daemon = cluster.daemons['node-a'];
  const before = await serviceRules(nodeA, cluster.backend);
  const timings: Record<string, number> = {};
  let restartOffset = 0;
  let flowBefore = '';
  let flowAfter = '';
  const { attempts, streams } = await withStreams(cluster, [
    { ns: podNs(cluster, 'client-a'), options: { proto: 'tcp', host: web.clusterIP, port: 80, intervalMs: 20, durationMs: 60_000 } },
    { ns: podNs(cluster, 'client-a'), options: { proto: 'udp', host: web.clusterIP, port: 80, intervalMs: 20, durationMs: 60_000 } },
    { ns: cluster.topology.client, options: { proto: 'tcp', host: NODE_IP['node-a'], port: web.ports[0]!.nodePort!, intervalMs: 20, durationMs: 60_000 } },
    // One UDP flow (one source port, one conntrack entry) kept alive across the restart.
    { ns: podNs(cluster, 'client-a'), options: { proto: 'udp', host: web.clusterIP, port: 80, intervalMs: 20, durationMs: 60_000, reuseSocket: true, sourcePort: FLOW_PORT } },
  ], async (s) => {
    for (const stream of s) await stream.waitForAttempts(5);
    flowBefore = await flowEntry(nodeA);
    const t0 = Date.now();
    const code = await daemon.stop();
    timings.stop = Date.now() - t0;
    expect(code, 'exit code after SIGTERM').to.equal(0);
    expect(await serviceRules(nodeA, cluster.backend), 'rules after the daemon stopped').to.equal(before);
    await sleep(1000);
    restartOffset = daemon.logOffset();
    const started = Date.now();
    daemon.start();
    const synced = await daemon.waitForLog('first sync after restart', isSynced, restartOffset, 30_000);
    timings.firstSync = Date.parse(String(synced.time)) - started;
    timings.down = Date.now() - t0;
    expect(synced.mode, 'the first sync after a restart').to.be.oneOf(['replace', 'refresh']);
    // It follows changes again.
    const change = Date.now();
    await cluster.api.apply(serviceObject(AFTER_RESTART));
    await cluster.api.apply(sliceObject(AFTER_RESTART));
    await until('the restarted daemon programming a new service', async () => ((await programs(nodeA, cluster.backend, AFTER_RESTART.clusterIP)) ? true : undefined), 10_000);
    timings.change = Date.now() - change;
    await sleep(300);
    flowAfter = await flowEntry(nodeA);
  });
  log(`SIGTERM → exit in ${timings.stop} ms; restarted daemon synced ${timings.firstSync} ms after start (${timings.down} ms without a daemon or before its first sync); a new service programmed ${timings.change} ms after creation; probes during the restart: ${attempts.map((a) => a.length).join(' / ')}`);
  const syncs = syncWindows(daemon.entries(restartOffset)).map((w) => `${new Date(w.start).toISOString()}–${new Date(w.end).toISOString().slice(11)} ${w.mode} ${w.elements} elements`);
  const listed = daemon.entries(restartOffset).find((e) => e.msg === 'initial list done; syncing')?.time;
  const cleanups = daemon.entries(restartOffset).filter((e) => e.msg === 'deleted stale UDP conntrack entries').map((e) => `${e.time}: ${e.deleted} entries`);
  const context = `restarted daemon: initial list done ${listed}, syncs ${syncs.join('; ')}, UDP conntrack cleanups ${cleanups.join('; ') || 'none'}`;
  attempts.forEach((list, i) => {
    const failures = list.filter((a) => a.kind !== 'reply').map((a) => `${new Date(a.t).toISOString()} ${a.kind}${a.code ? ` ${a.code}` : ''}`);
    expect(failures, `${streams[i]!.description} failed during the restart; ${context}; all attempts: ${summarize(list)}`).to.be.empty;
    expect(list.length, streams[i]!.description).to.be.at.least(50);
  });
  // Converging without flushing also means leaving healthy flows' conntrack entries alone.
  // Same tuple and id = the same entry; status flags like [ASSURED] may legitimately change meanwhile.
  const identity = (entry: string | undefined) => entry?.replace(/\s*\[[A-Z]+\]/g, '');
  expect(identity(flowAfter), `the UDP flow from port ${FLOW_PORT} keeps its conntrack entry across the restart (before: ${flowBefore}); ${context}`).to.equal(identity(flowBefore));
  expect(distinct(attempts[3]!.map((a) => answeredBy(a)!)), `endpoints answering the UDP flow from port ${FLOW_PORT}: ${summarize(attempts[3]!)}`).to.have.lengthOf(1);
  expect(distinct(attempts[0]!.map((a) => answeredBy(a)!))).to.deep.equal(['pod-a1', 'pod-b1']);
  expect(distinct(attempts[0]!.map((a) => peerOf(a)!))).to.deep.equal([PODS['client-a'].ip]);
  const got = await replies(podNs(cluster, 'client-a'), { proto: 'tcp', host: AFTER_RESTART.clusterIP, port: 80 }, 4);
  expect(distinct(got.map((r) => r.name))).to.deep.equal([...AFTER_RESTART.endpoints]);
}
