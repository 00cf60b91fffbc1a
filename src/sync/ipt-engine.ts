import { renderIptables } from '../backends/iptables/render.js';
import type { Diagnostic } from '../model/diagnostics.js';
import type { IPFamily } from '../model/ip.js';
import type { ClusterState, NodeContext } from '../model/types.js';
import { planServices } from '../proxy/plan.js';
import type { ProxyEngine, SyncOutcome } from './engine.js';
import { runOrThrow, type Executor } from './exec.js';
import type { ClusterStore } from './store.js';

const BUILTIN = new Set(['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING']);
// The service engine's chains; NetworkPolicy chains (PROXYCTL-POLICY-*, PXP-*) belong to the policy engine.
const OURS = /^(PROXYCTL-(?!POLICY)|PXC-)/;
/** Chains holding one rule per service: rewritten on every sync, as kube-proxy does with KUBE-SERVICES. */
const ALWAYS_WRITTEN = /^PROXYCTL-/;

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
  /** Per table, per chain: the rules text we last committed. */
  applied: Map<string, Map<string, string>>;
}

/**
 * iptables backend: renders the whole ruleset (cheap), but hands iptables-restore --noflush only the
 * chains whose rules changed plus the per-service dispatch chains, and deletes chains no longer wanted.
 */
export class IptEngine implements ProxyEngine {
  private readonly families: FamilyState[];
  private trusted = false;
  private ctxKey = '';

  constructor(private readonly exec: Executor, families: IPFamily[] = ['ipv4', 'ipv6'], private readonly onDiagnostic: (d: Diagnostic) => void = () => {}) {
    this.families = families.map((family) => ({
      family,
      restore: family === 'ipv4' ? 'iptables-restore' : 'ip6tables-restore',
      tool: family === 'ipv4' ? 'iptables' : 'ip6tables',
      applied: new Map(),
    }));
  }

  async sync(store: ClusterStore, ctx: NodeContext, _dirty: Set<string>, full: boolean): Promise<SyncOutcome> {
    const key = JSON.stringify(ctx);
    const complete = full || !this.trusted || key !== this.ctxKey;
    const state: ClusterState = { services: [...store.services.values()], slices: store.allServiceKeys().flatMap((k) => store.slicesOf(k)), nodes: [] };
    const plan = planServices(state, ctx);
    plan.diagnostics.forEach(this.onDiagnostic);
    this.trusted = false;
    const parts: string[] = [];
    let chains = 0;
    let rules = 0;
    const counts: SyncOutcome['counts'] = [];
    for (const fs of this.families) {
      const [chains0, rules0] = [chains, rules];
      const fp = plan.families.find((f) => f.family === fs.family)!;
      const desired = parseRestore(renderIptables(fp, ctx.nodeName));
      const existing = complete ? await this.listOurChains(fs) : undefined;
      const input: string[] = [];
      for (const [table, parsed] of desired) {
        const before = complete ? new Map<string, string>() : (fs.applied.get(table) ?? new Map());
        const write = [...parsed.chains].filter(([name, r]) => complete || ALWAYS_WRITTEN.test(name) || before.get(name) !== r.join('\n'));
        const stale = complete ? (existing?.get(table) ?? []).filter((c) => !parsed.chains.has(c)) : [...before.keys()].filter((c) => !parsed.chains.has(c));
        // Stale chains are declared (which flushes them) before -X, so references among them are gone.
        // Pushed line by line: spreading 100k+ lines into push() overflows V8's argument limit.
        input.push(`*${table}`);
        for (const name of [...write.map(([n]) => n), ...stale]) input.push(`:${name} - [0:0]`);
        for (const [, rules] of write) for (const rule of rules) input.push(rule);
        for (const c of stale) input.push(`-X ${c}`);
        input.push('COMMIT');
        fs.applied.set(table, new Map([...parsed.chains].map(([name, r]) => [name, r.join('\n')])));
        chains += parsed.chains.size;
        for (const r of parsed.chains.values()) rules += r.length;
      }
      const text = input.join('\n') + '\n';
      await runOrThrow(this.exec, fs.restore, ['-w', '--noflush'], text);
      if (complete) await this.ensureHooks(fs, desired);
      parts.push(text);
      counts.push({ family: fs.family, chains: chains - chains0, rules: rules - rules0 });
    }
    this.ctxKey = key;
    this.trusted = true;
    return { mode: complete ? (full ? 'refresh' : 'replace') : 'partial', transaction: parts.join(''), elements: rules, chains, counts };
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

  /** Our chains currently in the kernel (a full sync deletes the ones no longer wanted). */
  private async listOurChains(fs: FamilyState): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    for (const table of ['nat', 'filter']) {
      const r = await this.exec.run(`${fs.tool}-save`, ['-t', table]);
      const names = r.exitCode === 0 ? r.stdout.split('\n').filter((l) => l.startsWith(':')).map((l) => l.slice(1).split(' ')[0]).filter((c) => OURS.test(c)) : [];
      out.set(table, names);
    }
    return out;
  }

  private async ensureHooks(fs: FamilyState, desired: Map<string, ParsedTable>): Promise<void> {
    await ensureHooks(this.exec, fs.tool, desired);
  }
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
