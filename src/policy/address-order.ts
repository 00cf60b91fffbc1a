import type { PodInfo } from './inventory.js';
import type { AddressSet } from './types.js';

/**
 * Addresses as sortable integers, so a set of pods becomes a sorted, unique address list by an
 * integer sort instead of parsing or string-comparing again. An IPv4 address is its own 32-bit
 * value (fixed at parse time); an IPv6 address is its rank among the inventory's IPv6 addresses.
 */

/** Sortable integers of some addresses, per family sorted and unique. */
export interface RankSet {
  ipv4: Uint32Array;
  ipv6: Uint32Array;
}

/** The 32-bit value of an IPv4 address from its addressSortKey (`4` + 8 hex digits). */
export function ipv4Value(key: string): number {
  return parseInt(key.slice(1), 16);
}

/** Canonical text of a 32-bit IPv4 value: what parseAddress returns for it. */
export function ipv4Text(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** IPv6 addresses (address → addressSortKey) in numeric order: rank → address. */
export function ipv6Order(keys: ReadonlyMap<string, string>): { order: string[]; rank: Map<string, number> } {
  const order = [...keys.keys()].sort((a, b) => {
    const ka = keys.get(a)!;
    const kb = keys.get(b)!;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  return { order, rank: new Map(order.map((a, i) => [a, i])) };
}

/** The address integers of these pods. */
export function ranksOf(pods: Iterable<PodInfo>): RankSet {
  const v4: number[] = [];
  const v6: number[] = [];
  for (const pod of pods) {
    for (const r of pod.ranks.ipv4) v4.push(r);
    for (const r of pod.ranks.ipv6) v6.push(r);
  }
  return { ipv4: uniqueSorted(Uint32Array.from(v4)), ipv6: uniqueSorted(Uint32Array.from(v6)) };
}

/** A sorted address list with its integers (parallel). */
export interface RankedAddresses {
  ranks: RankSet;
  addresses: AddressSet;
}

/** The union of sorted lists by merging: linear, and reuses the lists' own strings. */
export function unionOf(lists: readonly RankedAddresses[]): RankedAddresses {
  return lists.slice(1).reduce(merge2, lists[0] ?? { ranks: { ipv4: new Uint32Array(0), ipv6: new Uint32Array(0) }, addresses: { ipv4: [], ipv6: [] } });
}

function merge2(a: RankedAddresses, b: RankedAddresses): RankedAddresses {
  const out: RankedAddresses = { ranks: { ipv4: new Uint32Array(0), ipv6: new Uint32Array(0) }, addresses: { ipv4: [], ipv6: [] } };
  for (const family of ['ipv4', 'ipv6'] as const) {
    const [ra, rb, ta, tb] = [a.ranks[family], b.ranks[family], a.addresses[family], b.addresses[family]];
    const ranks = new Uint32Array(ra.length + rb.length);
    const texts: string[] = [];
    let i = 0;
    let j = 0;
    while (i < ra.length || j < rb.length) {
      const take = j >= rb.length || (i < ra.length && ra[i] <= rb[j]) ? 'a' : 'b';
      const r = take === 'a' ? ra[i] : rb[j];
      if (take === 'a') i++;
      else j++;
      if (texts.length > 0 && ranks[texts.length - 1] === r) continue;
      ranks[texts.length] = r;
      texts.push(take === 'a' ? ta[i - 1] : tb[j - 1]);
    }
    out.ranks[family] = ranks.subarray(0, texts.length);
    out.addresses[family] = texts;
  }
  return out;
}

/** Integer → address text per family, for the inventory's addresses. */
export interface AddressTexts {
  ipv4: ReadonlyMap<number, string>;
  ipv6: readonly string[];
}

/** Integers back to addresses, sorted numerically as every AddressSet of the plan. */
export function addressesOf(texts: AddressTexts, ranks: RankSet): AddressSet {
  return { ipv4: Array.from(ranks.ipv4, (n) => texts.ipv4.get(n) ?? ipv4Text(n)), ipv6: Array.from(ranks.ipv6, (r) => texts.ipv6[r]) };
}

function uniqueSorted(values: Uint32Array): Uint32Array {
  values.sort();
  let n = 0;
  for (let i = 0; i < values.length; i++) if (i === 0 || values[i] !== values[i - 1]) values[n++] = values[i];
  return values.subarray(0, n);
}
