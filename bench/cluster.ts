import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { failure, run } from './exec.js';

/** The node a render is for (render-one's --node-name / --node-ip / --cluster-cidr). */
export interface NodeArgs {
  nodeName: string;
  nodeIPs: string[];
  clusterCIDRs: string[];
}

/** What gen_cluster.py builds: two nodes; we render for node1. */
export const NODE: NodeArgs = {
  nodeName: 'node1',
  nodeIPs: ['192.168.1.11'],
  clusterCIDRs: ['10.101.0.0/16', '10.102.0.0/16'],
};

export type Layout = 'kubeproxy-ipt' | 'grouped-maps';

export interface Tools {
  genCluster: string;
  layouts: string;
}

/** The shared tools live beside the repo (CI copies shared/ there as ../shared). */
export function findTools(repoRoot: string): Tools {
  const dir = resolve(repoRoot, '../shared/tools');
  const tools = { genCluster: resolve(dir, 'gen_cluster.py'), layouts: resolve(dir, 'layouts.py') };
  for (const file of Object.values(tools)) {
    if (!existsSync(file)) throw new Error(`${file} not found: the bench needs shared/tools beside the repo (../shared relative to ${repoRoot})`);
  }
  return tools;
}

async function python(args: string[], out: string, what: string): Promise<number> {
  const r = await run('python3', args, { stdoutFile: out, timeoutMs: 600_000 });
  const err = failure(r);
  if (err) throw new Error(`${what}: ${err}`);
  return r.ms;
}

/** Writes the kubectl List JSON for n services × e endpoints; returns the time it took. */
export function generateCluster(tools: Tools, n: number, e: number, out: string): Promise<number> {
  return python([tools.genCluster, String(n), String(e)], out, `gen_cluster.py ${n} ${e}`);
}

export function generateLayout(tools: Tools, layout: Layout, n: number, e: number, out: string): Promise<number> {
  return python([tools.layouts, layout, String(n), String(e)], out, `layouts.py ${layout} ${n} ${e}`);
}
