import type { Element } from './ruleset.js';
import { elementText } from './text.js';

/** Text of an element's key: the identity of an element within its set. */
export const keyText = (e: Element) => e.key.join(' . ');

interface Entry {
  /** Owner id → that owner's element; the smallest id wins, so input order never matters. */
  owners: Map<string, Element>;
  winner: string;
}

export interface ElementChange {
  set: string;
  /** Present before (delete it) and/or after (add it). A changed value is a delete plus an add. */
  before?: Element;
  after?: Element;
}

/**
 * Elements of every set with the owners (service ports) that want them. Shared by the full render and
 * the daemon's incremental sync, so both agree on which element wins when two services claim a key.
 */
export class ElementIndex {
  private readonly sets = new Map<string, Map<string, Entry>>();
  readonly conflicts: { set: string; key: string; winner: string; loser: string }[] = [];

  /** Replaces what `owner` contributes; returns the element changes the kernel must see. */
  replace(owner: string, before: Record<string, Element[] | undefined>, after: Record<string, Element[] | undefined>): ElementChange[] {
    const changes: ElementChange[] = [];
    const names = new Set([...Object.keys(before), ...Object.keys(after)]);
    for (const set of names) {
      const oldByKey = new Map((before[set] ?? []).map((e) => [keyText(e), e]));
      const newByKey = new Map((after[set] ?? []).map((e) => [keyText(e), e]));
      for (const [key, e] of oldByKey) {
        const next = newByKey.get(key);
        if (next && elementText(next) === elementText(e)) continue;
        this.remove(set, key, owner, changes);
      }
      for (const [key, e] of newByKey) {
        const prev = oldByKey.get(key);
        if (prev && elementText(prev) === elementText(e)) continue;
        this.add(set, key, owner, e, changes);
      }
    }
    return changes;
  }

  /** Current elements of a set, in first-insertion order. */
  elements(set: string): Element[] {
    return [...(this.sets.get(set)?.values() ?? [])].map((entry) => entry.owners.get(entry.winner)!);
  }

  count(): number {
    let n = 0;
    for (const s of this.sets.values()) n += s.size;
    return n;
  }

  private add(set: string, key: string, owner: string, e: Element, changes: ElementChange[]): void {
    let entries = this.sets.get(set);
    if (!entries) this.sets.set(set, (entries = new Map()));
    const entry = entries.get(key);
    if (!entry) {
      entries.set(key, { owners: new Map([[owner, e]]), winner: owner });
      changes.push({ set, after: e });
      return;
    }
    const current = entry.owners.get(entry.winner)!;
    entry.owners.set(owner, e);
    if (owner === entry.winner || owner < entry.winner) {
      if (owner !== entry.winner && elementText(current) !== elementText(e)) this.conflicts.push({ set, key, winner: owner, loser: entry.winner });
      entry.winner = owner;
      if (elementText(current) !== elementText(e)) changes.push({ set, before: current, after: e });
    } else if (elementText(current) !== elementText(e)) {
      this.conflicts.push({ set, key, winner: entry.winner, loser: owner });
    }
  }

  private remove(set: string, key: string, owner: string, changes: ElementChange[]): void {
    const entries = this.sets.get(set);
    const entry = entries?.get(key);
    if (!entries || !entry || !entry.owners.has(owner)) return;
    const current = entry.owners.get(entry.winner)!;
    entry.owners.delete(owner);
    if (entry.owners.size === 0) {
      entries.delete(key);
      changes.push({ set, before: current });
      return;
    }
    if (owner !== entry.winner) return;
    entry.winner = [...entry.owners.keys()].sort()[0];
    const next = entry.owners.get(entry.winner)!;
    if (elementText(next) !== elementText(current)) changes.push({ set, before: current, after: next });
  }
}
