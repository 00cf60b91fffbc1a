import { CHAIN } from './names.js';
import { BUILTIN_CHAINS, type NodeRules } from './node-rules.js';
import { hairpinRules, SHARED_CHAINS, type OwnChain, type PortRules } from './port-rules.js';

/**
 * The whole ruleset as iptables-restore input: per table, every chain declared, then rules grouped by
 * chain (hooks first, then chains in declaration order) so the output reads top-down.
 */
export interface RestoreTextOptions {
  /** Jump rules in built-in chains; the daemon leaves them out (a --noflush restore would duplicate them). */
  hooks?: boolean;
  /** Our chains to delete (declared, which flushes them, then `-X`). */
  stale?: Record<'nat' | 'filter', string[]>;
  /** Start each table with `-S` (see LIST_FIRST_ABOVE_LINES in the daemon). */
  listFirst?: boolean;
}

export function restoreText(node: NodeRules, ports: readonly PortRules[], opts: RestoreTextOptions = {}): string {
  const { hooks = true, stale, listFirst = false } = opts;
  const local = new Set<string>();
  for (const p of ports) for (const ip of p.hairpin) local.add(ip);
  const hairpin = hairpinRules([...local], node.family);
  const out: string[] = [];
  for (const table of ['nat', 'filter'] as const) {
    const shared = SHARED_CHAINS.filter((s) => s.table === table);
    const own = (p: { natChains: OwnChain[]; filterChains: OwnChain[] }) => (table === 'nat' ? p.natChains : p.filterChains);
    out.push(`*${table}`);
    if (listFirst) out.push('-S');
    for (const s of shared) out.push(`:${s.chain} - [0:0]`);
    for (const c of own(node)) out.push(`:${c.name} - [0:0]`);
    for (const p of ports) for (const c of own(p)) out.push(`:${c.name} - [0:0]`);
    for (const c of stale?.[table] ?? []) out.push(`:${c} - [0:0]`);
    for (const chain of hooks ? BUILTIN_CHAINS : []) {
      for (const h of node.hooks) if (h.table === table && h.chain === chain) out.push(`-A ${chain} ${h.rule}`);
    }
    for (const s of shared) {
      for (const p of ports) for (const r of p.shared[s.key]) out.push(r);
      if (table === 'nat' && s.chain === CHAIN.services) for (const r of node.natServicesTail) out.push(r);
    }
    for (const c of own(node)) for (const r of c.name === CHAIN.hairpin ? hairpin : c.rules) out.push(r);
    for (const p of ports) for (const c of own(p)) for (const r of c.rules) out.push(r);
    for (const c of stale?.[table] ?? []) out.push(`-X ${c}`);
    out.push('COMMIT');
  }
  return out.join('\n') + '\n';
}
