import { quote, ruleText } from './ast.js';
import type { Chain, Element, NftSet, Table } from './ruleset.js';

/** `nft -f` input: each table is declared, then deleted and recreated whole, atomically. */
export function tablesText(tables: Table[]): string {
  const out: string[] = [];
  for (const t of tables) {
    // `add` then `delete` makes a full load idempotent whether or not the table exists.
    out.push(`add table ${t.family} ${t.name}`, `delete table ${t.family} ${t.name}`);
  }
  // One join for the whole text: a join per table would copy every table's megabytes once more.
  for (const t of tables) appendTable(t, out);
  return out.join('\n') + '\n';
}

export function tableText(t: Table): string {
  const lines: string[] = [];
  appendTable(t, lines);
  return lines.join('\n');
}

/** A table's lines (an element list is one multi-line string), appended to `lines`. */
function appendTable(t: Table, lines: string[]): void {
  lines.push(`table ${t.family} ${t.name} {`, `\tcomment ${quote(t.comment)}`);
  // Appended line by line: a set with 300k elements would overflow push(...spread)'s argument limit.
  const append = (block: string[]) => {
    lines.push('');
    for (const line of block) lines.push(line);
  };
  for (const s of t.sets) append(setText(s));
  for (const c of t.chains) append(chainText(c));
  lines.push('}');
}

function setText(s: NftSet): string[] {
  const isMap = s.dataType !== undefined || s.dataTypeof !== undefined;
  const lines = [`\t${isMap ? 'map' : 'set'} ${s.name} {`];
  if (s.keyTypeof) lines.push(`\t\ttypeof ${s.keyTypeof} : ${s.dataTypeof}`);
  else lines.push(`\t\ttype ${s.keyType.join(' . ')}${isMap ? ` : ${(s.dataType ?? []).join(' . ')}` : ''}`);
  if (s.flags?.length) lines.push(`\t\tflags ${s.flags.join(',')}`);
  if (s.size) lines.push(`\t\tsize ${s.size}`);
  if (s.comment) lines.push(`\t\tcomment ${quote(s.comment)}`);
  if (s.elements.length) {
    lines.push('\t\telements = {');
    lines.push(elementLines(s.elements));
    lines.push('\t\t}');
  }
  lines.push('\t}');
  return lines;
}

const BATCH = 1024;

/**
 * Every element's line as one string. Printing does not memoize the element texts, and joins them in
 * batches, so the 100k+ short strings die young instead of being copied by every scavenge until the end.
 */
function elementLines(elements: Element[]): string {
  const batches: string[] = [];
  for (let start = 0; start < elements.length; start += BATCH) {
    const end = Math.min(start + BATCH, elements.length);
    const texts = new Array<string>(end - start);
    for (let i = start; i < end; i++) texts[i - start] = elements[i].text ?? formatElement(elements[i]);
    batches.push(texts.join(',\n\t\t\t'));
  }
  return '\t\t\t' + batches.join(',\n\t\t\t');
}

/** An element's text, memoized: the daemon compares and prints the same elements many times. */
export function elementText(e: Element): string {
  return (e.text ??= formatElement(e));
}

function formatElement(e: Element): string {
  let text = e.keyText ?? e.key.join(' . ');
  if (e.comment) text += ` comment ${quote(e.comment)}`;
  if (e.data) text += ` : ${e.data.join(' . ')}`;
  if (e.verdict) text += ` : ${typeof e.verdict === 'string' ? e.verdict : `${e.verdict.kind} ${e.verdict.target}`}`;
  return text;
}

function chainText(c: Chain): string[] {
  const lines = [`\tchain ${c.name} {`];
  if (c.base) lines.push(`\t\ttype ${c.base.type} hook ${c.base.hook} priority ${c.base.priority}; policy accept;`);
  if (c.comment) lines.push(`\t\tcomment ${quote(c.comment)}`);
  for (const r of c.rules) lines.push(`\t\t${ruleText(r)}`);
  lines.push('\t}');
  return lines;
}
