// Wires the e2e mini-cluster together: namespaces, the API server holding the objects, and a
// proxyctl daemon per node; plus the failure report (daemon logs and each node's rules).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiServerProcess } from '../../apiserver/process.js';
import { dumpNode, ProxyDaemon, startApiServer, type Backend } from './daemons.js';
import { initialObjects } from './objects.js';
import { buildTopology, destroyTopology, NODES, type NodeName, type Topology } from './topology.js';

export interface E2ECluster {
  backend: Backend;
  topology: Topology;
  api: ApiServerProcess;
  kubeconfig: string;
  daemons: Record<NodeName, ProxyDaemon>;
  /** Scratch directory (kubeconfig); removed by stopCluster. */
  dir: string;
}

const READY_TIMEOUT_MS = 30_000;

export const isSynced = (entry: Record<string, unknown>): boolean => entry.msg === 'synced';

/** Builds everything and waits for each daemon's first successful sync; tears down on failure. */
export async function startCluster(backend: Backend): Promise<E2ECluster> {
  const topology = await buildTopology();
  const dir = mkdtempSync(join(tmpdir(), `proxyctl-e2e-${backend}-`));
  const partial: Partial<E2ECluster> = { backend, topology, dir };
  try {
    const kubeconfig = join(dir, 'kubeconfig');
    const api = await startApiServer(topology.lab, topology.api, kubeconfig, initialObjects());
    const daemons = {} as Record<NodeName, ProxyDaemon>;
    for (const node of NODES) {
      daemons[node] = await ProxyDaemon.start(topology.lab, { ns: topology.nodes[node], nodeName: node, kubeconfig, backend });
    }
    Object.assign(partial, { api, kubeconfig, daemons });
    await Promise.all(NODES.map((node) => daemons[node].waitForLog('first sync', isSynced, 0, READY_TIMEOUT_MS)));
    return partial as E2ECluster;
  } catch (error) {
    if (partial.daemons) console.log(await report(partial as E2ECluster));
    await destroyTopology(topology);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

export async function stopCluster(cluster: E2ECluster | undefined): Promise<void> {
  if (!cluster) return;
  await destroyTopology(cluster.topology);
  rmSync(cluster.dir, { recursive: true, force: true });
}

/** Daemon logs (last lines) and every node's ruleset, for a failed test. */
export async function report(cluster: E2ECluster, logLines = 150): Promise<string> {
  const parts: string[] = [];
  for (const node of NODES) {
    const daemon = cluster.daemons?.[node];
    if (daemon) parts.push(`=== proxyctl log of ${node} (last ${logLines} lines)\n${daemon.logs().split('\n').slice(-logLines).join('\n')}`);
  }
  for (const node of NODES) parts.push(`=== kernel state of ${node}\n${await dumpNode(cluster.topology.nodes[node], cluster.backend)}`);
  return parts.join('\n');
}
