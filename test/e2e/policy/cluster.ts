// Wires the policy e2e cluster together: topology, API server, daemons (either backend, restartable
// on the same namespaces), writes that keep the test's model equal to the API server, "applied"
// waits and the failure report.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compilePolicyPlan, type PolicyPlan } from '../../../src/policy/index.js';
import type { ApiServerProcess } from '../../apiserver/process.js';
import type { KubeObject } from '../../apiserver/store.js';
import { cleanupNode, NodeDaemon, scrubNode, startApiServer, type Backend } from './daemons.js';
import { dumpRules, expectedSnapshots, leftoverPolicyObjects, serviceRulesPresent, waitApplied, type Applied } from './kernel-state.js';
import { ClusterModel, NODES, refOf, SVC_XA, type NodeName } from './model.js';
import { buildTopology, destroyTopology, type Topology } from './topology.js';

export interface PolicyCluster {
  topology: Topology;
  api: ApiServerProcess;
  model: ClusterModel;
  daemons: Record<NodeName, NodeDaemon>;
  backend: Backend;
  dir: string;
}

export async function startCluster(): Promise<PolicyCluster> {
  const topology = await buildTopology();
  const dir = mkdtempSync(join(tmpdir(), 'proxyctl-policy-e2e-'));
  try {
    const kubeconfig = join(dir, 'kubeconfig');
    const model = ClusterModel.initial();
    const api = await startApiServer(topology.lab, topology.api, kubeconfig, model.all());
    const daemons = { 'node-a': new NodeDaemon(topology.nodes['node-a'], 'node-a', kubeconfig), 'node-b': new NodeDaemon(topology.nodes['node-b'], 'node-b', kubeconfig) };
    return { topology, api, model, daemons, backend: 'nftables', dir };
  } catch (error) {
    await destroyTopology(topology);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

export async function stopCluster(cluster: PolicyCluster | undefined): Promise<void> {
  if (!cluster) return;
  await destroyTopology(cluster.topology);
  rmSync(cluster.dir, { recursive: true, force: true });
}

export async function startDaemons(cluster: PolicyCluster, backend: Backend): Promise<void> {
  cluster.backend = backend;
  await Promise.all(NODES.map((n) => cluster.daemons[n].start(cluster.topology.lab, backend)));
}

/** Stops both daemons and runs `proxyctl cleanup` on both nodes; returns its output per node. */
export async function stopDaemons(cluster: PolicyCluster): Promise<Record<NodeName, string>> {
  await Promise.all(NODES.map((n) => cluster.daemons[n].stop()));
  const out = {} as Record<NodeName, string>;
  for (const n of NODES) out[n] = await cleanupNode(cluster.topology.nodes[n]);
  return out;
}

/** The cluster-wide plan (nodeName null): what the evaluator expects of the whole cluster. */
export function clusterPlan(cluster: PolicyCluster): PolicyPlan {
  return compilePolicyPlan(cluster.model.sources(), { nodeName: null });
}

/** A node back to a clean start: daemon stopped, its rules removed, daemon started again. */
export async function resetNode(cluster: PolicyCluster, node: NodeName): Promise<void> {
  await cluster.daemons[node].stop();
  await cleanupNode(cluster.topology.nodes[node]);
  await scrubNode(cluster.topology.nodes[node]);
  await cluster.daemons[node].start(cluster.topology.lab, cluster.backend);
}

/**
 * Writes and deletes objects, then waits (bounded) until both kernels hold what the model implies.
 * The expected rules are computed before the first API call, so the times returned are from the
 * API write to the kernel having it.
 */
export async function change(cluster: PolicyCluster, writes: KubeObject[], deletes: KubeObject[] = [], timeoutMs?: number): Promise<Applied> {
  for (const o of writes) cluster.model.set(o);
  for (const o of deletes) cluster.model.remove(o);
  const expected = await expectedSnapshots(cluster.topology.lab, cluster.backend, cluster.model.sources());
  const since = Date.now();
  for (const o of writes) await cluster.api.apply(o);
  for (const o of deletes) await cluster.api.delete(refOf(o));
  return waitApplied(cluster.topology.nodes, cluster.backend, expected, since, timeoutMs);
}

/** Waits (bounded) until both nodes' kernels hold the rules the model implies. */
export async function settle(cluster: PolicyCluster, since?: number, timeoutMs?: number): Promise<Applied> {
  const expected = await expectedSnapshots(cluster.topology.lab, cluster.backend, cluster.model.sources());
  return waitApplied(cluster.topology.nodes, cluster.backend, expected, since ?? Date.now(), timeoutMs);
}

/** Nodes whose Service rules (x/svc-a's ClusterIP) are missing from the kernel. */
export async function nodesWithoutServiceRules(cluster: PolicyCluster): Promise<NodeName[]> {
  const present = await Promise.all(NODES.map((n) => serviceRulesPresent(cluster.topology.nodes[n], cluster.backend, SVC_XA.clusterIP)));
  return NODES.filter((_, i) => !present[i]);
}

/** Policy chains / ipsets in the kernels that the current objects do not call for (`node-a: iptables chain PXP-...`). */
export async function leakedPolicyObjects(cluster: PolicyCluster): Promise<string[]> {
  if (cluster.backend === 'nftables') return [];
  const expected = await expectedSnapshots(cluster.topology.lab, cluster.backend, cluster.model.sources());
  // "Applied" is judged on IPv4; the daemon may still be busy with IPv6: leftovers must persist 3 s.
  const deadline = Date.now() + 3000;
  for (;;) {
    const out: string[] = [];
    for (const n of NODES) out.push(...(await leftoverPolicyObjects(cluster.topology.nodes[n], cluster.backend, expected[n].names)).map((o) => `${n}: ${o}`));
    if (out.length === 0 || Date.now() > deadline) return out;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Rules of both nodes and the daemons' last log lines. */
export async function report(cluster: PolicyCluster, logLines = 40): Promise<string> {
  const parts: string[] = [];
  for (const n of NODES) parts.push(`=== policy rules of ${n}\n${await dumpRules(cluster.topology.nodes[n], cluster.backend)}`);
  for (const n of NODES) parts.push(`=== proxyctl log of ${n} (last ${logLines} lines)\n${cluster.daemons[n].tail(logLines)}`);
  return parts.join('\n');
}
