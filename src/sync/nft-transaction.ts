import { ruleText } from '../backends/nftables/ast.js';
import type { NftFamily } from '../backends/nftables/ast.js';
import type { ElementChange } from '../backends/nftables/element-index.js';
import { SET, TABLE } from '../backends/nftables/names.js';
import type { Chain, Table } from '../backends/nftables/ruleset.js';
import { elementText, tableText } from '../backends/nftables/text.js';

const CHUNK = 2000;

/** Replace mode: the table is deleted and rebuilt in the same transaction (start-up, repair, after failure). */
export function replaceTableText(t: Table): string {
  return [`add table ${t.family} ${t.name}`, `delete table ${t.family} ${t.name}`, tableText(t)].join('\n') + '\n';
}

/**
 * Refresh mode: declare (idempotent), flush every set but the dynamic affinity map and every chain, drop
 * chains no longer wanted, then refill. Affinity entries survive the periodic resync.
 */
export function refreshTableText(t: Table, staleChains: string[]): string {
  const bare: Table = { ...t, sets: t.sets.map((s) => ({ ...s, elements: [] })), chains: t.chains.map((c) => ({ ...c, rules: [] })) };
  const lines = [tableText(bare)];
  for (const s of t.sets) if (s.name !== SET.affinity) lines.push(`flush ${s.dataType ? 'map' : 'set'} ${t.family} ${t.name} ${s.name}`);
  for (const c of t.chains) lines.push(`flush chain ${t.family} ${t.name} ${c.name}`);
  for (const c of staleChains) lines.push(`delete chain ${t.family} ${t.name} ${c}`);
  for (const c of t.chains) for (const r of c.rules) lines.push(`add rule ${t.family} ${t.name} ${c.name} ${ruleText(r)}`);
  for (const s of t.sets) {
    for (let i = 0; i < s.elements.length; i += CHUNK) {
      lines.push(`add element ${t.family} ${t.name} ${s.name} { ${s.elements.slice(i, i + CHUNK).map(elementText).join(', ')} }`);
    }
  }
  return lines.join('\n') + '\n';
}

/** Partial mode: new chains first, then element deletions and additions, then chains nobody points at. */
export function partialText(family: NftFamily, newChains: Chain[], changes: ElementChange[], goneChains: string[]): string {
  const lines: string[] = [];
  for (const c of newChains) {
    lines.push(`add chain ${family} ${TABLE} ${c.name}`);
    for (const r of c.rules) lines.push(`add rule ${family} ${TABLE} ${c.name} ${ruleText(r)}`);
  }
  const deletes = new Map<string, string[]>();
  const adds = new Map<string, string[]>();
  for (const { set, key, before, after } of netChanges(changes)) {
    if (before !== undefined && before !== after) push(deletes, set, key);
    if (after !== undefined && after !== before) push(adds, set, after);
  }
  for (const [set, keys] of deletes) lines.push(`delete element ${family} ${TABLE} ${set} { ${keys.join(', ')} }`);
  for (const [set, elems] of adds) lines.push(`add element ${family} ${TABLE} ${set} { ${elems.join(', ')} }`);
  for (const c of goneChains) lines.push(`delete chain ${family} ${TABLE} ${c}`);
  return lines.length ? lines.join('\n') + '\n' : '';
}

/**
 * One key can change twice in one batch (two ports of a shared key: the winner leaves, then the next owner
 * changes its own value). The kernel must see the net change — from what it held before the first change
 * to the last value — or it would be asked to delete one element twice.
 */
function netChanges(changes: ElementChange[]): { set: string; key: string; before?: string; after?: string }[] {
  const net = new Map<string, { set: string; key: string; before?: string; after?: string }>();
  for (const ch of changes) {
    const element = ch.before ?? ch.after!;
    const key = element.keyText ?? element.key.join(' . ');
    const id = `${ch.set}\n${key}`;
    const seen = net.get(id);
    const after = ch.after && elementText(ch.after);
    if (seen) seen.after = after;
    else net.set(id, { set: ch.set, key, before: ch.before && elementText(ch.before), after });
  }
  return [...net.values()];
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
