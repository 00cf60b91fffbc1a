import type { NftFamily } from '../backends/nftables/ast.js';
import { memberElement, type MemberElement } from '../backends/nftables/policy/members.js';
import { POLICY_TABLE } from '../backends/nftables/policy/names.js';
import type { Element, Table } from '../backends/nftables/ruleset.js';
import { elementText } from '../backends/nftables/text.js';
import type { Member } from '../policy/membership.js';

const keyOf = (e: Element) => e.key.join(' . ');

/**
 * Pod members added and removed, applied to the committed policy tables: the element transaction and
 * the tables as they will be once it commits (the sets it touches copied, the rest shared). Undefined
 * when a member's set is not in the tables: then the tables need more than elements (full path).
 */
export function applyNftMembers(applied: ReadonlyMap<NftFamily, Table>, added: readonly Member[], removed: readonly Member[]): { transaction: string; tables: Map<NftFamily, Table> } | undefined {
  const bySet = new Map<string, { family: NftFamily; set: string; gone: Element[]; come: Element[] }>();
  const entry = (e: MemberElement) => {
    const id = `${e.family} ${e.set}`;
    let hit = bySet.get(id);
    if (!hit) bySet.set(id, (hit = { family: e.family, set: e.set, gone: [], come: [] }));
    return hit;
  };
  const tables = new Map(applied);
  for (const [members, side] of [[removed, 'gone'], [added, 'come']] as const) {
    for (const m of members) {
      const e = memberElement(m);
      if (!hasSet(applied, e)) {
        if (e.optional) continue;
        return undefined;
      }
      entry(e)[side].push(e.element);
    }
  }
  const lines: string[] = [];
  for (const { family, set, gone, come } of bySet.values()) {
    const table = tables.get(family)!;
    const index = table.sets.findIndex((s) => s.name === set);
    const original = table.sets[index].elements;
    const current = new Map(original.map((e) => [keyOf(e), e]));
    const before = new Map<string, string>();
    for (const e of [...gone, ...come]) {
      const was = current.get(keyOf(e));
      if (!before.has(keyOf(e))) before.set(keyOf(e), was ? elementText(was) : '');
    }
    for (const e of gone) current.delete(keyOf(e));
    for (const e of come) current.set(keyOf(e), e);
    // Only keys whose element really differs; a map element whose verdict changes is deleted first
    // (nft refuses to add over it).
    const realDeletes: string[] = [];
    const realAdds: Element[] = [];
    for (const [key, was] of before) {
      const now = current.get(key);
      if (now && elementText(now) === was) continue;
      if (was) realDeletes.push(key);
      if (now) realAdds.push(now);
    }
    const target = `${family} ${POLICY_TABLE} ${set}`;
    if (realDeletes.length) lines.push(`delete element ${target} { ${realDeletes.join(', ')} }`);
    if (realAdds.length) lines.push(`add element ${target} { ${realAdds.map(elementText).join(', ')} }`);
    const sets = [...table.sets];
    sets[index] = { ...sets[index], elements: [...current.values()] };
    tables.set(family, { ...table, sets });
  }
  return { transaction: lines.length ? `${lines.join('\n')}\n` : '', tables };
}

function hasSet(applied: ReadonlyMap<NftFamily, Table>, e: MemberElement): boolean {
  return applied.get(e.family)?.sets.some((s) => s.name === e.set) ?? false;
}
