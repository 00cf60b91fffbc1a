import type { Element } from './ruleset.js';
import { elementText } from './text.js';

/** Text of an element's key: the identity of an element within its set. */
export const keyText = (e: Element) => e.keyText ?? e.key.join(' . ');

/**
 * The winning owner's element, plus the other owners' elements when a key is shared (hairpin addresses,
 * ClusterIPs of several ports, conflicts). Most keys have one owner, so `others` stays undefined.
 */
interface Entry {
  winner: string;
  element: Element;
  others?: Map<string, Element>;
}

export interface ElementChange {
  set: string;
  /** Present before (delete it) and/or after (add it). A changed value is a delete plus an add. */
  before?: Element;
  after?: Element;
}

/** Equal elements under one key; key-only ones (hairpins, addresses) are equal without being printed. */
const same = (a: Element, b: Element) => a === b || (keyOnly(a) && keyOnly(b)) || elementText(a) === elementText(b);
const keyOnly = (e: Element) => !e.comment && !e.verdict && !e.data;

/** What a table is printed from: the current elements of each set. */
export interface ElementSource {
  elements(set: string): Element[];
}

/**
 * Elements of every set with the owners (service ports) that want them. Shared by the full render and
 * the daemon's incremental sync, so both agree on which element wins when two owners claim a key:
 * the smallest owner id, whatever the input order.
 */
export class ElementIndex {
  private readonly sets = new Map<string, Map<string, Entry>>();
  readonly conflicts: { set: string; key: string; winner: string; loser: string }[] = [];

  /** Replaces what `owner` contributes; returns the element changes the kernel must see. */
  replace(owner: string, before: Record<string, Element[] | undefined>, after: Record<string, Element[] | undefined>): ElementChange[] {
    const changes: ElementChange[] = [];
    const names = new Set([...Object.keys(before), ...Object.keys(after)]);
    for (const set of names) {
      const oldList = before[set] ?? [];
      const newList = after[set] ?? [];
      if (oldList.length === 0) {
        for (const e of newList) this.add(set, keyText(e), owner, e, changes);
        continue;
      }
      const newByKey = new Map(newList.map((e) => [keyText(e), e]));
      const oldByKey = new Map(oldList.map((e) => [keyText(e), e]));
      for (const [key, e] of oldByKey) {
        const next = newByKey.get(key);
        if (!next || !same(next, e)) this.remove(set, key, owner, changes);
      }
      for (const [key, e] of newByKey) {
        const prev = oldByKey.get(key);
        if (!prev || !same(prev, e)) this.add(set, key, owner, e, changes);
      }
    }
    return changes;
  }

  /**
   * Adds a first contribution without reporting changes: the full render and a full rebuild need
   * the resulting elements only, and 100k change records would be pure garbage there. `skip`: sets the
   * caller keeps itself (the one-shot render's endpoint maps).
   */
  load(owner: string, contribution: Record<string, Element[] | undefined>, skip?: ReadonlySet<string>): void {
    for (const [set, elements] of Object.entries(contribution)) {
      if (skip?.has(set)) continue;
      let entries = this.sets.get(set);
      if (!entries) this.sets.set(set, (entries = new Map()));
      for (const e of elements ?? []) {
        const key = keyText(e);
        const entry = entries.get(key);
        if (!entry) entries.set(key, { winner: owner, element: e });
        else this.add(set, key, owner, e, []);
      }
    }
  }

  /** Current elements of a set, in first-insertion order. */
  elements(set: string): Element[] {
    const entries = this.sets.get(set);
    if (!entries) return [];
    const out: Element[] = new Array(entries.size);
    let i = 0;
    for (const entry of entries.values()) out[i++] = entry.element;
    return out;
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
      entries.set(key, { winner: owner, element: e });
      changes.push({ set, after: e });
      return;
    }
    if (owner === entry.winner) {
      if (!same(entry.element, e)) changes.push({ set, before: entry.element, after: e });
      entry.element = e;
      return;
    }
    const others = (entry.others ??= new Map());
    if (owner < entry.winner) {
      if (!same(entry.element, e)) {
        this.conflicts.push({ set, key, winner: owner, loser: entry.winner });
        changes.push({ set, before: entry.element, after: e });
      }
      others.set(entry.winner, entry.element);
      entry.winner = owner;
      entry.element = e;
    } else {
      if (!same(entry.element, e)) this.conflicts.push({ set, key, winner: entry.winner, loser: owner });
      others.set(owner, e);
    }
  }

  private remove(set: string, key: string, owner: string, changes: ElementChange[]): void {
    const entries = this.sets.get(set);
    const entry = entries?.get(key);
    if (!entries || !entry) return;
    if (owner !== entry.winner) {
      entry.others?.delete(owner);
      return;
    }
    if (!entry.others || entry.others.size === 0) {
      entries.delete(key);
      changes.push({ set, before: entry.element });
      return;
    }
    const next = [...entry.others.keys()].sort()[0];
    const element = entry.others.get(next)!;
    entry.others.delete(next);
    if (!same(element, entry.element)) changes.push({ set, before: entry.element, after: element });
    entry.winner = next;
    entry.element = element;
  }
}
