// Scenarios 5–7: the cluster changes under traffic — an endpoint goes, a service goes, a UDP flow
// loses its endpoint. Each changes only the service it owns (objects.ts) and measures how fast.
import { expect } from 'chai';
import { nsRun } from '../../kernel/exec.js';
import { probeMany } from '../../kernel/probe.js';
import { readReplyCounters, resetReplyCounters } from '../../kernel/reply-counters.js';
import type { E2ECluster } from './cluster.js';
import { programs } from './kernel-state.js';
import { serviceRef, SERVICES, sliceObject } from './objects.js';
import { CHANGE_BOUND_MS, PROTOS, log, podNs, withStreams, syncTimes, logOffsets } from './observe.js';
import { answeredBy, summarize, type Attempt } from './stream.js';
import { NODE_IP, NODES, PODS, type PodName } from './topology.js';
import { distinct, replies, sleep, until } from './traffic.js';

/** Last attempt (its end) answered by `pod` at or after t0, relative to t0; 0 when none. */
function lastAnswerFrom(attempts: Attempt[], pod: string, t0: number): number {
  const hits = attempts.filter((a) => a.t >= t0 && answeredBy(a) === pod);
  return hits.length ? Math.max(...hits.map((a) => a.t + a.ms)) - t0 : 0;
}

/** A stream that must have kept answering: after `settledAt` only `allowed` answer, at least `min` times. */
function expectSettled(attempts: Attempt[], what: string, t0: number, settledAt: number, allowed: string[], min = 20): void {
  const summary = `${what}: ${summarize(attempts, t0)}`;
  expect(attempts.filter((a) => a.kind !== 'reply'), `no attempt may fail; ${summary}`).to.be.empty;
  const late = attempts.filter((a) => a.t >= settledAt);
  expect(late.length, `attempts after +${settledAt - t0} ms; ${summary}`).to.be.at.least(min);
  expect(distinct(late.map((a) => answeredBy(a)!)), `answering after +${settledAt - t0} ms; ${summary}`).to.deep.equal(allowed);
}

// 5.
export async function endpointRemoval(cluster: E2ECluster): Promise<void> {
  const churn = SERVICES.churn;
  const removed: PodName = 'pod-b2';
  const remaining = churn.endpoints.filter((p) => p !== removed);
  const offsets = logOffsets(cluster);
  let t0 = 0;
  const { attempts } = await withStreams(cluster, [
    { ns: podNs(cluster, 'client-a'), options: { proto: 'tcp', host: churn.clusterIP, port: 80 } },
    { ns: podNs(cluster, 'client-b'), options: { proto: 'udp', host: churn.clusterIP, port: 80 } },
  ], async (streams) => {
    // Both clients reach the endpoint before it goes.
    for (const s of streams) await until(`${s.description} reaching ${removed}`, async () => (s.attempts().some((a) => answeredBy(a) === removed) ? true : undefined), 10_000);
    t0 = Date.now();
    await cluster.api.apply(sliceObject(churn, remaining));
    await sleep(CHANGE_BOUND_MS + 1500);
  });
  const names = ['tcp from client-a (node-a rules)', 'udp from client-b (node-b rules)'];
  const measured = attempts.map((a) => lastAnswerFrom(a, removed, t0));
  log(`endpoint ${removed} removed: last answer from it at ${names.map((n, i) => `+${measured[i]} ms (${n})`).join(', ')}; ${syncTimes(cluster, t0, offsets)}`);
  attempts.forEach((a, i) => {
    expect(measured[i], `${names[i]}: ${removed} still answered ${measured[i]} ms after the update`).to.be.below(CHANGE_BOUND_MS);
    expectSettled(a, names[i]!, t0, t0 + CHANGE_BOUND_MS, [...remaining].sort());
  });
}

// 6.
export async function serviceDeletion(cluster: E2ECluster): Promise<void> {
  const doomed = SERVICES.doomed;
  const nodePort = doomed.ports[0]!.nodePort!;
  // Before: the service answers on its ClusterIP and both nodes' NodePorts (the streams check the latter).
  await replies(podNs(cluster, 'client-a'), { proto: 'tcp', host: doomed.clusterIP, port: 80 }, 2);
  const specs = NODES.flatMap((node) => PROTOS.map((proto) => ({ ns: cluster.topology.client, options: { proto, host: NODE_IP[node], port: nodePort, timeoutMs: 500 } })));
  const names = specs.map(({ options: o }) => `${o.proto} ${o.host}:${o.port}`);
  const offsets = logOffsets(cluster);
  let t0 = 0;
  let seen = { tcpRst: 0, portUnreachable: 0 };
  const { attempts } = await withStreams(cluster, specs, async (streams) => {
    for (const s of streams) {
      const early = await s.waitForAttempts(5);
      expect(early.filter((a) => a.kind !== 'reply'), `${s.description} before the deletion: ${summarize(early)}`).to.be.empty;
    }
    await resetReplyCounters(cluster.topology.client);
    t0 = Date.now();
    await cluster.api.delete(serviceRef(doomed));
    await sleep(CHANGE_BOUND_MS + 1000);
    seen = await readReplyCounters(cluster.topology.client);
  });
  // Refused from some attempt on, for good: that attempt's end is the measure.
  const refusedFrom = attempts.map((list) => {
    const after = list.filter((a) => a.t >= t0);
    const first = after[after.map((a) => a.kind !== 'refused').lastIndexOf(true) + 1];
    return first ? first.t + first.ms - t0 : Infinity;
  });
  log(`service deleted: refused from ${names.map((n, i) => `+${refusedFrom[i]} ms (${n})`).join(', ')}; ${syncTimes(cluster, t0, offsets)}; client saw ${seen.tcpRst} TCP RSTs, ${seen.portUnreachable} ICMP port unreachables`);
  attempts.forEach((list, i) => {
    const summary = `${names[i]}: ${summarize(list, t0)}`;
    expect(refusedFrom[i], summary).to.be.below(CHANGE_BOUND_MS);
    expect(list.filter((a) => a.t >= t0 + CHANGE_BOUND_MS).length, summary).to.be.at.least(10);
  });
  // What refused the attempts were real rejections: TCP RSTs and ICMP port unreachables.
  expect(seen.tcpRst, 'TCP RSTs reaching the client').to.be.greaterThan(0);
  expect(seen.portUnreachable, 'ICMP port unreachables reaching the client').to.be.greaterThan(0);
  // The ClusterIP no longer leads to any endpoint (it is routed like any unknown address).
  for (const proto of PROTOS) {
    const [outcome] = await probeMany(podNs(cluster, 'client-a'), { proto, host: doomed.clusterIP, port: 80, timeoutMs: 500 }, 1);
    expect(outcome!.kind, `${proto} ${doomed.clusterIP} after deletion: ${JSON.stringify(outcome)}`).to.not.equal('reply');
  }
  for (const node of NODES) expect(await programs(cluster.topology.nodes[node], cluster.backend, doomed.clusterIP), `${node} rules`).to.equal(false);
}

// 7.
export async function udpStaleConntrack(cluster: E2ECluster): Promise<void> {
  const dns = SERVICES.dns;
  const port = dns.ports[0]!.port;
  const offsets = logOffsets(cluster);
  let t0 = 0;
  let first = '';
  const { attempts } = await withStreams(cluster, [
    { ns: podNs(cluster, 'client-a'), options: { proto: 'udp', host: dns.clusterIP, port, reuseSocket: true, sourcePort: 40053, timeoutMs: 500 } },
  ], async ([stream]) => {
    const early = await stream!.waitForAttempts(10);
    // One flow, one conntrack entry: every datagram so far went to the same endpoint.
    expect(distinct(early.map((a) => answeredBy(a) ?? a.kind)), summarize(early)).to.have.lengthOf(1);
    first = answeredBy(early[0]!)!;
    t0 = Date.now();
    await cluster.api.apply(sliceObject(dns, dns.endpoints.filter((p) => p !== first)));
    await sleep(CHANGE_BOUND_MS + 1500);
  });
  const other = dns.endpoints.find((p) => p !== first)!;
  const last = lastAnswerFrom(attempts[0]!, first, t0);
  const conntrack = await nsRun(cluster.topology.nodes['node-a'], 'conntrack', ['-L', '-p', 'udp', '--orig-port-src', '40053'], { check: false });
  log(`udp flow from one source port: answered by ${first} until +${last} ms, then by ${other}; ${syncTimes(cluster, t0, offsets)}`);
  expect(last, `${first} still answered ${last} ms after its removal: ${summarize(attempts[0]!, t0)}\n${conntrack.stdout}`).to.be.below(CHANGE_BOUND_MS);
  const summary = summarize(attempts[0]!, t0);
  const late = attempts[0]!.filter((a) => a.t >= t0 + CHANGE_BOUND_MS);
  expect(late.length, summary).to.be.at.least(20);
  expect(distinct(late.map((a) => answeredBy(a) ?? a.kind)), `the same flow after the removal: ${summary}\n${conntrack.stdout}`).to.deep.equal([other]);
  // The reply direction of the flow's entry names the endpoint that answers it.
  expect(conntrack.stdout, 'the flow\'s conntrack entry now leads to the remaining endpoint').to.include(`src=${PODS[other].ip} dst=${PODS['client-a'].ip} sport=8080 dport=40053`);
}
