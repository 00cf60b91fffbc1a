import type { IPFamily } from '../model/ip.js';
import type { CompileFacts, PolicyFacts } from './compile.js';
import { hash16 } from './hash.js';
import { findNamedPort, NAMESPACE_NAME_LABEL, type PodInfo } from './inventory.js';
import { isOnNode } from './isolation.js';
import { peerGroupSelector } from './selection.js';
import { matchesSelector, type Labels, type Selector } from './selectors.js';
import type { Direction, NamedPortEntry, NamedPortGroup, PolicyPlan } from './types.js';

/**
 * The pod-dependent part of a compiled plan, kept between compiles so a batch of Pod (and Namespace
 * label) changes can be judged pod by pod: which kernel-set elements each affected pod contributes
 * before and after, without re-selecting every pod for every policy. Policies are fixed here: a
 * change to one needs a full compile. `prepare` refuses (with a reason) any batch whose result would need other
 * chains or sets than the last compile's, so the caller falls back to the full path.
 */

/** One element a pod contributes to a kernel set, in backend-neutral terms. */
export type Member =
  /** The pod's address in a peer group's set. */
  | { kind: 'peer'; group: string; family: IPFamily; address: string }
  /** A named port resolved on the pod, in a named-port group's set. */
  | { kind: 'named'; group: string; entry: NamedPortEntry }
  /** An isolated local pod → the chain of the pods judged by exactly `policies` in `direction`. */
  | { kind: 'dispatch'; direction: Direction; policies: readonly string[]; family: IPFamily; address: string; pod: string }
  /** A local pod's address (known pods, for unknown-pod judgement). */
  | { kind: 'local'; family: IPFamily; address: string };

export interface PodChange {
  /** `namespace/name`. */
  id: string;
  /** The pod as it is now; undefined when deleted or no longer taking part (not Running, no IP). */
  after: PodInfo | undefined;
}

export interface NamespaceChange {
  name: string;
  /** Its labels now; undefined when deleted (its pods, if any, then match by name alone, as in a compile). */
  labels: Labels | undefined;
}

export interface MembershipChanges {
  pods: readonly PodChange[];
  namespaces: readonly NamespaceChange[];
}

export type PodChangePlan =
  | { ok: true; added: Member[]; removed: Member[]; commit: () => void }
  | { ok: false; reason: string };

interface PeerGroupFacts {
  id: string;
  podSelector: Selector | undefined;
  /** Absent: the group selects pods of `namespace` only. */
  namespaceSelector: Selector | undefined;
  namespace: string;
}

type PeersOf = (namespace: string) => readonly PeerGroupFacts[];

interface PolicyTargeting {
  id: string;
  selector: Selector;
  ingress: boolean;
  egress: boolean;
}

/** What one pod contributes, and the dispatch groups it belongs to. */
interface Judgement {
  members: Member[];
  groups: string[];
}

const FAMILIES: readonly IPFamily[] = ['ipv4', 'ipv6'];

export class PodMembership {
  private constructor(
    private readonly nodeName: string | null,
    private readonly pods: Map<string, PodInfo>,
    /** Address → how many pods hold it. */
    private readonly owners: Map<string, number>,
    /** Namespace → its policies in id order (every policy, with targets here or not). */
    private readonly policies: ReadonlyMap<string, PolicyTargeting[]>,
    /** Every peer group of the policies with targets (whose sets the tables hold). */
    private readonly groups: readonly PeerGroupFacts[],
    /** Namespace → the peer groups selecting pods in it; every namespace the compile knew is a key. */
    private readonly peers: Map<string, readonly PeerGroupFacts[]>,
    /** Namespace → ids of its pods (taking part in policy). */
    private readonly podsByNamespace: Map<string, Set<string>>,
    private readonly named: readonly NamedPortGroup[],
    /** `direction:policies` → number of pods in that dispatch group. */
    private readonly groupSizes: Map<string, number>,
  ) {}

  static fromCompile(plan: PolicyPlan, facts: CompileFacts): PodMembership {
    const pods = new Map(facts.inventory.pods.map((p) => [p.id, p]));
    const owners = new Map<string, number>();
    for (const pod of facts.inventory.pods) countOwners(owners, pod, 1);
    const policies = new Map<string, PolicyTargeting[]>();
    for (const p of facts.policies) {
      const list = policies.get(p.namespace) ?? [];
      list.push({ id: p.id, selector: p.scope.selector, ingress: p.scope.policyTypes.includes('Ingress'), egress: p.scope.policyTypes.includes('Egress') });
      policies.set(p.namespace, list);
    }
    const byId = new Map(facts.policies.map((p) => [p.id, p]));
    const groups = new Map<string, PeerGroupFacts>();
    const named = new Map<string, NamedPortGroup>();
    for (const compiled of plan.policies) {
      for (const rule of [...compiled.ingress, ...compiled.egress]) for (const g of rule.ports.namedGroups) named.set(g.id, g);
      for (const group of selectorPeers(byId.get(compiled.id)!)) if (!groups.has(group.id)) groups.set(group.id, group);
    }
    const groupList = [...groups.values()];
    // Every namespace the compile knew is a key: a pod elsewhere could change which namespaces selectors match.
    const peers = new Map<string, readonly PeerGroupFacts[]>();
    for (const [ns, labels] of facts.inventory.namespaces) peers.set(ns, groupsSelecting(groupList, ns, labels));
    const podsByNamespace = new Map<string, Set<string>>();
    for (const pod of facts.inventory.pods) addTo(podsByNamespace, pod.namespace, pod.id);
    const groupSizes = new Map<string, number>();
    for (const t of plan.targets) {
      for (const key of [dispatchKey('ingress', t.ingressPolicies), dispatchKey('egress', t.egressPolicies)]) {
        if (key) groupSizes.set(key, (groupSizes.get(key) ?? 0) + 1);
      }
    }
    return new PodMembership(plan.nodeName, pods, owners, policies, groupList, peers, podsByNamespace, [...named.values()], groupSizes);
  }

  /**
   * The element changes of a batch of Pod and Namespace changes, or why it needs a full compile.
   * Changes nothing until `commit`. A namespace's labels only decide which peer groups with a
   * namespaceSelector take its pods, so its pods are judged again, against the new labels.
   */
  prepare(changes: MembershipChanges): PodChangePlan {
    const batch = new Map(changes.pods.map((c) => [c.id, c.after]));
    const peersAfter = new Map<string, readonly PeerGroupFacts[]>();
    for (const { name, labels } of changes.namespaces) {
      peersAfter.set(name, groupsSelecting(this.groups, name, { ...labels, [NAMESPACE_NAME_LABEL]: name }));
    }
    const before: PeersOf = (ns) => this.peers.get(ns) ?? [];
    const after: PeersOf = (ns) => peersAfter.get(ns) ?? this.peers.get(ns) ?? [];
    for (const [id, pod] of batch) {
      if (pod && pod.id !== id) return refuse(`pod ${id} read back as ${pod.id}`);
      if (pod && !this.peers.has(pod.namespace) && !peersAfter.has(pod.namespace)) return refuse(`pod ${id} is in a namespace the last compile did not know`);
    }
    // Changed pods, and every pod of a changed namespace (judged again with its new labels).
    const affected = new Set(batch.keys());
    for (const { name } of changes.namespaces) for (const id of this.podsByNamespace.get(name) ?? []) affected.add(id);
    const conflict = this.addressConflict(affected, batch);
    if (conflict) return refuse(`address ${conflict} is held by more than one pod`);
    const was = new Map<string, Member>();
    const now = new Map<string, Member>();
    const sizeDelta = new Map<string, number>();
    for (const id of affected) {
      const old = this.judge(this.pods.get(id), before);
      const next = this.judge(batch.has(id) ? batch.get(id) : this.pods.get(id), after);
      for (const m of old.members) was.set(memberKey(m), m);
      for (const m of next.members) now.set(memberKey(m), m);
      for (const g of old.groups) sizeDelta.set(g, (sizeDelta.get(g) ?? 0) - 1);
      for (const g of next.groups) sizeDelta.set(g, (sizeDelta.get(g) ?? 0) + 1);
    }
    for (const [group, delta] of sizeDelta) {
      const size = this.groupSizes.get(group) ?? 0;
      if (delta > 0 && size === 0) return refuse(`a pod is now judged by a new combination of policies (${group})`);
      if (delta < 0 && size + delta === 0) return refuse(`no pod is judged by ${group} any more`);
    }
    const added = [...now].filter(([k]) => !was.has(k)).map(([, m]) => m);
    const removed = [...was].filter(([k]) => !now.has(k)).map(([, m]) => m);
    const commit = () => {
      for (const [group, delta] of sizeDelta) this.groupSizes.set(group, (this.groupSizes.get(group) ?? 0) + delta);
      for (const [ns, groups] of peersAfter) this.peers.set(ns, groups);
      for (const [id, pod] of batch) {
        const old = this.pods.get(id);
        if (old) {
          countOwners(this.owners, old, -1);
          this.podsByNamespace.get(old.namespace)?.delete(id);
        }
        if (pod) {
          countOwners(this.owners, pod, 1);
          addTo(this.podsByNamespace, pod.namespace, id);
          this.pods.set(id, pod);
        } else this.pods.delete(id);
      }
    };
    return { ok: true, added, removed, commit };
  }

  /**
   * An address of an affected pod shared with another pod, before or after the batch: the full render
   * keeps one owner per address, which this path would not reproduce.
   */
  private addressConflict(affected: ReadonlySet<string>, batch: ReadonlyMap<string, PodInfo | undefined>): string | undefined {
    // Holders after the batch: the count before, less the changed pods' old addresses, plus their new ones.
    const after = new Map<string, number>();
    for (const id of affected) {
      const old = this.pods.get(id);
      for (const a of old ? addressesOf(old) : []) {
        const count = this.owners.get(a) ?? 0;
        if (count > 1) return a;
        if (batch.has(id)) after.set(a, (after.get(a) ?? count) - 1);
      }
    }
    for (const [, pod] of batch) {
      for (const a of pod ? addressesOf(pod) : []) {
        const count = (after.get(a) ?? this.owners.get(a) ?? 0) + 1;
        if (count > 1) return a;
        after.set(a, count);
      }
    }
    return undefined;
  }

  /** What one pod contributes, as the compiler and renderers would judge it (see compile.ts). */
  private judge(pod: PodInfo | undefined, peersOf: PeersOf): Judgement {
    if (!pod) return { members: [], groups: [] };
    const members: Member[] = [];
    const local = isOnNode(pod, this.nodeName);
    const lists: Record<Direction, string[]> = { ingress: [], egress: [] };
    if (local) {
      for (const p of this.policies.get(pod.namespace) ?? []) {
        if (!matchesSelector(p.selector, pod.labels)) continue;
        if (p.ingress) lists.ingress.push(p.id);
        if (p.egress) lists.egress.push(p.id);
      }
    }
    const groups = (['ingress', 'egress'] as const).filter((d) => lists[d].length > 0);
    const peerGroups = peersOf(pod.namespace).filter((g) => !g.podSelector || matchesSelector(g.podSelector, pod.labels));
    for (const family of FAMILIES) {
      for (const address of pod.addresses[family]) {
        for (const g of peerGroups) members.push({ kind: 'peer', group: g.id, family, address });
        if (local) members.push({ kind: 'local', family, address });
        for (const direction of groups) members.push({ kind: 'dispatch', direction, policies: lists[direction], family, address, pod: pod.id });
      }
    }
    const target = groups.length > 0;
    for (const g of this.named) {
      if (g.scope === 'targets' && !target) continue;
      const port = findNamedPort(pod, g.name, g.protocol);
      if (port === undefined) continue;
      for (const family of FAMILIES) {
        for (const address of pod.addresses[family]) members.push({ kind: 'named', group: g.id, entry: { family, address, protocol: g.protocol, port } });
      }
    }
    return { members, groups: groups.map((d) => dispatchKey(d, lists[d])!) };
  }
}

/** The selector peers of a policy's rules as peer groups (the compiler's ids). */
function selectorPeers(policy: PolicyFacts): PeerGroupFacts[] {
  if (policy.scope.selectorInvalid) return [];
  const out: PeerGroupFacts[] = [];
  for (const rule of [...policy.ruleSpecs.ingress, ...policy.ruleSpecs.egress]) {
    for (const peer of rule.peers ?? []) {
      if (peer.kind !== 'selector') continue;
      out.push({ id: hash16(peerGroupSelector(peer, policy.namespace)), podSelector: peer.podSelector, namespaceSelector: peer.namespaceSelector, namespace: policy.namespace });
    }
  }
  return out;
}

/** The groups whose namespace part takes pods of namespace `ns` (labelled `labels`). */
function groupsSelecting(groups: readonly PeerGroupFacts[], ns: string, labels: Labels): PeerGroupFacts[] {
  return groups.filter((g) => (g.namespaceSelector ? matchesSelector(g.namespaceSelector, labels) : g.namespace === ns));
}

function addTo(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key);
  if (set) set.add(value);
  else map.set(key, new Set([value]));
}

function dispatchKey(direction: Direction, policies: readonly string[]): string | undefined {
  return policies.length ? `${direction}:${policies.join(',')}` : undefined;
}

function memberKey(m: Member): string {
  switch (m.kind) {
    case 'peer':
      return `peer ${m.group} ${m.address}`;
    case 'named':
      return `named ${m.group} ${m.entry.address} ${m.entry.protocol} ${m.entry.port}`;
    case 'dispatch':
      return `dispatch ${m.direction} ${m.address} ${m.pod} ${m.policies.join(',')}`;
    case 'local':
      return `local ${m.address}`;
  }
}

function addressesOf(pod: PodInfo): string[] {
  return [...pod.addresses.ipv4, ...pod.addresses.ipv6];
}

function countOwners(owners: Map<string, number>, pod: PodInfo, delta: number): void {
  for (const a of pod.addresses.ipv4) bump(owners, a, delta);
  for (const a of pod.addresses.ipv6) bump(owners, a, delta);
}

function bump(owners: Map<string, number>, address: string, delta: number): void {
  const count = (owners.get(address) ?? 0) + delta;
  if (count > 0) owners.set(address, count);
  else owners.delete(address);
}

function refuse(reason: string): PodChangePlan {
  return { ok: false, reason };
}
