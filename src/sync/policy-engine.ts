import { renderPolicyIptables } from '../backends/iptables/policy/index.js';
import type { NftFamily } from '../backends/nftables/ast.js';
import { POLICY_TABLE, renderPolicyNftables, type PolicyRenderOptions } from '../backends/nftables/policy/index.js';
import type { Table } from '../backends/nftables/ruleset.js';
import type { Diagnostic } from '../model/diagnostics.js';
import type { IPFamily } from '../model/ip.js';
import type { NodeContext } from '../model/types.js';
import { compilePolicyPlan } from '../policy/index.js';
import type { PolicyPlan } from '../policy/types.js';
import type { ProxyEngine, SyncOutcome } from './engine.js';
import { runOrThrow, type Executor } from './exec.js';
import { ensureHooks, parseRestore } from './ipt-engine.js';
import { diffTable } from './nft-table-diff.js';
import { removeChains } from '../run/cleanup.js';
import type { PolicyStore } from './policy-store.js';

export interface PolicyEngineOptions {
  unknownPods: 'allow' | 'deny';
  /** This node's pod CIDRs (the Node's spec.podCIDRs), for unknown-pod judgement. */
  podCIDRs: () => string[];
  onDiagnostic?: (d: Diagnostic) => void;
}

function compile(store: PolicyStore, ctx: NodeContext, opts: PolicyEngineOptions): { plan: PolicyPlan; render: PolicyRenderOptions } {
  const sources = store.sources();
  const plan = compilePolicyPlan(sources, { nodeName: ctx.nodeName, nodeIPs: ctx.nodeIPs });
  plan.diagnostics.forEach((d) => opts.onDiagnostic?.(d));
  // The plan carries this node's pods (plan.localPods), which the renderers read for unknown-pod judgement.
  return { plan, render: { unknownPods: opts.unknownPods, podCIDRs: opts.podCIDRs() } };
}

/**
 * NetworkPolicy on nftables: recompiles the plan from the policy store (pure, whole) and sends the
 * difference against the committed tables, so a pod change becomes a few set elements.
 */
export class NftPolicyEngine implements ProxyEngine<PolicyStore> {
  private applied = new Map<NftFamily, Table>();
  private trusted = false;

  constructor(private readonly exec: Executor, private readonly opts: PolicyEngineOptions) {}

  async sync(store: PolicyStore, ctx: NodeContext, _dirty: Set<string>, full: boolean): Promise<SyncOutcome> {
    const { plan, render } = compile(store, ctx, this.opts);
    const tables = renderPolicyNftables(plan, render);
    const replace = full || !this.trusted;
    let transaction = tables.map((t) => diffTable(replace ? undefined : this.applied.get(t.family), t)).join('');
    for (const family of ['ip', 'ip6'] as const) {
      // Nothing isolated any more: our policy tables go away (add first so delete cannot fail).
      if (!tables.some((t) => t.family === family) && (replace || this.applied.has(family))) {
        transaction += `add table ${family} ${POLICY_TABLE}\ndelete table ${family} ${POLICY_TABLE}\n`;
      }
    }
    this.trusted = false;
    if (transaction) await runOrThrow(this.exec, 'nft', ['-f', '-'], transaction);
    this.applied = new Map(tables.map((t) => [t.family, t]));
    this.trusted = true;
    const counts = tables.map((t) => ({ family: (t.family === 'ip' ? 'ipv4' : 'ipv6') as IPFamily, chains: t.chains.length, elements: t.sets.reduce((n, s) => n + s.elements.length, 0) }));
    return { mode: replace ? 'replace' : 'partial', transaction, elements: counts.reduce((n, c) => n + c.elements, 0), chains: counts.reduce((n, c) => n + c.chains, 0), counts };
  }

  async verify(): Promise<boolean> {
    if (!this.trusted) return true;
    for (const family of this.applied.keys()) {
      const r = await this.exec.run('nft', ['list', 'chain', family, POLICY_TABLE, 'forward-ingress']);
      if (r.exitCode !== 0) return false;
    }
    return true;
  }

  distrust(): void {
    this.trusted = false;
  }
}

interface IpsetState {
  type: string;
  family: string;
  members: Set<string>;
}

function parseIpsets(text: string): Map<string, IpsetState> {
  const sets = new Map<string, IpsetState>();
  for (const line of text.split('\n')) {
    const [verb, name, ...rest] = line.split(' ');
    if (verb === 'create') sets.set(name, { type: rest[0], family: rest[2], members: new Set() });
    else if (verb === 'add') sets.get(name)?.members.add(rest.join(' '));
  }
  return sets;
}

/**
 * NetworkPolicy on iptables: ipset members are updated in place (add/del, never flushed, so an
 * allowed peer is never briefly missing), then the policy chains are restored whole, then sets no
 * rule uses any more are destroyed.
 */
export class IptPolicyEngine implements ProxyEngine<PolicyStore> {
  private applied = new Map<IPFamily, Map<string, IpsetState>>();
  /** The policy rules last restored per family: a pod change alters ipset members only, not rules. */
  private appliedRules = new Map<IPFamily, string>();
  private trusted = false;

  constructor(private readonly exec: Executor, private readonly opts: PolicyEngineOptions, private readonly families: IPFamily[] = ['ipv4', 'ipv6']) {}

  async sync(store: PolicyStore, ctx: NodeContext, _dirty: Set<string>, full: boolean): Promise<SyncOutcome> {
    const { plan, render } = compile(store, ctx, this.opts);
    const replace = full || !this.trusted;
    this.trusted = false;
    const parts: string[] = [];
    const counts: SyncOutcome['counts'] = [];
    for (const family of this.families) {
      const tool = family === 'ipv4' ? 'iptables' : 'ip6tables';
      const out = renderPolicyIptables(plan, family, render);
      const want = parseIpsets(out.ipset);
      const have = replace ? new Map<string, IpsetState>() : (this.applied.get(family) ?? new Map());
      const lines: string[] = [];
      for (const [name, s] of want) {
        const old = have.get(name);
        lines.push(`create ${name} ${s.type} family ${s.family} -exist`);
        if (!old && replace) lines.push(`flush ${name}`);
        for (const m of s.members) if (!old?.members.has(m)) lines.push(`add ${name} ${m} -exist`);
        for (const m of old?.members ?? []) if (!s.members.has(m)) lines.push(`del ${name} ${m} -exist`);
      }
      if (lines.length) await runOrThrow(this.exec, 'ipset', ['restore'], lines.join('\n') + '\n');
      const parsed = parseRestore(out.rules);
      const filter = parsed.get('filter');
      if (!filter && (replace || have.size > 0)) {
        // Nothing isolated any more: drop our policy chains and hooks.
        await removeChains(this.exec, tool, 'filter', /^(PROXYCTL-POLICY|PXP)-/);
      }
      if (filter && (replace || this.appliedRules.get(family) !== out.rules)) {
        // Chains no longer wanted: flushed (declared) with the others, then deleted after every rule.
        const before = replace ? await this.ourChains(tool) : [...(parseRestore(this.appliedRules.get(family) ?? '').get('filter')?.chains.keys() ?? [])];
        const stale = before.filter((c) => !filter.chains.has(c));
        const restore = ['*filter', ...[...filter.chains.keys(), ...stale].map((c) => `:${c} - [0:0]`), [...filter.chains.values()].flat().join('\n'), ...stale.map((c) => `-X ${c}`), 'COMMIT'].join('\n') + '\n';
        await runOrThrow(this.exec, `${tool}-restore`, ['-w', '--noflush'], restore);
        // Appended: the policy chains ACCEPT allowed traffic, which must not skip the service rejects.
        await ensureHooks(this.exec, tool, parsed, 'last');
      }
      // After a restart or upgrade the kernel may hold sets we never applied in this process: list ours.
      const stale = replace ? await this.ourSets(family) : [...have.keys()];
      for (const name of stale) if (!want.has(name)) await this.exec.run('ipset', ['destroy', name]);
      this.applied.set(family, want);
      this.appliedRules.set(family, out.rules);
      parts.push(lines.join('\n'), out.rules);
      counts.push({ family, chains: filter?.chains.size ?? 0, rules: [...(filter?.chains.values() ?? [])].flat().length, elements: [...want.values()].reduce((n, s) => n + s.members.size, 0) });
    }
    this.trusted = true;
    return { mode: replace ? 'replace' : 'partial', transaction: parts.join('\n'), elements: counts.reduce((n, c) => n + (c.elements ?? 0), 0), chains: counts.reduce((n, c) => n + c.chains, 0), counts };
  }

  /** Our policy chains in the kernel's filter table (after a restart we never applied them). */
  private async ourChains(tool: string): Promise<string[]> {
    const r = await this.exec.run(`${tool}-save`, ['-t', 'filter']);
    return r.exitCode === 0 ? r.stdout.split('\n').filter((l) => l.startsWith(':')).map((l) => l.slice(1).split(' ')[0]).filter((c) => /^(PROXYCTL-POLICY|PXP)-/.test(c)) : [];
  }

  /** Our ipsets of one family in the kernel (pxc-*, names ending in 4 or 6). */
  private async ourSets(family: IPFamily): Promise<string[]> {
    const r = await this.exec.run('ipset', ['list', '-n']);
    const suffix = family === 'ipv4' ? '4' : '6';
    return r.exitCode === 0 ? r.stdout.split('\n').filter((n) => n.startsWith('pxc-') && n.endsWith(suffix)) : [];
  }

  async verify(): Promise<boolean> {
    if (!this.trusted) return true;
    for (const family of this.families) {
      if ((this.applied.get(family)?.size ?? 0) === 0) continue;
      const r = await this.exec.run(family === 'ipv4' ? 'iptables' : 'ip6tables', ['-w', '-t', 'filter', '-S', 'FORWARD']);
      if (r.exitCode !== 0 || !r.stdout.includes('PROXYCTL-POLICY')) return false;
    }
    return true;
  }

  distrust(): void {
    this.trusted = false;
  }
}
