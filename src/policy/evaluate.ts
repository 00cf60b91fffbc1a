import type { Protocol } from '../model/types.js';
import { addressValue, parseAddress, parseCIDR } from './cidr.js';
import type { IPFamily } from '../model/ip.js';
import type { CompiledPolicy, CompiledRule, Direction, IPBlock, PolicyPlan, PolicyTarget } from './types.js';

/**
 * A reference evaluator over a PolicyPlan: would a packet src → dst:port/protocol be allowed?
 * It reads the plan's source-of-truth fields (ipBlocks with except, not the flattened nets), so it
 * can serve as an oracle for renderers and as the expected truth table for kernel tests.
 */

export interface DirectionVerdict {
  isolated: boolean;
  /** Rule sources that allow the packet ('node' for the local-node exception). */
  allowedBy: string[];
}

export interface Verdict {
  allowed: boolean;
  /** Traffic from a pod to itself never leaves the pod's network namespace: "loopback logic follows no policy". */
  loopback: boolean;
  egress: DirectionVerdict;
  ingress: DirectionVerdict;
}

interface Endpoint {
  family: IPFamily;
  address: string;
}

interface PlanIndex {
  targets: Map<string, PolicyTarget>;
  policies: Map<string, CompiledPolicy>;
}

const indexes = new WeakMap<PolicyPlan, PlanIndex>();

export function isAllowed(plan: PolicyPlan, src: string, dst: string, port: number, protocol: Protocol): boolean {
  return evaluate(plan, src, dst, port, protocol).allowed;
}

/** Egress is judged at the source pod, ingress at the destination pod; pods that are not targets allow all. */
export function evaluate(plan: PolicyPlan, src: string, dst: string, port: number, protocol: Protocol): Verdict {
  const from = endpoint(src);
  const to = endpoint(dst);
  if (from.family !== to.family) throw new Error(`address families differ: ${src} → ${dst}`);
  const index = indexOf(plan);
  const egress = judge(index, 'egress', index.targets.get(from.address), to, to, port, protocol);
  const nodeSource = plan.nodeIPs[from.family].includes(from.address);
  const ingress = judge(index, 'ingress', index.targets.get(to.address), from, to, port, protocol, nodeSource);
  const loopback = from.address === to.address;
  const allowed = loopback || (passes(egress) && passes(ingress));
  return { allowed, loopback, egress, ingress };
}

function judge(
  index: PlanIndex, direction: Direction, target: PolicyTarget | undefined,
  remote: Endpoint, dst: Endpoint, port: number, protocol: Protocol, fromNode = false,
): DirectionVerdict {
  const ids = target ? (direction === 'ingress' ? target.ingressPolicies : target.egressPolicies) : [];
  if (ids.length === 0) return { isolated: false, allowedBy: [] };
  const allowedBy: string[] = fromNode ? ['node'] : [];
  for (const id of ids) {
    for (const rule of index.policies.get(id)?.[direction] ?? []) {
      if (ruleMatches(rule, remote, dst, port, protocol)) allowedBy.push(rule.source);
    }
  }
  return { isolated: true, allowedBy };
}

function passes(v: DirectionVerdict): boolean {
  return !v.isolated || v.allowedBy.length > 0;
}

function ruleMatches(rule: CompiledRule, remote: Endpoint, dst: Endpoint, port: number, protocol: Protocol): boolean {
  const { peers, ports } = rule;
  const peerOk = peers.all
    || peers.pods[remote.family].includes(remote.address)
    || peers.ipBlocks.some((block) => blockContains(block, remote));
  if (!peerOk) return false;
  if (ports.all) return true;
  const inRange = ports.ranges.some((r) => r.protocol === protocol
    && (r.port === undefined || (port >= r.port && port <= (r.endPort ?? r.port))));
  return inRange || ports.named.some((n) => n.address === dst.address && n.protocol === protocol && n.port === port);
}

function blockContains(block: IPBlock, ep: Endpoint): boolean {
  if (block.family !== ep.family) return false;
  const value = addressValue(ep.address);
  const inside = (cidr: string) => {
    const r = parseCIDR(cidr);
    return r !== undefined && r.start <= value && value <= r.end;
  };
  return inside(block.cidr) && !block.except.some(inside);
}

function endpoint(text: string): Endpoint {
  const parsed = parseAddress(text);
  if (!parsed) throw new Error(`invalid IP address ${JSON.stringify(text)}`);
  return parsed;
}

function indexOf(plan: PolicyPlan): PlanIndex {
  let index = indexes.get(plan);
  if (index) return index;
  index = { targets: new Map(), policies: new Map(plan.policies.map((p) => [p.id, p])) };
  for (const target of plan.targets) {
    for (const address of [...target.addresses.ipv4, ...target.addresses.ipv6]) index.targets.set(address, target);
  }
  indexes.set(plan, index);
  return index;
}
