import { z } from 'zod';

/**
 * The subset of libnftables JSON (libnftables-json(5)) that proxyctl emits. Strict: an object we did not
 * mean to produce fails validation before it is printed or applied.
 */

const Family = z.enum(['ip', 'ip6', 'inet']);
const Ident = z.string().regex(/^[a-z][a-z0-9-]*$/);
const SetRef = z.string().regex(/^@[a-z][a-z0-9-]*$/);

export type Expression = string | number | { [k: string]: unknown };

export const Expression: z.ZodType<Expression> = z.lazy(() => z.union([
  z.string(),
  z.number().int(),
  z.strictObject({ payload: z.strictObject({ protocol: z.enum(['ip', 'ip6', 'th', 'tcp', 'udp', 'sctp', 'icmpv6']), field: z.enum(['saddr', 'daddr', 'sport', 'dport', 'type']) }) }),
  z.strictObject({ meta: z.strictObject({ key: z.enum(['l4proto', 'mark', 'nfproto', 'iifname', 'oifname']) }) }),
  z.strictObject({ ct: z.strictObject({ key: z.string(), dir: z.enum(['original', 'reply']).optional() }) }),
  z.strictObject({ fib: z.strictObject({ result: z.enum(['type', 'oif']), flags: z.array(z.enum(['saddr', 'daddr', 'iif', 'oif'])) }) }),
  z.strictObject({ numgen: z.strictObject({ mode: z.literal('random'), mod: z.number().int().positive(), offset: z.literal(0) }) }),
  z.strictObject({ concat: z.array(Expression).min(2) }),
  z.strictObject({ prefix: z.strictObject({ addr: z.string(), len: z.number().int().min(0).max(128) }) }),
  z.strictObject({ '|': z.tuple([Expression, Expression]) }),
  z.strictObject({ '&': z.tuple([Expression, Expression]) }),
  z.strictObject({ '^': z.tuple([Expression, Expression]) }),
  z.strictObject({ set: z.array(Expression) }),
  z.strictObject({ range: z.tuple([Expression, Expression]) }),
]));

const Verdict = z.union([
  z.strictObject({ jump: z.strictObject({ target: Ident }) }),
  z.strictObject({ goto: z.strictObject({ target: Ident }) }),
  z.strictObject({ drop: z.null() }),
  z.strictObject({ accept: z.null() }),
  z.strictObject({ return: z.null() }),
]);

export const Statement = z.union([
  z.strictObject({ match: z.strictObject({ op: z.enum(['==', '!=', 'in']), left: Expression, right: Expression }) }),
  z.strictObject({ mangle: z.strictObject({ key: Expression, value: Expression }) }),
  z.strictObject({ vmap: z.strictObject({ key: Expression, data: SetRef }) }),
  z.strictObject({ dnat: z.strictObject({ family: Family, addr: z.strictObject({ map: z.strictObject({ key: Expression, data: SetRef }) }) }) }),
  z.strictObject({ masquerade: z.strictObject({ flags: z.literal('fully-random') }) }),
  z.strictObject({ reject: z.union([z.null(), z.strictObject({ type: z.literal('tcp reset') })]) }),
  z.strictObject({ map: z.strictObject({ op: z.literal('update'), elem: z.strictObject({ elem: z.strictObject({ val: Expression, timeout: z.number().int().positive() }) }), data: Expression, map: SetRef }) }),
  z.strictObject({ counter: z.null() }),
  Verdict,
]);
export type Statement = z.infer<typeof Statement>;

const ElementKey = z.union([Expression, z.strictObject({ elem: z.strictObject({ val: Expression, comment: z.string().max(128) }) })]);

const SetBody = z.strictObject({
  family: Family,
  name: Ident,
  table: Ident,
  type: z.union([z.string(), z.array(z.string()).min(2)]),
  map: z.union([z.string(), z.array(z.string()).min(2)]).optional(),
  flags: z.array(z.enum(['interval', 'timeout', 'dynamic', 'constant'])).optional(),
  size: z.number().int().positive().optional(),
  comment: z.string().max(128).optional(),
  elem: z.array(z.union([ElementKey, z.tuple([ElementKey, z.union([Expression, Verdict])])])).optional(),
});

export const NftObject = z.union([
  z.strictObject({ metainfo: z.strictObject({ json_schema_version: z.literal(1) }) }),
  z.strictObject({ table: z.strictObject({ family: Family, name: Ident, comment: z.string().max(128).optional() }) }),
  z.strictObject({ set: SetBody }),
  z.strictObject({ map: SetBody.extend({ map: z.union([z.string(), z.array(z.string()).min(2)]) }) }),
  z.strictObject({
    chain: z.strictObject({
      family: Family, table: Ident, name: Ident,
      type: z.enum(['filter', 'nat']).optional(),
      hook: z.enum(['prerouting', 'input', 'forward', 'output', 'postrouting']).optional(),
      prio: z.number().int().optional(),
      policy: z.enum(['accept', 'drop']).optional(),
      comment: z.string().max(128).optional(),
    }),
  }),
  z.strictObject({ rule: z.strictObject({ family: Family, table: Ident, chain: Ident, expr: z.array(Statement).min(1), comment: z.string().max(128).optional() }) }),
]);
export type NftObject = z.infer<typeof NftObject>;

export const NftJson = z.strictObject({ nftables: z.array(NftObject) });
export type NftJson = z.infer<typeof NftJson>;
