import { ruleText, type NftFamily } from '../backends/nftables/ast.js';
import { ElementIndex, type ElementChange, type ElementSource } from '../backends/nftables/element-index.js';
import { ENDPOINT_MAPS, nodeElements } from '../backends/nftables/elements.js';
import { buildChains } from '../backends/nftables/layout.js';
import { SET, TABLE } from '../backends/nftables/names.js';
import { jsonText } from '../run/diff.js';
import { NODE_OWNER, chainNeeds, familyTable, VERDICT_MAPS } from '../backends/nftables/render.js';
import type { Chain, Element } from '../backends/nftables/ruleset.js';
import type { Diagnostic } from '../model/diagnostics.js';
import type { IPFamily } from '../model/ip.js';
import type { NodeContext } from '../model/types.js';
import { familyShells, planService } from '../proxy/plan.js';
import type { FamilyPlan, ServicePortPlan } from '../proxy/plan-types.js';
import { runOrThrow, type Executor } from './exec.js';
import { EndpointClaims } from './nft-endpoint-claims.js';
import { HairpinRefs } from './nft-hairpin-refs.js';
import { portStates, type PortState } from './nft-port-state.js';
import { partialText, refreshTableText, replaceTableText } from './nft-transaction.js';
import type { ClusterStore } from './store.js';
import type { ProxyEngine, SyncMode, SyncOutcome } from './engine.js';

interface FamilyState {
  family: IPFamily;
  nft: NftFamily;
  shell: FamilyPlan;
  /** Every set but the endpoint maps and hairpin, which are held more compactly below. */
  index: ElementIndex;
  endpoints: EndpointClaims;
  hairpin: HairpinRefs;
  /** Service key → (port id → what that port put into the kernel). */
  ports: Map<string, Map<string, PortState>>;
  /** Chains in the kernel after the last successful sync, with their rules' text. */
  applied: Map<string, string>;
  /** How many verdict-map elements jump to each chain: the per-size chains that must exist. */
  targets: Map<string, number>;
}

/**
 * Keeps the nftables tables equal to the store. Holds what was committed in memory, so a change to one
 * service becomes a transaction of that service's elements; it never lists the kernel's elements.
 */
export class NftEngine implements ProxyEngine {
  private families: FamilyState[] = [];
  private ctx: NodeContext | undefined;
  private ctxKey = '';
  /** True once memory mirrors the kernel; false after a failure (next sync replaces the tables). */
  private trusted = false;

  constructor(private readonly exec: Executor, private readonly onDiagnostic: (d: Diagnostic) => void = () => {}) {}

  /** Sync the kernel; `full` forces a complete rewrite (periodic resync, repair). */
  async sync(store: ClusterStore, ctx: NodeContext, dirty: Set<string>, full: boolean): Promise<SyncOutcome> {
    const key = JSON.stringify(ctx);
    const mode: SyncMode = !this.trusted || key !== this.ctxKey ? 'replace' : full ? 'refresh' : 'partial';
    let transaction: string;
    if (mode === 'partial') {
      transaction = this.partial(store, dirty);
    } else {
      const previous = this.families;
      this.rebuild(store, ctx);
      this.ctxKey = key;
      transaction = this.families.map((fs) => {
        const table = familyTable(fs.nft, ctx.nodeName, fs.shell, elementSource(fs));
        const stale = [...(previous.find((p) => p.family === fs.family)?.applied.keys() ?? [])].filter((c) => !table.chains.some((d) => d.name === c));
        fs.applied = new Map(table.chains.map((c) => [c.name, chainRulesText(c)]));
        return mode === 'replace' ? replaceTableText(table) : refreshTableText(table, stale);
      }).join('');
    }
    this.trusted = false; // until nft confirms
    if (transaction) await runOrThrow(this.exec, 'nft', ['-f', '-'], transaction);
    this.trusted = true;
    if (mode === 'partial') await this.forgetAffinity();
    const counts = this.families.map((f) => ({ family: f.family, chains: f.applied.size, elements: f.index.count() + f.endpoints.count() + f.hairpin.count() }));
    return { mode, transaction, elements: counts.reduce((n, c) => n + c.elements, 0), chains: counts.reduce((n, c) => n + c.chains, 0), counts };
  }

  /** Forget what we believe is in the kernel: the next sync replaces our tables whole. */
  distrust(): void {
    this.trusted = false;
  }

  /**
   * Repair check: our tables exist and the dispatch chain still holds its rules. Reads one small chain,
   * never the element maps, so it stays cheap at any cluster size.
   */
  async verify(): Promise<boolean> {
    if (!this.trusted) return true; // a replace is already due
    for (const f of this.families) {
      const r = await this.exec.run('nft', ['list', 'chain', f.nft, TABLE, 'services']);
      if (r.exitCode !== 0) return false;
      const rules = r.stdout.split('\n').filter((l) => /^\t\t\S/.test(l) && !l.includes(' hook ')).length;
      const expected = (f.applied.get('services') ?? '').split('\n').filter(Boolean).length;
      if (rules !== expected) return false;
    }
    return true;
  }

  /**
   * Every service into fresh indexes. Loaded without change records (the table is sent whole), and the
   * chain targets are counted once at the end rather than per change.
   */
  private rebuild(store: ClusterStore, ctx: NodeContext): void {
    this.ctx = ctx;
    this.families = familyShells(ctx).map((shell) => ({
      family: shell.family,
      nft: shell.family === 'ipv4' ? 'ip' : 'ip6',
      shell,
      index: new ElementIndex(),
      endpoints: new EndpointClaims(),
      hairpin: new HairpinRefs(),
      ports: new Map(),
      applied: new Map(),
      targets: new Map(),
    }));
    for (const fs of this.families) fs.index.load(NODE_OWNER, nodeElements(fs.shell));
    for (const key of store.allServiceKeys()) {
      const ports = this.planPorts(store, key);
      for (const fs of this.families) {
        const states = portStates(ports[fs.family], fs.shell);
        for (const [id, state] of states) {
          fs.index.load(id, state.indexed);
          fs.endpoints.load(id, state.endpoints);
          fs.hairpin.load(state.hairpin);
        }
        if (states.size) fs.ports.set(key, states);
      }
    }
    for (const fs of this.families) fs.targets = targetCounts(fs.index);
  }

  /** One service's ports in each family (none when the service is gone); reports its diagnostics. */
  private planPorts(store: ClusterStore, serviceKey: string): Record<IPFamily, ServicePortPlan[]> {
    const service = store.services.get(serviceKey);
    if (!service) return { ipv4: [], ipv6: [] };
    const diagnostics: Diagnostic[] = [];
    const ports = planService(service, store.slicesOf(serviceKey), this.ctx!, diagnostics);
    diagnostics.forEach(this.onDiagnostic);
    return ports;
  }

  /** Recomputes one service's contributions in every family; returns the element changes. */
  private replan(store: ClusterStore, serviceKey: string): Map<IPFamily, ElementChange[]> {
    const ports = this.planPorts(store, serviceKey);
    const out = new Map<IPFamily, ElementChange[]>();
    for (const fs of this.families) {
      const before = fs.ports.get(serviceKey) ?? new Map<string, PortState>();
      const after = portStates(ports[fs.family], fs.shell);
      const changes: ElementChange[] = [];
      for (const id of new Set([...before.keys(), ...after.keys()])) {
        const was = before.get(id);
        const now = after.get(id);
        changes.push(...fs.index.replace(id, was?.indexed ?? {}, now?.indexed ?? {}));
        changes.push(...fs.endpoints.replace(id, was?.endpoints ?? [], now?.endpoints ?? []));
        changes.push(...fs.hairpin.replace(was?.hairpin ?? [], now?.hairpin ?? []));
      }
      countTargets(fs.targets, changes);
      if (after.size) fs.ports.set(serviceKey, after);
      else fs.ports.delete(serviceKey);
      out.set(fs.family, changes);
    }
    return out;
  }

  /**
   * ClientIP affinity entries pointing at an endpoint that is gone would keep sending its clients
   * there until they expire (3 h by default): delete them. Only runs when an endpoint disappeared and
   * some service uses affinity; reads just the affinity map.
   */
  private async forgetAffinity(): Promise<void> {
    for (const fs of this.families) {
      const gone = this.goneEndpoints.get(fs.family);
      this.goneEndpoints.delete(fs.family);
      if (!gone?.size || !fs.index.elements(SET.affinityServices).length) continue;
      const listed = await this.exec.run('nft', ['-j', 'list', 'map', fs.nft, TABLE, SET.affinity]);
      if (listed.exitCode !== 0) continue;
      const doc = JSON.parse(listed.stdout) as { nftables: { map?: { elem?: [unknown, unknown][] } }[] };
      const stale = (doc.nftables.find((o) => o.map)?.map?.elem ?? []).filter(([, data]) => gone.has(jsonText(data))).map(([key]) => jsonText(key));
      if (stale.length) await this.exec.run('nft', ['delete', 'element', fs.nft, TABLE, SET.affinity, `{ ${stale.join(', ')} }`]);
    }
  }

  /** Endpoint `addr . port` values removed by the last partial sync, per family. */
  private goneEndpoints = new Map<IPFamily, Set<string>>();

  private partial(store: ClusterStore, dirty: Set<string>): string {
    const changesByFamily = new Map<IPFamily, ElementChange[]>();
    for (const key of [...dirty].sort()) {
      for (const [family, changes] of this.replan(store, key)) changesByFamily.set(family, [...(changesByFamily.get(family) ?? []), ...changes]);
    }
    return this.families.map((fs) => {
      const changes = changesByFamily.get(fs.family) ?? [];
      if (changes.length === 0) return '';
      const removed = new Set(changes.filter((c) => c.before?.data && ENDPOINT_MAPS.has(c.set)).map((c) => c.before!.data!.join(' . ')));
      for (const c of changes) if (c.after?.data && ENDPOINT_MAPS.has(c.set)) removed.delete(c.after.data.join(' . '));
      if (removed.size) this.goneEndpoints.set(fs.family, removed);
      const desired = this.desiredChains(fs);
      const newChains = desired.filter((c) => !fs.applied.has(c.name));
      const gone = [...fs.applied.keys()].filter((name) => !desired.some((c) => c.name === name));
      fs.applied = new Map(desired.map((c) => [c.name, chainRulesText(c)]));
      return partialText(fs.nft, newChains, changes, gone);
    }).join('');
  }

  /** From the target counts, not a scan of every verdict element: O(distinct chains) per sync. */
  private desiredChains(fs: FamilyState): Chain[] {
    const targets = [...fs.targets.keys()].map((target): Element => ({ key: [], verdict: { kind: 'goto', target } }));
    return buildChains({ family: fs.nft, masqueradeAll: fs.shell.masqueradeAll, masqueradeOffCluster: fs.shell.clusterCIDRs.length > 0 }, chainNeeds(targets));
  }
}

/** What a full sync prints: the index, with the endpoint maps and hairpin from their compact holders. */
function elementSource(fs: FamilyState): ElementSource {
  return {
    elements: (set) => (ENDPOINT_MAPS.has(set) ? fs.endpoints.elements(set) : set === SET.hairpin ? fs.hairpin.elements() : fs.index.elements(set)),
  };
}

/** How many verdict-map elements jump to each chain, counted over a whole index. */
function targetCounts(index: ElementIndex): Map<string, number> {
  const targets = new Map<string, number>();
  for (const set of VERDICT_MAPS) {
    for (const e of index.elements(set)) {
      if (e.verdict && typeof e.verdict !== 'string') targets.set(e.verdict.target, (targets.get(e.verdict.target) ?? 0) + 1);
    }
  }
  return targets;
}

function countTargets(targets: Map<string, number>, changes: ElementChange[]): void {
  for (const ch of changes) {
    if (!VERDICT_MAPS.has(ch.set)) continue;
    for (const [e, delta] of [[ch.before, -1], [ch.after, 1]] as const) {
      const v = e?.verdict;
      if (!v || typeof v === 'string') continue;
      const n = (targets.get(v.target) ?? 0) + delta;
      if (n > 0) targets.set(v.target, n);
      else targets.delete(v.target);
    }
  }
}


function chainRulesText(c: Chain): string {
  return c.rules.map((r) => ruleText(r)).join('\n');
}

export { TABLE };
