/**
 * A small typed model of the nftables statements we emit. Every node prints both as `nft -f` text
 * and as libnftables JSON, so the two outputs can never drift apart.
 */

export type NftFamily = 'ip' | 'ip6';

export type Expr =
  | { payload: { protocol: string; field: string } }
  | { meta: string }
  | { ct: { key: string; dir?: 'original' | 'reply'; family?: NftFamily } }
  | { fib: { flags: string[]; result: string } }
  | { numgen: number }
  | { concat: Expr[] }
  | { setRef: string }
  | { value: string | number }
  /** Anonymous set, e.g. `{ established, related }`. */
  | { anonSet: (string | number)[] }
  | { binop: { op: '|' | '&' | '^'; left: Expr; right: Expr } };

export type Stmt =
  | { match: { left: Expr; op: '==' | '!=' | 'in'; right: Expr } }
  | { mangle: { key: Expr; value: Expr } }
  | { vmap: { key: Expr; map: string } }
  | { jump: string }
  | { goto: string }
  | { dnatMap: { family: NftFamily; key: Expr; map: string } }
  | { masquerade: true }
  | { reject: 'tcp reset' | 'default' }
  | { drop: true }
  | { accept: true }
  | { return: true }
  | { mapUpdate: { map: string; key: Expr; timeout: number; data: Expr } }
  | { counter: true };

export interface Rule {
  stmts: Stmt[];
  comment?: string;
}

export const ipField = (family: NftFamily, field: 'saddr' | 'daddr'): Expr => ({ payload: { protocol: family, field } });
export const thDport: Expr = { payload: { protocol: 'th', field: 'dport' } };
export const l4proto: Expr = { meta: 'l4proto' };
export const mark: Expr = { meta: 'mark' };
export const concat = (...parts: Expr[]): Expr => ({ concat: parts });
export const setRef = (name: string): Expr => ({ setRef: name });
export const value = (v: string | number): Expr => ({ value: v });
export const match = (left: Expr, right: Expr, op: '==' | '!=' | 'in' = '=='): Stmt => ({ match: { left, op, right } });
export const fibSaddrLocal: Stmt = match({ fib: { flags: ['saddr'], result: 'type' } }, value('local'));
export const ctStateNew: Stmt = match({ ct: { key: 'state' } }, value('new'), 'in');
export const ctStatusDnat: Stmt = match({ ct: { key: 'status' } }, value('dnat'), 'in');

// ---- text ----

export function exprText(e: Expr): string {
  if ('payload' in e) return `${e.payload.protocol} ${e.payload.field}`;
  if ('meta' in e) return `meta ${e.meta}`;
  if ('ct' in e) return ['ct', e.ct.dir, e.ct.family, e.ct.key].filter(Boolean).join(' ');
  if ('fib' in e) return `fib ${e.fib.flags.join(' . ')} ${e.fib.result}`;
  if ('numgen' in e) return `numgen random mod ${e.numgen}`;
  if ('concat' in e) return e.concat.map(exprText).join(' . ');
  if ('setRef' in e) return `@${e.setRef}`;
  if ('value' in e) return typeof e.value === 'number' && e.value >= 256 ? `0x${e.value.toString(16).padStart(8, '0')}` : String(e.value);
  if ('anonSet' in e) return `{ ${e.anonSet.join(', ')} }`;
  return `${exprText(e.binop.left)} ${e.binop.op} ${exprText(e.binop.right)}`;
}

function stmtText(s: Stmt): string {
  if ('match' in s) {
    const { left, op, right } = s.match;
    if (op === '!=') return `${exprText(left)} != ${exprText(right)}`;
    return 'binop' in left ? `${exprText(left)} == ${exprText(right)}` : `${exprText(left)} ${exprText(right)}`;
  }
  if ('mangle' in s) return `${exprText(s.mangle.key)} set ${exprText(s.mangle.value)}`;
  if ('vmap' in s) return `${exprText(s.vmap.key)} vmap @${s.vmap.map}`;
  if ('jump' in s) return `jump ${s.jump}`;
  if ('goto' in s) return `goto ${s.goto}`;
  if ('dnatMap' in s) return `dnat ${s.dnatMap.family} to ${exprText(s.dnatMap.key)} map @${s.dnatMap.map}`;
  if ('masquerade' in s) return 'masquerade fully-random';
  if ('reject' in s) return s.reject === 'tcp reset' ? 'reject with tcp reset' : 'reject';
  if ('drop' in s) return 'drop';
  if ('accept' in s) return 'accept';
  if ('return' in s) return 'return';
  if ('mapUpdate' in s) {
    const u = s.mapUpdate;
    return `update @${u.map} { ${exprText(u.key)} timeout ${u.timeout}s : ${exprText(u.data)} }`;
  }
  return 'counter';
}

export function ruleText(r: Rule): string {
  const body = r.stmts.map(stmtText).join(' ');
  return r.comment ? `${body} comment ${quote(r.comment)}` : body;
}

export function quote(s: string): string {
  return `"${s.replace(/["\\]/g, '')}"`;
}

// ---- libnftables JSON (the shapes `nft -j list ruleset` prints) ----

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export function exprJson(e: Expr): Json {
  if ('payload' in e) return { payload: { protocol: e.payload.protocol, field: e.payload.field } };
  if ('meta' in e) return { meta: { key: e.meta } };
  if ('ct' in e) {
    const key = e.ct.family ? `${e.ct.family} ${e.ct.key}` : e.ct.key;
    return { ct: e.ct.dir ? { key, dir: e.ct.dir } : { key } };
  }
  if ('fib' in e) return { fib: { result: e.fib.result, flags: e.fib.flags } };
  if ('numgen' in e) return { numgen: { mode: 'random', mod: e.numgen, offset: 0 } };
  if ('concat' in e) return { concat: e.concat.map(exprJson) };
  if ('setRef' in e) return `@${e.setRef}`;
  if ('value' in e) return e.value;
  if ('anonSet' in e) return { set: e.anonSet };
  return { [e.binop.op]: [exprJson(e.binop.left), exprJson(e.binop.right)] };
}

function stmtJson(s: Stmt): Json {
  if ('match' in s) return { match: { op: s.match.op, left: exprJson(s.match.left), right: exprJson(s.match.right) } };
  if ('mangle' in s) return { mangle: { key: exprJson(s.mangle.key), value: exprJson(s.mangle.value) } };
  if ('vmap' in s) return { vmap: { key: exprJson(s.vmap.key), data: `@${s.vmap.map}` } };
  if ('jump' in s) return { jump: { target: s.jump } };
  if ('goto' in s) return { goto: { target: s.goto } };
  if ('dnatMap' in s) return { dnat: { family: s.dnatMap.family, addr: { map: { key: exprJson(s.dnatMap.key), data: `@${s.dnatMap.map}` } } } };
  if ('masquerade' in s) return { masquerade: { flags: 'fully-random' } };
  if ('reject' in s) return { reject: s.reject === 'tcp reset' ? { type: 'tcp reset' } : null };
  if ('drop' in s) return { drop: null };
  if ('accept' in s) return { accept: null };
  if ('return' in s) return { return: null };
  if ('mapUpdate' in s) {
    const u = s.mapUpdate;
    return { map: { op: 'update', elem: { elem: { val: exprJson(u.key), timeout: u.timeout } }, data: exprJson(u.data), map: `@${u.map}` } };
  }
  return { counter: null };
}

export function ruleExprJson(r: Rule): Json[] {
  return r.stmts.map(stmtJson);
}
