import type { Inventory, PodInfo } from './inventory.js';
import { compareStrings } from './objects.js';
import { matchesSelector, type Selector } from './selectors.js';

/**
 * Pods of a namespace indexed by label, so a selector starts from the smallest candidate list one
 * of its In / Exists requirements allows instead of scanning the namespace. An index is built per
 * (namespace, label key) on first use: selectors name few keys. Results keep the inventory's
 * order (by pod id).
 */
interface KeyIndex {
  /** Pods having the key. */
  all: PodInfo[];
  byValue: Map<string, PodInfo[]>;
}

export class PodIndex {
  private readonly keys = new Map<string, KeyIndex>();

  constructor(private readonly inventory: Inventory) {}

  /** Pods of `namespace` matching `selector`, in id order. */
  select(namespace: string, selector: Selector): PodInfo[] {
    const pods = this.inventory.podsByNamespace.get(namespace) ?? [];
    if (selector.requirements.length === 0 || pods.length === 0) return pods;
    let best: PodInfo[] = pods;
    let merged = false;
    for (const r of selector.requirements) {
      if (r.operator !== 'In' && r.operator !== 'Exists') continue;
      const index = this.indexOf(namespace, pods, r.key);
      let candidates = index.all;
      let many = false;
      if (r.operator === 'In') {
        const lists = r.values.map((v) => index.byValue.get(v)).filter((l): l is PodInfo[] => l !== undefined);
        candidates = lists.length === 1 ? lists[0] : lists.flat();
        many = lists.length > 1;
      }
      if (candidates.length < best.length) {
        best = candidates;
        merged = many;
      }
      if (best.length === 0) return [];
    }
    const out = best.filter((pod) => matchesSelector(selector, pod.labels));
    // Lists of several values are each in id order, not together.
    return merged ? out.sort((a, b) => compareStrings(a.id, b.id)) : out;
  }

  private indexOf(namespace: string, pods: readonly PodInfo[], key: string): KeyIndex {
    const id = `${namespace}\n${key}`;
    let index = this.keys.get(id);
    if (index) return index;
    index = { all: [], byValue: new Map() };
    for (const pod of pods) {
      if (!Object.hasOwn(pod.labels, key)) continue;
      const value = pod.labels[key];
      index.all.push(pod);
      const list = index.byValue.get(value);
      if (list) list.push(pod);
      else index.byValue.set(value, [pod]);
    }
    this.keys.set(id, index);
    return index;
  }
}
