import { renderNodeRules, type NodeRules } from '../backends/iptables/node-rules.js';
import { CHAIN } from '../backends/iptables/names.js';
import { hairpinChainName, hairpinDispatchRule, hairpinGroup, hairpinGroupChain } from '../backends/iptables/hairpin.js';
import { renderPortRules, SHARED_CHAINS, type FamilyShell, type OwnChain, type PortRules, type SharedKey } from '../backends/iptables/port-rules.js';
import { restoreText } from '../backends/iptables/restore-text.js';
import { compareText } from '../model/convert.js';
import type { ServicePortPlan } from '../proxy/plan-types.js';

type Table = 'nat' | 'filter';
const TABLES: readonly Table[] = ['nat', 'filter'];

/**
 * Above this many lines, an iptables-restore --noflush input starts with `-S`. iptables 1.8.9 (nf_tables)
 * keeps the chains a batch names in a sorted linked list, inserting each rule's chain and jump target by
 * linear search: O(lines × chains), 14.7 s at 10k services. A command naming no chain switches that list
 * off ("all chains"); `-S` is the only such command that changes nothing (it lists the table, once).
 */
export const LIST_FIRST_ABOVE_LINES = 2000;

/** What one sync hands iptables-restore for one family, and what it contains. */
export interface FamilyTransaction {
  /** '' when nothing changed. */
  text: string;
  /** Chains declared (written or removed), per table. */
  chains: Record<Table, string[]>;
}

/**
 * One family's rules as the daemon keeps them: the node's static rules and each service's port rules,
 * as last handed to the kernel. Pure: the engine around it runs the commands.
 */
export class IptFamilyState {
  readonly node: NodeRules;
  private readonly services = new Map<string, PortRules[]>();
  /** Service keys in the full render's port order: namespace, then name. */
  private readonly order: string[] = [];
  /**
   * Edits to the shared dispatch chains since the last transaction: a changed service's old lines are
   * deleted (`-D`) and its new ones inserted (`-I N`) where the full render puts them, so adding a
   * service at 10k costs ~30 ms instead of rewriting 20k lines (~1.3 s), and the chain always reads
   * as a full sync would write it (a full sync never reorders it). `services`: the keys whose lines changed.
   */
  private readonly sharedEdits = new Map<SharedKey, { removed: string[]; added: string[]; services: Set<string> }>();
  /** Hairpin group (/24) → local endpoint address → how many service ports use it: a rule per address. */
  private readonly hairpinGroups = new Map<string, Map<string, number>>();
  /** Groups whose addresses changed since the last transaction, and whether the set of groups did. */
  private readonly dirtyGroups = new Set<string>();
  private groupsChanged = false;
  private readonly written: Record<Table, Map<string, string[]>> = { nat: new Map(), filter: new Map() };
  private readonly removed: Record<Table, Set<string>> = { nat: new Set(), filter: new Set() };
  chainCount: number;
  ruleCount: number;

  constructor(readonly shell: FamilyShell, nodeName: string) {
    this.node = renderNodeRules(shell, nodeName);
    this.chainCount = SHARED_CHAINS.length + this.node.natChains.length + this.node.filterChains.length;
    this.ruleCount = this.node.hooks.length + this.node.natServicesTail.length + sumRules(this.node.natChains) + sumRules(this.node.filterChains);
  }

  get serviceCount(): number {
    return this.services.size;
  }

  /** Re-renders one service's ports and records which chains that changes. */
  setService(key: string, ports: readonly ServicePortPlan[]): void {
    const before = this.services.get(key) ?? [];
    const after = ports.map((p) => renderPortRules(p, this.shell));
    this.recordChanges(key, before, after);
    this.adjustCounts(before, -1);
    this.adjustCounts(after, 1);
    for (const p of before) for (const ip of p.hairpin) this.countHairpin(ip, -1);
    for (const p of after) for (const ip of p.hairpin) this.countHairpin(ip, 1);
    if (after.length === 0) {
      if (this.services.delete(key)) this.order.splice(this.position(key), 1);
    } else {
      if (!this.services.has(key)) this.order.splice(this.position(key), 0, key);
      this.services.set(key, after);
    }
  }

  /** Every chain, for a full sync; of `existing` (our chains in the kernel), those no longer wanted are deleted. */
  fullTransaction(existing: Record<Table, readonly string[]>): FamilyTransaction {
    this.forgetChanges();
    const ports: PortRules[] = [];
    for (const key of this.order) for (const p of this.services.get(key)!) ports.push(p);
    const chains: Record<Table, string[]> = { nat: [], filter: [] };
    const stale: Record<Table, string[]> = { nat: [], filter: [] };
    for (const t of TABLES) {
      for (const c of SHARED_CHAINS) if (c.table === t) chains[t].push(c.chain);
      for (const c of own(this.node, t)) chains[t].push(c.name);
      if (t === 'nat') for (const g of [...this.hairpinGroups.keys()].sort()) chains[t].push(hairpinChainName(g));
      for (const p of ports) for (const c of own(p, t)) chains[t].push(c.name);
      const wanted = new Set(chains[t]);
      for (const c of existing[t]) if (!wanted.has(c)) stale[t].push(c);
      chains[t].push(...stale[t]);
    }
    const text = restoreText(this.node, ports, { hooks: false, stale, listFirst: this.ruleCount > LIST_FIRST_ABOVE_LINES });
    return { text, chains };
  }

  /** Only the chains changed since the last transaction: the changed services' own chains, and a shared chain when one of its lines changed. */
  partialTransaction(): FamilyTransaction {
    for (const group of this.dirtyGroups) {
      const addresses = this.hairpinGroups.get(group);
      if (addresses) this.written.nat.set(hairpinChainName(group), hairpinGroupChain(group, addresses.keys(), this.shell.family).rules);
      else this.removed.nat.add(hairpinChainName(group));
    }
    if (this.groupsChanged) this.written.nat.set(CHAIN.hairpin, [...this.hairpinGroups.keys()].sort().map(hairpinDispatchRule));
    const out: string[] = [];
    const chains: Record<Table, string[]> = { nat: [], filter: [] };
    const edits: Record<Table, string[]> = { nat: [], filter: [] };
    for (const [key, { removed, services }] of this.sharedEdits) {
      const { table, chain } = SHARED_CHAINS.find((c) => c.key === key)!;
      for (const line of removed) edits[table].push(`-D ${line.slice(3)}`);
      // After the deletes the chain holds the unchanged services' lines in render order: inserting the
      // changed ones at their final positions, first to last, leaves it exactly as the full render.
      let at = 0;
      for (const service of this.order) {
        for (const p of this.services.get(service)!) {
          if (!services.has(service)) at += p.shared[key].length;
          else for (const line of p.shared[key]) edits[table].push(`-I ${chain} ${++at} ${line.slice(4 + chain.length)}`);
        }
      }
    }
    let lines = 0;
    for (const t of TABLES) lines += edits[t].length + [...this.written[t].values()].reduce((n, r) => n + r.length, 0);
    for (const t of TABLES) {
      const write = this.written[t];
      const remove = [...this.removed[t]].filter((c) => !write.has(c));
      if (write.size === 0 && remove.length === 0 && edits[t].length === 0) continue;
      out.push(`*${t}`);
      if (lines > LIST_FIRST_ABOVE_LINES) out.push('-S');
      // New chains exist before the dispatch lines that jump to them; chains to remove are declared
      // (which flushes them) and deleted after the lines that jumped to them.
      for (const c of write.keys()) out.push(`:${c} - [0:0]`);
      for (const c of remove) out.push(`:${c} - [0:0]`);
      for (const rules of write.values()) for (const r of rules) out.push(r);
      for (const e of edits[t]) out.push(e);
      for (const c of remove) out.push(`-X ${c}`);
      out.push('COMMIT');
      chains[t] = [...write.keys(), ...remove];
    }
    this.forgetChanges();
    return { text: out.length ? out.join('\n') + '\n' : '', chains };
  }

  private recordChanges(service: string, before: PortRules[], after: PortRules[]): void {
    for (const t of TABLES) {
      const old = new Map<string, string[]>();
      for (const p of before) for (const c of own(p, t)) old.set(c.name, c.rules);
      for (const p of after) {
        for (const c of own(p, t)) {
          const previous = old.get(c.name);
          old.delete(c.name);
          if (!previous || !sameLines(previous, c.rules)) this.written[t].set(c.name, c.rules);
          this.removed[t].delete(c.name);
        }
      }
      for (const name of old.keys()) {
        this.written[t].delete(name);
        this.removed[t].add(name);
      }
    }
    for (const { key } of SHARED_CHAINS) {
      const old = before.flatMap((p) => p.shared[key]);
      const now = after.flatMap((p) => p.shared[key]);
      if (sameLines(old, now)) continue;
      let edit = this.sharedEdits.get(key);
      if (!edit) this.sharedEdits.set(key, (edit = { removed: [], added: [], services: new Set() }));
      edit.services.add(service);
      // A line added earlier in this batch is dropped rather than deleted from the kernel.
      for (const line of old) {
        const i = edit.added.indexOf(line);
        if (i >= 0) edit.added.splice(i, 1);
        else edit.removed.push(line);
      }
      edit.added.push(...now);
    }
  }

  private forgetChanges(): void {
    this.sharedEdits.clear();
    this.dirtyGroups.clear();
    this.groupsChanged = false;
    for (const t of TABLES) {
      this.written[t].clear();
      this.removed[t].clear();
    }
  }

  private countHairpin(ip: string, delta: 1 | -1): void {
    const group = hairpinGroup(ip, this.shell.family);
    let addresses = this.hairpinGroups.get(group);
    if (!addresses) {
      this.hairpinGroups.set(group, (addresses = new Map()));
      this.groupsChanged = true;
      this.chainCount++;
      this.ruleCount++; // its jump in PROXYCTL-HAIRPIN
    }
    const n = (addresses.get(ip) ?? 0) + delta;
    if (n > 0) addresses.set(ip, n);
    else addresses.delete(ip);
    if (n === 0 || (n === 1 && delta === 1)) {
      this.dirtyGroups.add(group);
      this.ruleCount += delta;
    }
    if (addresses.size === 0) {
      this.hairpinGroups.delete(group);
      this.groupsChanged = true;
      this.chainCount--;
      this.ruleCount--;
    }
  }

  private adjustCounts(ports: PortRules[], sign: 1 | -1): void {
    for (const p of ports) {
      this.chainCount += sign * (p.natChains.length + p.filterChains.length);
      let rules = sumRules(p.natChains) + sumRules(p.filterChains);
      for (const { key } of SHARED_CHAINS) rules += p.shared[key].length;
      this.ruleCount += sign * rules;
    }
  }

  /** Binary search in `order` (namespace, then name): the index of `key`, or where it belongs. */
  private position(key: string): number {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareKeys(this.order[mid], key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function own(p: Pick<PortRules, 'natChains' | 'filterChains'>, t: Table): OwnChain[] {
  return t === 'nat' ? p.natChains : p.filterChains;
}

function sumRules(chains: OwnChain[]): number {
  let n = 0;
  for (const c of chains) n += c.rules.length;
  return n;
}

function sameLines(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `namespace/name` keys ordered as the plan orders ports (namespace first), not as plain strings. */
export function compareKeys(a: string, b: string): number {
  const i = a.indexOf('/');
  const j = b.indexOf('/');
  return compareText(a.slice(0, i), b.slice(0, j)) || compareText(a.slice(i + 1), b.slice(j + 1));
}
