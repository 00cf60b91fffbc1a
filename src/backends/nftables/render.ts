import type { Diagnostic } from '../../model/diagnostics.js';
import type { FamilyPlan, ProxyPlan } from '../../proxy/plan-types.js';
import type { NftFamily } from './ast.js';
import { ElementIndex, type ElementSource } from './element-index.js';
import { ENDPOINT_MAPS, EndpointElement, HairpinElement, nodeElements, serviceElements, type Contribution } from './elements.js';
import { buildChains, declareSets, type ChainNeeds } from './layout.js';
import { SET, TABLE } from './names.js';
import type { Element, Table } from './ruleset.js';

export interface NftRender {
  tables: Table[];
  diagnostics: Diagnostic[];
}

export const VERDICT_MAPS: ReadonlySet<string> = new Set(declareSets('ip').filter((s) => s.dataType?.[0] === 'verdict').map((s) => s.name));

export const nftFamily = (fp: FamilyPlan): NftFamily => (fp.family === 'ipv4' ? 'ip' : 'ip6');

/** Pure: the plan → one table per IP family, every service held as elements of shared maps. */
export function renderNftables(plan: ProxyPlan, nodeName: string): NftRender {
  const diagnostics: Diagnostic[] = [];
  const tables = plan.families.map((fp) => renderFamily(fp, nodeName, diagnostics));
  return { tables, diagnostics };
}

/** Owner id of the node-level elements; sorts before every service id. */
export const NODE_OWNER = ' node';

function renderFamily(fp: FamilyPlan, nodeName: string, diagnostics: Diagnostic[]): Table {
  const family = nftFamily(fp);
  for (const p of fp.ports) if (family === 'ip6' && p.affinityTimeout !== undefined) diagnostics.push(ipv6AffinityWarning(p.id));
  // Endpoint-map keys are `service key . index`: two owners can only collide there when their service
  // keys do. Without such a collision, those maps (two thirds of all elements) skip the index.
  const { index, source } = loadWithEndpointMaps(fp) ?? loadAll(fp);
  for (const c of index.conflicts) {
    if (VERDICT_MAPS.has(c.set)) diagnostics.push({ severity: 'warning', message: `${c.key.replaceAll(' . ', ' ')} is claimed by both ${c.winner} and ${c.loser}; ${c.loser} is not rendered there` });
  }
  return familyTable(family, nodeName, fp, source);
}

/** Every element through the index, as the daemon's engine holds them. */
function loadAll(fp: FamilyPlan): { index: ElementIndex; source: ElementSource } {
  const index = new ElementIndex();
  index.load(NODE_OWNER, nodeElements(fp));
  for (const p of fp.ports) index.load(p.id, serviceElements(p, fp));
  return { index, source: index };
}

/**
 * The endpoint maps and the hairpin set kept in contribution order — what the index would hold — and the
 * other sets in the index; undefined as soon as two owners put endpoints under the same service key of
 * one map (then the index must decide, element by element). One pass: each port's contribution is
 * garbage once loaded.
 */
function loadWithEndpointMaps(fp: FamilyPlan): { index: ElementIndex; source: ElementSource } | undefined {
  const lists = new Map<string, Element[]>();
  const owners = new Map<string, Map<string, string>>();
  for (const set of ENDPOINT_MAPS) {
    lists.set(set, []);
    owners.set(set, new Map());
  }
  const hairpin = new HairpinSet();
  const index = new ElementIndex();
  index.load(NODE_OWNER, nodeElements(fp));
  for (const p of fp.ports) {
    const contribution = serviceElements(p, fp);
    if (!appendEndpointMaps(p.id, contribution, lists, owners)) return undefined;
    for (const e of contribution[SET.hairpin] ?? []) hairpin.add(e as HairpinElement);
    index.load(p.id, contribution, OUTSIDE_INDEX);
  }
  const elements = (set: string) => (set === SET.hairpin ? hairpin.elements : lists.get(set) ?? index.elements(set));
  return { index, source: { elements } };
}

const OUTSIDE_INDEX: ReadonlySet<string> = new Set([...ENDPOINT_MAPS, SET.hairpin]);

/**
 * The hairpin set as the index would hold it: each address once, where it first appeared (its elements
 * are key-only, so which owner wins does not change the text). Keyed by the address: no key text per element.
 */
class HairpinSet {
  readonly elements: Element[] = [];
  private readonly seen = new Set<string>();

  add(e: HairpinElement): void {
    if (this.seen.has(e.address)) return;
    this.seen.add(e.address);
    this.elements.push(e);
  }
}

/** Appends one owner's endpoint-map elements; false when a service key already belongs to another owner. */
function appendEndpointMaps(id: string, contribution: Contribution, lists: Map<string, Element[]>, owners: Map<string, Map<string, string>>): boolean {
  for (const set in contribution) {
    const out = lists.get(set);
    if (!out) continue;
    const claimed = owners.get(set)!;
    let previous: string | undefined;
    for (const e of contribution[set as keyof Contribution]!) {
      // A list holds a few service keys, each shared by a run of elements: look each up once.
      const key = (e as EndpointElement).serviceKeyText;
      if (key !== previous) {
        previous = key;
        const owner = claimed.get(key);
        if (owner !== undefined && owner !== id) return false;
        claimed.set(key, id);
      }
      out.push(e);
    }
  }
  return true;
}

/** The whole table from the elements held in an index (used by the full render and the daemon's full sync). */
export function familyTable(family: NftFamily, nodeName: string, fp: Pick<FamilyPlan, 'masqueradeAll' | 'clusterCIDRs'>, index: ElementSource): Table {
  const sets = declareSets(family);
  for (const s of sets) s.elements = index.elements(s.name);
  const needs = chainNeeds(sets.filter((s) => VERDICT_MAPS.has(s.name)).flatMap((s) => s.elements));
  const chains = buildChains({ family, masqueradeAll: fp.masqueradeAll, masqueradeOffCluster: fp.clusterCIDRs.length > 0 }, needs);
  return { family, name: TABLE, comment: tableComment(nodeName), sets, chains };
}

/** nft 1.0.6 (Debian 12) aborts on `update @map { ip6 saddr . ... }`: the port is served without stickiness. */
export function ipv6AffinityWarning(id: string): Diagnostic {
  return { severity: 'warning', message: `${id}: sessionAffinity ClientIP is not applied to IPv6 with the nftables backend (nft 1.0.6 cannot update a map keyed by IPv6 concatenations); served without affinity` };
}

export const tableComment = (nodeName: string) => `proxyctl services for node ${nodeName}; managed by proxyctl, do not edit`;

const CHAIN_PATTERNS: [RegExp, keyof ChainNeeds][] = [
  [/^lb-(\d+)$/, 'lb'],
  [/^cluster-lb-(\d+)$/, 'clusterLb'],
  [/^external-local-(\d+)$/, 'externalLocal'],
  [/^nodeport-lb-(\d+)$/, 'nodePortLb'],
  [/^nodeport-cluster-lb-(\d+)$/, 'nodePortClusterLb'],
  [/^nodeport-external-local-(\d+)$/, 'nodePortExternalLocal'],
  [/^affinity-(\d+)s$/, 'affinity'],
];

/** The per-size chains the elements jump to; an external-local-N chain also needs lb-N. */
export function chainNeeds(elements: Element[]): ChainNeeds {
  const needs: ChainNeeds = {
    lb: new Set(), clusterLb: new Set(), externalLocal: new Set(), nodePortLb: new Set(),
    nodePortClusterLb: new Set(), nodePortExternalLocal: new Set(), affinity: new Set(),
  };
  // Thousands of elements share a handful of targets: match the patterns once per distinct target.
  const targets = new Set<string>();
  for (const e of elements) if (e.verdict && typeof e.verdict !== 'string') targets.add(e.verdict.target);
  for (const target of targets) {
    for (const [re, kind] of CHAIN_PATTERNS) {
      const m = re.exec(target);
      if (m) needs[kind].add(Number(m[1]));
    }
  }
  for (const n of needs.externalLocal) if (n > 0) needs.lb.add(n);
  for (const n of needs.nodePortExternalLocal) if (n > 0) needs.nodePortLb.add(n);
  return needs;
}
