import { ruleText } from '../backends/nftables/ast.js';
import type { NftSet, Table } from '../backends/nftables/ruleset.js';
import { elementText, tableText } from '../backends/nftables/text.js';
import { replaceTableText } from './nft-transaction.js';

const keyOf = (e: NftSet['elements'][number]) => e.key.join(' . ');

/**
 * The transaction that turns table `before` (what we committed) into `after`: new sets and chains
 * first, element and rule changes next, removed chains and sets last. Unchanged parts are not sent.
 */
export function diffTable(before: Table | undefined, after: Table): string {
  if (!before) return replaceTableText(after);
  const f = `${after.family} ${after.name}`;
  const lines: string[] = [];
  const oldSets = new Map(before.sets.map((s) => [s.name, s]));
  const newSets = new Map(after.sets.map((s) => [s.name, s]));
  const oldChains = new Map(before.chains.map((c) => [c.name, c.rules.map(ruleText).join('\n')]));
  const createdSets = after.sets.filter((s) => !oldSets.has(s.name));
  const createdChains = after.chains.filter((c) => !oldChains.has(c.name));
  if (createdSets.length || createdChains.length) {
    // Declared in block form (elements included, rules not yet: chains may jump to each other).
    lines.push(tableText({ ...after, sets: createdSets, chains: createdChains.map((c) => ({ ...c, rules: [] })) }));
  }
  for (const s of after.sets) {
    const old = oldSets.get(s.name);
    if (!old) continue;
    const was = new Map(old.elements.map((e) => [keyOf(e), elementText(e)]));
    const now = new Map(s.elements.map((e) => [keyOf(e), elementText(e)]));
    const gone = [...was].filter(([k, t]) => now.get(k) !== t).map(([k]) => k);
    const added = [...now].filter(([k, t]) => was.get(k) !== t).map(([, t]) => t);
    if (gone.length) lines.push(`delete element ${f} ${s.name} { ${gone.join(', ')} }`);
    if (added.length) lines.push(`add element ${f} ${s.name} { ${added.join(', ')} }`);
  }
  for (const c of after.chains) {
    const text = c.rules.map(ruleText).join('\n');
    const old = oldChains.get(c.name);
    if (old === text) continue;
    if (old !== undefined) lines.push(`flush chain ${f} ${c.name}`);
    for (const r of c.rules) lines.push(`add rule ${f} ${c.name} ${ruleText(r)}`);
  }
  const removedChains = before.chains.filter((c) => !after.chains.some((n) => n.name === c.name));
  for (const c of removedChains) lines.push(`flush chain ${f} ${c.name}`);
  for (const c of removedChains) lines.push(`delete chain ${f} ${c.name}`);
  for (const s of before.sets) if (!newSets.has(s.name)) lines.push(`delete ${s.dataType || s.dataTypeof ? 'map' : 'set'} ${f} ${s.name}`);
  return lines.length ? lines.join('\n') + '\n' : '';
}
