import { renderPolicyIptables } from '../backends/iptables/policy/index.js';
import type { NftFamily } from '../backends/nftables/ast.js';
import { POLICY_CHAIN, POLICY_TABLE, renderPolicyNftables, type PolicyRenderOptions } from '../backends/nftables/policy/index.js';
import type { Table } from '../backends/nftables/ruleset.js';
import type { Diagnostic } from '../model/diagnostics.js';
import type { IPFamily } from '../model/ip.js';
import type { NodeContext } from '../model/types.js';
import { compileWithFacts } from '../policy/compile.js';
import { PodMembership, type Member } from '../policy/membership.js';
import type { PolicyPlan } from '../policy/types.js';
import type { ProxyEngine, SyncOutcome } from './engine.js';
import { runOrThrow, type Executor } from './exec.js';
import { ensureHooks, parseRestore } from './ipt-engine.js';
import { chainsOfTable } from './nft-chain-list.js';
import { diffTable } from './nft-table-diff.js';
import { removeChains } from '../run/cleanup.js';
import { memberLines, parseIpsets, type IpsetState } from './ipset-state.js';
import { applyIptMembers } from './policy-ipt-members.js';
import { applyNftMembers } from './policy-nft-members.js';
import { membershipChangesOf } from './policy-pod-changes.js';
import type { PolicyStore } from './policy-store.js';

export interface PolicyEngineOptions {
  unknownPods: 'allow' | 'deny';
  /** This node's pod CIDRs (the Node's spec.podCIDRs), for unknown-pod judgement. */
  podCIDRs: () => string[];
  onDiagnostic?: (d: Diagnostic) => void;
  /** A partial sync could not be done pod by pod and compiled everything instead: why. */
  onFullCompile?: (reason: string) => void;
}

function compile(store: PolicyStore, ctx: NodeContext, opts: PolicyEngineOptions): { plan: PolicyPlan; render: PolicyRenderOptions; membership: PodMembership } {
  const sources = store.sources();
  const { plan, facts } = compileWithFacts(sources, { nodeName: ctx.nodeName, nodeIPs: ctx.nodeIPs });
  plan.diagnostics.forEach((d) => opts.onDiagnostic?.(d));
  // The plan carries this node's pods (plan.localPods), which the renderers read for unknown-pod judgement.
  return { plan, render: { unknownPods: opts.unknownPods, podCIDRs: opts.podCIDRs() }, membership: PodMembership.fromCompile(plan, facts) };
}

/**
 * The fast path of a partial sync: a batch of Pod and Namespace changes only, judged pod by pod
 * against the last compile. Undefined (with the reason reported) when the batch needs the full compile.
 */
function podMembers(store: PolicyStore, dirty: ReadonlySet<string>, membership: PodMembership | undefined, opts: PolicyEngineOptions): { added: Member[]; removed: Member[]; commit: () => void } | undefined {
  if (!membership) return undefined;
  const diagnostics: Diagnostic[] = [];
  const changes = membershipChangesOf(store, dirty, diagnostics);
  if (!changes) {
    opts.onFullCompile?.('the batch changes more than pods and namespaces');
    return undefined;
  }
  const planned = membership.prepare(changes);
  if (!planned.ok) {
    opts.onFullCompile?.(planned.reason);
    return undefined;
  }
  diagnostics.forEach((d) => opts.onDiagnostic?.(d));
  return planned;
}

/**
 * NetworkPolicy on nftables: recompiles the plan from the policy store (pure, whole) and sends the
 * difference against the committed tables, so a pod change becomes a few set elements.
 */
export class NftPolicyEngine implements ProxyEngine<PolicyStore> {
  private applied = new Map<NftFamily, Table>();
  private trusted = false;
  /** The pod-dependent state of the tables in `applied`; undefined when they were not compiled from the store. */
  private membership: PodMembership | undefined;

  constructor(private readonly exec: Executor, private readonly opts: PolicyEngineOptions) {}

  async sync(store: PolicyStore, ctx: NodeContext, dirty: Set<string>, full: boolean): Promise<SyncOutcome> {
    if (!full && this.trusted) {
      const outcome = await this.syncPods(store, dirty);
      if (outcome) return outcome;
    }
    this.membership = undefined;
    const { plan, render, membership } = compile(store, ctx, this.opts);
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
    this.membership = membership;
    this.trusted = true;
    return { ...countNft(tables), mode: replace ? 'replace' : 'partial', transaction };
  }

  /** Pod changes only: element adds and deletes computed for the changed pods, applied to the mirror. */
  private async syncPods(store: PolicyStore, dirty: ReadonlySet<string>): Promise<SyncOutcome | undefined> {
    const members = podMembers(store, dirty, this.membership, this.opts);
    if (!members) return undefined;
    const next = applyNftMembers(this.applied, members.added, members.removed);
    if (!next) {
      this.opts.onFullCompile?.('a pod member belongs to a set the tables do not have');
      return undefined;
    }
    this.trusted = false;
    if (next.transaction) await runOrThrow(this.exec, 'nft', ['-f', '-'], next.transaction);
    this.applied = next.tables;
    members.commit();
    this.trusted = true;
    return { ...countNft([...next.tables.values()]), mode: 'partial', transaction: next.transaction };
  }

  /** The committed tables, for tests that compare them with a full render. */
  committed(): ReadonlyMap<NftFamily, Table> {
    return this.applied;
  }

  async verify(): Promise<boolean> {
    if (!this.trusted) return true;
    for (const family of this.applied.keys()) {
      const r = await this.exec.run('nft', ['list', 'chains', family]);
      if (r.exitCode !== 0) return false;
      const chains = chainsOfTable(r.stdout, family, POLICY_TABLE);
      if (!Object.values(POLICY_CHAIN).every((c) => chains.has(c))) return false;
    }
    return true;
  }

  distrust(): void {
    this.trusted = false;
  }
}

function countNft(tables: readonly Table[]): Omit<SyncOutcome, 'mode' | 'transaction'> {
  const counts = tables.map((t) => ({ family: (t.family === 'ip' ? 'ipv4' : 'ipv6') as IPFamily, chains: t.chains.length, elements: t.sets.reduce((n, s) => n + s.elements.length, 0) }));
  return { elements: counts.reduce((n, c) => n + c.elements, 0), chains: counts.reduce((n, c) => n + c.chains, 0), counts };
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
  /** The pod-dependent state of the sets in `applied`; undefined when they were not compiled from the store. */
  private membership: PodMembership | undefined;
  /** Chain and rule counts of the last full sync (pod changes alone never change them). */
  private ruleCounts = new Map<IPFamily, { chains: number; rules: number }>();

  constructor(private readonly exec: Executor, private readonly opts: PolicyEngineOptions, private readonly families: IPFamily[] = ['ipv4', 'ipv6']) {}

  async sync(store: PolicyStore, ctx: NodeContext, dirty: Set<string>, full: boolean): Promise<SyncOutcome> {
    if (!full && this.trusted) {
      const outcome = await this.syncPods(store, dirty);
      if (outcome) return outcome;
    }
    this.membership = undefined;
    const { plan, render, membership } = compile(store, ctx, this.opts);
    const replace = full || !this.trusted;
    this.trusted = false;
    // Memory cannot be trusted here (restart, failure, periodic resync): diff against what the kernel holds.
    const kernel = replace ? await this.kernelSets() : undefined;
    const parts: string[] = [];
    for (const family of this.families) {
      const tool = family === 'ipv4' ? 'iptables' : 'ip6tables';
      const out = renderPolicyIptables(plan, family, render);
      const want = parseIpsets(out.ipset);
      const have = replace ? (kernel?.get(family) ?? new Map<string, IpsetState>()) : (this.applied.get(family) ?? new Map());
      const lines: string[] = [];
      for (const [name, s] of want) {
        const old = have.get(name);
        lines.push(`create ${name} ${s.type} family ${s.family} -exist`);
        // Only when the kernel could not be read: its members are unknown.
        if (!old && replace && !kernel) lines.push(`flush ${name}`);
        lines.push(...memberLines(name, s, old, replace));
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
      const stale = replace ? (kernel ? [...have.keys()] : await this.ourSets(family)) : [...have.keys()];
      for (const name of stale) if (!want.has(name)) await this.exec.run('ipset', ['destroy', name]);
      this.applied.set(family, want);
      this.appliedRules.set(family, out.rules);
      parts.push(lines.join('\n'), out.rules);
      this.ruleCounts.set(family, { chains: filter?.chains.size ?? 0, rules: [...(filter?.chains.values() ?? [])].flat().length });
    }
    this.membership = membership;
    this.trusted = true;
    return { ...this.counts(), mode: replace ? 'replace' : 'partial', transaction: parts.join('\n') };
  }

  /** Pod changes only: ipset members added and deleted for the changed pods; rules stay as they are. */
  private async syncPods(store: PolicyStore, dirty: ReadonlySet<string>): Promise<SyncOutcome | undefined> {
    const members = podMembers(store, dirty, this.membership, this.opts);
    if (!members) return undefined;
    const next = applyIptMembers(this.applied, this.families, members.added, members.removed);
    if (!next) {
      this.opts.onFullCompile?.('a pod member belongs to an ipset we do not have');
      return undefined;
    }
    this.trusted = false;
    if (next.lines.length) await runOrThrow(this.exec, 'ipset', ['restore'], next.lines.join('\n') + '\n');
    this.applied = next.sets;
    members.commit();
    this.trusted = true;
    return { ...this.counts(), mode: 'partial', transaction: next.lines.join('\n') };
  }

  private counts(): Omit<SyncOutcome, 'mode' | 'transaction'> {
    const counts: SyncOutcome['counts'] = this.families.map((family) => ({
      family, ...(this.ruleCounts.get(family) ?? { chains: 0, rules: 0 }),
      elements: [...(this.applied.get(family)?.values() ?? [])].reduce((n, s) => n + s.members.size, 0),
    }));
    return { elements: counts.reduce((n, c) => n + (c.elements ?? 0), 0), chains: counts.reduce((n, c) => n + c.chains, 0), counts };
  }

  /** The committed ipsets per family, for tests that compare them with a full render. */
  committed(): ReadonlyMap<IPFamily, ReadonlyMap<string, IpsetState>> {
    return this.applied;
  }

  /** Our policy chains in the kernel's filter table (after a restart we never applied them). */
  private async ourChains(tool: string): Promise<string[]> {
    const r = await this.exec.run(`${tool}-save`, ['-t', 'filter']);
    return r.exitCode === 0 ? r.stdout.split('\n').filter((l) => l.startsWith(':')).map((l) => l.slice(1).split(' ')[0]).filter((c) => /^(PROXYCTL-POLICY|PXP)-/.test(c)) : [];
  }

  /** Our ipsets (pxc-*) and their members as the kernel holds them, per family; undefined when unreadable. */
  private async kernelSets(): Promise<Map<IPFamily, Map<string, IpsetState>> | undefined> {
    const r = await this.exec.run('ipset', ['save']);
    if (r.exitCode !== 0) return undefined;
    const out = new Map<IPFamily, Map<string, IpsetState>>([['ipv4', new Map()], ['ipv6', new Map()]]);
    for (const [name, set] of parseIpsets(r.stdout)) {
      if (!name.startsWith('pxc-')) continue;
      if (name.endsWith('4')) out.get('ipv4')!.set(name, set);
      else if (name.endsWith('6')) out.get('ipv6')!.set(name, set);
    }
    return out;
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
