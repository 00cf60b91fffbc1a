import type { HookRule, NodeRules } from '../backends/iptables/node-rules.js';
import type { Diagnostic } from '../model/diagnostics.js';
import type { IPFamily } from '../model/ip.js';
import type { NodeContext } from '../model/types.js';
import { familyShells, planService } from '../proxy/plan.js';
import type { ProxyEngine, SyncOutcome } from './engine.js';
import { runOrThrow, type Executor } from './exec.js';
import { IptFamilyState } from './ipt-family.js';
import type { ClusterStore } from './store.js';

const BUILTIN = new Set(['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING']);
// The service engine's chains; NetworkPolicy chains (PROXYCTL-POLICY-*, PXP-*) belong to the policy engine.
const OURS = /^(PROXYCTL-(?!POLICY)|PXC-)/;

export interface ParsedTable {
  /** Our chains in declaration order → their rules. */
  chains: Map<string, string[]>;
  /** `-A PREROUTING ...` rules that hook our chains in. */
  hooks: string[];
}

export function parseRestore(text: string): Map<string, ParsedTable> {
  const tables = new Map<string, ParsedTable>();
  let current: ParsedTable | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) tables.set(line.slice(1), (current = { chains: new Map(), hooks: [] }));
    else if (line.startsWith(':') && current) current.chains.set(line.slice(1).split(' ')[0], []);
    else if (line.startsWith('-A ') && current) {
      const chain = line.split(' ')[1];
      if (BUILTIN.has(chain)) current.hooks.push(line.slice(3));
      else current.chains.get(chain)?.push(line);
    }
  }
  return tables;
}

interface FamilyState {
  family: IPFamily;
  restore: string;
  tool: string;
  rules?: IptFamilyState;
}

/**
 * iptables backend. Keeps each family's rules per service in memory (IptFamilyState), so a change to one
 * service re-renders that service only and hands iptables-restore --noflush only the chains that changed
 * (kube-proxy's approach since 1.26); a full sync (start, period, after a failure) writes every chain and
 * deletes ours that are no longer wanted.
 */
export class IptEngine implements ProxyEngine {
  private readonly families: FamilyState[];
  private trusted = false;
  private ctxKey = '';
  private ctx: NodeContext | undefined;

  constructor(private readonly exec: Executor, families: IPFamily[] = ['ipv4', 'ipv6'], private readonly onDiagnostic: (d: Diagnostic) => void = () => {}) {
    this.families = families.map((family) => ({
      family,
      restore: family === 'ipv4' ? 'iptables-restore' : 'ip6tables-restore',
      tool: family === 'ipv4' ? 'iptables' : 'ip6tables',
    }));
  }

  async sync(store: ClusterStore, ctx: NodeContext, dirty: Set<string>, full: boolean): Promise<SyncOutcome> {
    const key = JSON.stringify(ctx);
    const replace = !this.trusted || key !== this.ctxKey;
    const complete = full || replace;
    this.trusted = false; // until every family's restore succeeded
    if (complete) this.rebuild(store, ctx);
    else for (const service of [...dirty].sort()) this.replan(store, service);
    const parts: string[] = [];
    const counts: SyncOutcome['counts'] = [];
    for (const fs of this.families) {
      const rules = fs.rules!;
      // Listing our chains costs seconds at 10k services (iptables-save reads every rule); a trusted
      // periodic refresh knows them already: partial syncs deleted every chain they stopped wanting.
      const existing = replace ? await this.listOurChains(fs) : { nat: [], filter: [] };
      const tx = complete ? rules.fullTransaction(existing) : rules.partialTransaction();
      if (tx.text) await runOrThrow(this.exec, fs.restore, ['-w', '--noflush'], tx.text);
      if (complete) await ensureHooks(this.exec, fs.tool, hookTables(rules.node));
      parts.push(tx.text);
      counts.push({ family: fs.family, chains: rules.chainCount, rules: rules.ruleCount });
    }
    this.ctxKey = key;
    this.trusted = true;
    const chains = counts.reduce((n, c) => n + c.chains, 0);
    const rules = counts.reduce((n, c) => n + (c.rules ?? 0), 0);
    return { mode: replace ? 'replace' : complete ? 'refresh' : 'partial', transaction: parts.join(''), elements: rules, chains, counts };
  }

  distrust(): void {
    this.trusted = false;
  }

  /** Our hook rules are in the built-in chains and our masquerade chain still has its rules. */
  async verify(): Promise<boolean> {
    if (!this.trusted) return true;
    for (const fs of this.families) {
      const r = await this.exec.run(fs.tool, ['-w', '-t', 'nat', '-S', 'PREROUTING']);
      if (r.exitCode !== 0 || !r.stdout.includes('-j PROXYCTL-SERVICES')) return false;
      const post = await this.exec.run(fs.tool, ['-w', '-t', 'nat', '-S', 'PROXYCTL-POSTROUTING']);
      if (post.exitCode !== 0 || !post.stdout.includes('MASQUERADE')) return false;
    }
    return true;
  }

  /** Fresh per-family state with every service rendered. */
  private rebuild(store: ClusterStore, ctx: NodeContext): void {
    this.ctx = ctx;
    const shells = familyShells(ctx);
    for (const fs of this.families) fs.rules = new IptFamilyState(shells.find((s) => s.family === fs.family)!, ctx.nodeName);
    for (const service of store.allServiceKeys()) this.replan(store, service);
  }

  /** Re-plans one service and re-renders its ports in every family. */
  private replan(store: ClusterStore, serviceKey: string): void {
    const service = store.services.get(serviceKey);
    const diagnostics: Diagnostic[] = [];
    const ports = service ? planService(service, store.slicesOf(serviceKey), this.ctx!, diagnostics) : { ipv4: [], ipv6: [] };
    diagnostics.forEach(this.onDiagnostic);
    for (const fs of this.families) fs.rules!.setService(serviceKey, ports[fs.family]);
  }

  /** Our chains currently in the kernel (a full sync deletes the ones no longer wanted). */
  private async listOurChains(fs: FamilyState): Promise<Record<'nat' | 'filter', string[]>> {
    const out = { nat: [] as string[], filter: [] as string[] };
    for (const table of ['nat', 'filter'] as const) {
      const r = await this.exec.run(`${fs.tool}-save`, ['-t', table]);
      if (r.exitCode !== 0) continue;
      for (const line of r.stdout.split('\n')) {
        if (!line.startsWith(':')) continue;
        const name = line.slice(1, line.indexOf(' '));
        if (OURS.test(name)) out[table].push(name);
      }
    }
    return out;
  }
}

/** The node's hook rules in the shape ensureHooks takes. */
function hookTables(node: NodeRules): Map<string, ParsedTable> {
  const tables = new Map<string, ParsedTable>();
  const add = (h: HookRule) => {
    let t = tables.get(h.table);
    if (!t) tables.set(h.table, (t = { chains: new Map(), hooks: [] }));
    t.hooks.push(`${h.chain} ${h.rule}`);
  };
  node.hooks.forEach(add);
  return tables;
}

/** Jump rules from built-in chains are kept out of restore input (it would duplicate them): check, then insert. */
export async function ensureHooks(exec: Executor, tool: string, desired: Map<string, ParsedTable>, position: 'first' | 'last' = 'first'): Promise<void> {
  for (const [table, parsed] of desired) {
    for (const hook of parsed.hooks) {
      const [chain, ...rest] = hook.split(' ');
      const args = splitArgs(rest.join(' '));
      const check = await exec.run(tool, ['-w', '-t', table, '-C', chain, ...args]);
      if (check.exitCode !== 0) await runOrThrow(exec, tool, ['-w', '-t', table, ...(position === 'first' ? ['-I', chain, '1'] : ['-A', chain]), ...args]);
    }
  }
}

/** Splits a rule the way iptables-restore does: whitespace, with double-quoted words kept whole. */
export function splitArgs(rule: string): string[] {
  return [...rule.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]);
}
