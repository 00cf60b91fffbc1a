import { CHAIN } from './names.js';
import { BUILTIN_CHAINS, type NodeRules } from './node-rules.js';
import { hairpinRules } from './hairpin.js';
import { SHARED_CHAINS, type OwnChain, type PortRules, type SharedKey } from './port-rules.js';
import { joinSinks, TextSink } from './text-sink.js';

export interface RestoreTextOptions {
  /** Jump rules in built-in chains; the daemon leaves them out (a --noflush restore would duplicate them). */
  hooks?: boolean;
  /** Our chains to delete (declared, which flushes them, then `-X`). */
  stale?: Record<'nat' | 'filter', string[]>;
  /** Start each table with `-S` (see LIST_FIRST_ABOVE_LINES in the daemon). */
  listFirst?: boolean;
}

type Table = 'nat' | 'filter';

/**
 * The whole ruleset as iptables-restore input: per table, every chain declared, then rules grouped by
 * chain (hooks first, then chains in declaration order) so the output reads top-down. One pass over
 * the ports (they may be rendered on the fly), each part of the text into its own sink.
 */
export function restoreText(node: NodeRules, ports: Iterable<PortRules>, opts: RestoreTextOptions = {}): string {
  const { hooks = true, stale, listFirst = false } = opts;
  const decls: Record<Table, TextSink> = { nat: new TextSink(), filter: new TextSink() };
  const ownRules: Record<Table, TextSink> = { nat: new TextSink(), filter: new TextSink() };
  const shared = {} as Record<SharedKey, TextSink>;
  for (const { key } of SHARED_CHAINS) shared[key] = new TextSink();
  const local = new Set<string>();
  for (const p of ports) {
    for (const c of p.natChains) declare(decls.nat, ownRules.nat, c);
    for (const c of p.filterChains) declare(decls.filter, ownRules.filter, c);
    for (const { key } of SHARED_CHAINS) for (const r of p.shared[key]) shared[key].line(r);
    for (const ip of p.hairpin) local.add(ip);
  }
  for (const r of node.natServicesTail) shared.natServices.line(r);
  const hairpin = hairpinRules(local, node.family);

  const parts: TextSink[] = [];
  for (const table of ['nat', 'filter'] as const) {
    const head = new TextSink();
    const nodeChains = table === 'nat' ? node.natChains : node.filterChains;
    head.line(`*${table}`);
    if (listFirst) head.line('-S');
    for (const s of SHARED_CHAINS) if (s.table === table) head.line(`:${s.chain} - [0:0]`);
    for (const c of nodeChains) head.line(`:${c.name} - [0:0]`);
    if (table === 'nat') for (const c of hairpin.groups) head.line(`:${c.name} - [0:0]`);
    const middle = new TextSink();
    for (const c of stale?.[table] ?? []) middle.line(`:${c} - [0:0]`);
    for (const chain of hooks ? BUILTIN_CHAINS : []) {
      for (const h of node.hooks) if (h.table === table && h.chain === chain) middle.line(`-A ${chain} ${h.rule}`);
    }
    const nodeRules = new TextSink();
    for (const c of nodeChains) for (const r of c.name === CHAIN.hairpin ? hairpin.dispatch : c.rules) nodeRules.line(r);
    if (table === 'nat') for (const c of hairpin.groups) for (const r of c.rules) nodeRules.line(r);
    const tail = new TextSink();
    for (const c of stale?.[table] ?? []) tail.line(`-X ${c}`);
    tail.line('COMMIT');
    parts.push(head, decls[table], middle, ...SHARED_CHAINS.filter((s) => s.table === table).map((s) => shared[s.key]), nodeRules, ownRules[table], tail);
  }
  return joinSinks(parts);
}

function declare(decl: TextSink, rules: TextSink, c: OwnChain): void {
  decl.line(`:${c.name} - [0:0]`);
  for (const r of c.rules) rules.line(r);
}
