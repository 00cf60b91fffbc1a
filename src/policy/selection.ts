import { addressesOf, ranksOf, unionOf, type RankSet } from './address-order.js';
import { hash16 } from './hash.js';
import type { Inventory, PodInfo } from './inventory.js';
import { isOnNode } from './isolation.js';
import type { SelectorPeer } from './peers.js';
import { PodIndex } from './pod-index.js';
import { selectorKey } from './selector-key.js';
import { matchesSelector, MATCH_ALL, type Selector } from './selectors.js';
import type { AddressSet, PeerGroup } from './types.js';

/**
 * Memoised pod selection for one compile: policies repeat the same selectors (every policy of a
 * namespace selecting by tier, every rule naming the same team), so each distinct selection is
 * computed once and its result object shared by every rule that makes it.
 */

export interface TargetSelection {
  /** `namespace {canonical selector}`. */
  key: string;
  /** Selected enforcement targets, in id order. */
  pods: PodInfo[];
  ids: string[];
}

export interface GroupSelection {
  group: PeerGroup;
  members: PodInfo[];
  ranks: RankSet;
}

export interface PeerUnion {
  /** Sorted group ids: the identity of the union. */
  key: string;
  pods: AddressSet;
  /** The member pods of every group (computed on first call), for named ports resolved on peers. */
  members(): readonly PodInfo[];
}

/** Canonical identity of a peer group: `pods {tier In (web)} in namespace prod`; its hash is the group id. */
export function peerGroupSelector(peer: SelectorPeer, policyNamespace: string): string {
  const pods = `pods {${selectorKey(peer.podSelector ?? MATCH_ALL)}}`;
  return peer.namespaceSelector
    ? `${pods} in namespaces {${selectorKey(peer.namespaceSelector)}}`
    : `${pods} in namespace ${policyNamespace}`;
}

export class Selection {
  private readonly index: PodIndex;
  private readonly targetMemo = new Map<string, TargetSelection>();
  private readonly namespaceMemo = new Map<string, string[]>();
  private readonly groupMemo = new Map<string, GroupSelection>();
  private readonly unionMemo = new Map<string, PeerUnion>();

  constructor(readonly inventory: Inventory, readonly nodeName: string | null) {
    this.index = new PodIndex(inventory);
  }

  /** The enforcement targets: selected pods of the policy's namespace on this node (every node when null). */
  targets(namespace: string, selector: Selector): TargetSelection {
    const key = `${namespace} {${selectorKey(selector)}}`;
    let hit = this.targetMemo.get(key);
    if (!hit) {
      const pods = this.index.select(namespace, selector).filter((pod) => isOnNode(pod, this.nodeName));
      hit = { key, pods, ids: pods.map((p) => p.id) };
      this.targetMemo.set(key, hit);
    }
    return hit;
  }

  /** "Pods matching podSelector in the namespaces selected by namespaceSelector" (else the policy's namespace). */
  peerGroup(peer: SelectorPeer, policyNamespace: string): GroupSelection {
    const selector = peerGroupSelector(peer, policyNamespace);
    let hit = this.groupMemo.get(selector);
    if (!hit) {
      const namespaces = peer.namespaceSelector ? this.namespaces(peer.namespaceSelector) : [policyNamespace];
      const members = namespaces.flatMap((ns) => this.index.select(ns, peer.podSelector ?? MATCH_ALL));
      const ranks = ranksOf(members);
      hit = { group: { id: hash16(selector), selector, pods: addressesOf(this.inventory.texts, ranks) }, members, ranks };
      this.groupMemo.set(selector, hit);
    }
    return hit;
  }

  /** The union of some groups (sorted by id, unique); one group's union is that group's own address set. */
  union(groups: readonly GroupSelection[]): PeerUnion {
    const key = groups.map((g) => g.group.id).join(',');
    let hit = this.unionMemo.get(key);
    if (!hit) {
      let members: PodInfo[] | undefined;
      hit = {
        key,
        pods: groups.length === 1 ? groups[0].group.pods : unionOf(groups.map((g) => ({ ranks: g.ranks, addresses: g.group.pods }))).addresses,
        members: () => (members ??= [...new Set(groups.flatMap((g) => g.members))]),
      };
      this.unionMemo.set(key, hit);
    }
    return hit;
  }

  /** The addresses of these pods, sorted and unique. */
  addressesOf(pods: Iterable<PodInfo>): AddressSet {
    return addressesOf(this.inventory.texts, ranksOf(pods));
  }

  private namespaces(selector: Selector): string[] {
    const key = selectorKey(selector);
    let hit = this.namespaceMemo.get(key);
    if (!hit) {
      hit = [...this.inventory.namespaces].filter(([, labels]) => matchesSelector(selector, labels)).map(([name]) => name);
      this.namespaceMemo.set(key, hit);
    }
    return hit;
  }
}
