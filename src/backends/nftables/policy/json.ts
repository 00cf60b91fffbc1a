import type { Json } from '../ast.js';
import { tablesJson } from '../json.js';
import type { Table } from '../ruleset.js';

const PORT_RANGE = /^(\d{1,5})-(\d{1,5})$/;
const RANK: Record<string, number> = { metainfo: 0, table: 1, chain: 2, set: 3, map: 3, rule: 4 };

/**
 * tablesJson, made loadable by `nft -j -f` for the policy tables:
 * - chains before sets and maps: a verdict-map element jumping to a chain not yet created fails
 *   with ENOENT (text input has no such ordering problem);
 * - an element part like `8000-8080` becomes `{"range": [8000, 8080]}` (as a string nft parses it
 *   as a service name and fails).
 */
export function policyTablesJson(tables: Table[]): { nftables: Json[] } {
  const items = tablesJson(tables).nftables;
  for (const item of items) {
    const body = isObject(item) ? (item.set ?? item.map) : undefined;
    if (isObject(body) && Array.isArray(body.elem)) body.elem = body.elem.map(rangeParts);
  }
  // Stable within a table: group by table (each starts at its `table` item), then by rank.
  let table = 0;
  const keyed = items.map((item, i) => {
    const kind = isObject(item) ? Object.keys(item)[0] : '';
    if (kind === 'table') table += 1;
    return { item, table: kind === 'metainfo' ? 0 : table, rank: RANK[kind] ?? 5, i };
  });
  keyed.sort((a, b) => a.table - b.table || a.rank - b.rank || a.i - b.i);
  return { nftables: keyed.map((k) => k.item) };
}

function rangeParts(v: Json): Json {
  if (typeof v === 'string') {
    const m = PORT_RANGE.exec(v);
    return m ? { range: [Number(m[1]), Number(m[2])] } : v;
  }
  if (Array.isArray(v)) return v.map(rangeParts);
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === 'comment' ? x : rangeParts(x)]));
  return v;
}

function isObject(v: Json | undefined): v is { [k: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
