import { ruleExprJson, type Json } from './ast.js';
import type { Element, NftSet, Table } from './ruleset.js';

/** libnftables JSON with the same content as the text form (metainfo, tables, sets/maps, chains, rules). */
export function tablesJson(tables: Table[]): { nftables: Json[] } {
  const items: Json[] = [{ metainfo: { json_schema_version: 1 } }];
  for (const t of tables) {
    const base = { family: t.family, table: t.name };
    items.push({ table: { family: t.family, name: t.name, comment: t.comment } });
    for (const s of t.sets) items.push(setJson(t, s));
    for (const c of t.chains) {
      items.push({
        chain: {
          ...base, name: c.name,
          ...(c.base ? { type: c.base.type, hook: c.base.hook, prio: c.base.prio, policy: 'accept' } : {}),
          ...(c.comment ? { comment: c.comment } : {}),
        },
      });
    }
    for (const c of t.chains) {
      for (const r of c.rules) {
        items.push({ rule: { ...base, chain: c.name, expr: ruleExprJson(r), ...(r.comment ? { comment: r.comment } : {}) } });
      }
    }
  }
  return { nftables: items };
}

function setJson(t: Table, s: NftSet): Json {
  const isMap = s.dataType !== undefined || s.dataTypeof !== undefined;
  const type: Json = s.keyType.length === 1 ? s.keyType[0] : s.keyType;
  const body: { [k: string]: Json } = { family: t.family, name: s.name, table: t.name, type };
  if (isMap) body.map = (s.dataType ?? []).length === 1 ? s.dataType![0] : (s.dataType ?? []);
  if (s.flags?.length) body.flags = s.flags;
  if (s.size) body.size = s.size;
  if (s.comment) body.comment = s.comment;
  if (s.elements.length) body.elem = s.elements.map((e) => elementJson(e, isMap));
  return { [isMap ? 'map' : 'set']: body };
}

function partsJson(parts: (string | number)[]): Json {
  const vals = parts.map(literalJson);
  return vals.length === 1 ? vals[0] : { concat: vals };
}

/** A CIDR literal becomes a prefix object; numbers stay numbers. */
function literalJson(part: string | number): Json {
  if (typeof part === 'number') return part;
  const slash = part.indexOf('/');
  if (slash > 0) return { prefix: { addr: part.slice(0, slash), len: Number(part.slice(slash + 1)) } };
  return part;
}

function elementJson(e: Element, isMap: boolean): Json {
  const key = partsJson(e.key);
  const val: Json = e.comment ? { elem: { val: key, comment: e.comment } } : key;
  if (!isMap) return val;
  let data: Json;
  if (e.verdict) data = typeof e.verdict === 'string' ? { [e.verdict]: null } : { [e.verdict.kind]: { target: e.verdict.target } };
  else data = partsJson(e.data ?? []);
  return [val, data];
}
