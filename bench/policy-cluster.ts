// The NetworkPolicy cluster (test/policy/synthetic.ts plus its two Nodes) and the label change that
// moves one pod into or out of a policy's peer set.
import { writeFileSync } from 'node:fs';
import { hash16 } from '../src/policy/hash.js';
import { SYNTHETIC_NODES, syntheticPolicyCluster } from '../test/policy/synthetic.js';
import type { Expect } from './agent-protocol.js';
import type { NodeArgs } from './cluster.js';
import type { Backend } from '../src/pipeline.js';

export interface PolicySize {
  pods: number;
  namespaces: number;
  policies: number;
}

/** synthetic.ts puts node k's pods in 10.(100+k).0.0/16; we enforce on the first node. */
export const POLICY_NODE: NodeArgs = { nodeName: SYNTHETIC_NODES[0], nodeIPs: ['192.168.1.10'], clusterCIDRs: ['10.100.0.0/16'] };

function nodeObject(k: number): Record<string, unknown> {
  const cidr = `10.${100 + k}.0.0/16`;
  return {
    apiVersion: 'v1', kind: 'Node', metadata: { name: SYNTHETIC_NODES[k] },
    spec: { podCIDR: cidr, podCIDRs: [cidr] },
    status: { addresses: [{ type: 'InternalIP', address: `192.168.1.${10 * (k + 1)}` }] },
  };
}

/**
 * Writes two kubectl Lists: `full` (the Nodes, Namespaces, Pods and NetworkPolicies; no Services)
 * and `base` (the same without the NetworkPolicies); returns the policies for loading later.
 */
export function writePolicyCluster(size: PolicySize, full: string, base: string): { objects: number; policies: Record<string, unknown>[] } {
  const items = [...SYNTHETIC_NODES.map((_, k) => nodeObject(k)), ...syntheticPolicyCluster(size)];
  // The API server assigns resource versions; synthetic.ts's "1" would make every update a conflict.
  for (const o of items) delete (o.metadata as { resourceVersion?: string }).resourceVersion;
  const list = (xs: Record<string, unknown>[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items: xs });
  writeFileSync(full, list(items));
  writeFileSync(base, list(items.filter((o) => o.kind !== 'NetworkPolicy')));
  return { objects: items.length, policies: items.filter((o) => o.kind === 'NetworkPolicy') };
}

/**
 * Change n's pod: on POLICY_NODE (even index, with two nodes) in a namespace that has policies
 * (policy p lives in ns-(p % namespaces)), spread over the cluster.
 */
export function podFor(n: number, size: PolicySize): { name: string; namespace: string } {
  const withPolicies = Math.min(size.namespaces, size.policies);
  for (let k = 0; k < 1000; k++) {
    const i = ((n + k) * 7919 * SYNTHETIC_NODES.length) % size.pods;
    if (i % size.namespaces < withPolicies) return { name: `pod-${i}`, namespace: `ns-${i % size.namespaces}` };
  }
  throw new Error(`no pod of ${SYNTHETIC_NODES[0]} in a namespace with policies`);
}

/** The peer group `tier=web` of a namespace's policies (compile.ts names it by hash of its selector). */
export function webPeerGroup(namespace: string): string {
  return hash16(`pods {tier In (web)} in namespace ${namespace}`);
}

export interface MembershipCheck {
  argv: string[];
  expect: Expect;
  /** nftables: the `nft monitor` line announcing the change. */
  monitor?: RegExp;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `ip` is (present) or is not (absent) in the namespace's tier=web peer set. */
export function peerMembership(backend: Backend, namespace: string, ip: string, present: boolean): MembershipCheck {
  const group = webPeerGroup(namespace);
  if (backend === 'nftables') {
    const set = `peers-${group}`;
    return {
      argv: ['nft', 'get', 'element', 'ip', 'proxyctl-policy', set, `{ ${ip} }`],
      expect: { exitZero: present },
      monitor: new RegExp(`^${present ? 'add' : 'delete'} element ip proxyctl-policy ${set} \\{.*[ ,{]${escape(ip)}[ ,}]`),
    };
  }
  return { argv: ['ipset', 'test', `pxc-${group}-peers4`, ip], expect: { exitZero: present } };
}
