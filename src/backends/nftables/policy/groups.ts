import type { Direction, PolicyPlan, PolicyTarget } from '../../../policy/types.js';

/**
 * Isolated pods grouped by the exact list of policies that apply to them in one direction. Every
 * pod of a group is judged by the same rules, so the group (not the pod) gets a chain: replicas of
 * a Deployment share one, and a pod coming or going only changes set/map elements.
 */
export interface PodGroup {
  direction: Direction;
  /** `ingress:ns/a,ns/b`: the group's identity (policy ids sorted, as the plan lists them). */
  key: string;
  policies: string[];
  /** Members, in plan order (sorted by pod id). */
  pods: PolicyTarget[];
}

export const DIRECTIONS: readonly Direction[] = ['ingress', 'egress'];

export function groupKey(direction: Direction, policies: readonly string[]): string {
  return `${direction}:${policies.join(',')}`;
}

/** Groups of one direction, sorted by key. */
export function podGroups(plan: PolicyPlan, direction: Direction): PodGroup[] {
  const byKey = new Map<string, PodGroup>();
  for (const pod of plan.targets) {
    const policies = direction === 'ingress' ? pod.ingressPolicies : pod.egressPolicies;
    if (policies.length === 0) continue;
    const key = groupKey(direction, policies);
    const group = byKey.get(key) ?? { direction, key, policies: [...policies], pods: [] };
    group.pods.push(pod);
    byKey.set(key, group);
  }
  return [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** (policy id, direction) pairs some group jumps to, sorted by id then ingress before egress. */
export function usedPolicyDirections(plan: PolicyPlan, groups: readonly PodGroup[]): { id: string; direction: Direction }[] {
  const used = new Set<string>();
  for (const group of groups) for (const id of group.policies) used.add(`${group.direction} ${id}`);
  const out: { id: string; direction: Direction }[] = [];
  const ids = plan.policies.map((p) => p.id).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const id of ids) {
    for (const direction of DIRECTIONS) if (used.has(`${direction} ${id}`)) out.push({ id, direction });
  }
  return out;
}
