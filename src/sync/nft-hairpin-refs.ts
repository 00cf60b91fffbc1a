import { SET } from '../backends/nftables/names.js';
import type { ElementChange } from '../backends/nftables/element-index.js';
import type { Element } from '../backends/nftables/ruleset.js';

const hairpinElement = (ip: string): Element => ({ key: [ip, ip] });

/**
 * The hairpin set (`addr . addr` for every local endpoint address) as a count of the ports that use each
 * address. Most addresses back several ports; as elements of the index each would hold an entry, a key
 * string and a map of the other owners (~12 MB at 10k services). Elements are made when printed.
 */
export class HairpinRefs {
  private readonly users = new Map<string, number>();

  /** `addresses`: one port's distinct local endpoint addresses. No change records (full rebuild). */
  load(addresses: readonly string[]): void {
    for (const ip of addresses) this.users.set(ip, (this.users.get(ip) ?? 0) + 1);
  }

  /** One port's addresses went from `before` to `after`; returns the set changes. */
  replace(before: readonly string[], after: readonly string[]): ElementChange[] {
    const changes: ElementChange[] = [];
    const kept = new Set(after);
    const had = new Set(before);
    for (const ip of before) {
      if (kept.has(ip)) continue;
      const n = (this.users.get(ip) ?? 0) - 1;
      if (n > 0) this.users.set(ip, n);
      else {
        this.users.delete(ip);
        changes.push({ set: SET.hairpin, before: hairpinElement(ip) });
      }
    }
    for (const ip of after) {
      if (had.has(ip)) continue;
      const n = (this.users.get(ip) ?? 0) + 1;
      this.users.set(ip, n);
      if (n === 1) changes.push({ set: SET.hairpin, after: hairpinElement(ip) });
    }
    return changes;
  }

  /** In first-use order, as the element index would hold them. */
  elements(): Element[] {
    return [...this.users.keys()].map(hairpinElement);
  }

  count(): number {
    return this.users.size;
  }
}
