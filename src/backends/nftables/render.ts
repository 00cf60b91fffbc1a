import type { Diagnostic } from '../../model/diagnostics.js';
import type { FamilyPlan, ProxyPlan } from '../../proxy/plan-types.js';
import type { NftFamily } from './ast.js';
import { nodeElements, serviceElements, type Contribution, type SetName } from './elements.js';
import { buildChains, declareSets, type ChainNeeds } from './layout.js';
import { SET, TABLE } from './names.js';
import type { Element, Table } from './ruleset.js';

export interface NftRender {
  tables: Table[];
  diagnostics: Diagnostic[];
}

const ENDPOINT_PARENT: ReadonlyMap<string, string> = new Map([
  [SET.endpoints, SET.serviceIPs],
  [SET.clusterEndpoints, SET.fallbackIPs],
  [SET.nodePortEndpoints, SET.serviceNodePorts],
  [SET.nodePortClusterEndpoints, SET.fallbackNodePorts],
]);

export const nftFamily = (fp: FamilyPlan): NftFamily => (fp.family === 'ipv4' ? 'ip' : 'ip6');

/** Pure: the plan → one table per IP family, every service held as elements of shared maps. */
export function renderNftables(plan: ProxyPlan, nodeName: string): NftRender {
  const diagnostics: Diagnostic[] = [];
  const tables = plan.families.map((fp) => renderFamily(fp, nodeName, diagnostics));
  return { tables, diagnostics };
}

function renderFamily(fp: FamilyPlan, nodeName: string, diagnostics: Diagnostic[]): Table {
  const family = nftFamily(fp);
  const sets = declareSets(family);
  const byName = new Map(sets.map((s) => [s.name, s]));
  const owner = new Map<string, string>();
  const merge = (c: Contribution, id: string) => {
    for (const [name, elements] of Object.entries(c) as [SetName, Element[]][]) {
      const set = byName.get(name)!;
      const parent = ENDPOINT_PARENT.get(name);
      if (parent) {
        // An endpoint key extends a service key: it belongs to whoever owns that key in the verdict map.
        let prefix = '';
        let owned = false;
        for (const e of elements) {
          const p = e.key.slice(0, -1).join(' . ');
          if (p !== prefix) {
            prefix = p;
            owned = owner.get(`${parent}|${p}`) === id;
          }
          if (owned) set.elements.push(e);
        }
        continue;
      }
      for (const e of elements) {
        const key = `${name}|${e.key.join(' . ')}`;
        const first = owner.get(key);
        if (first === undefined) {
          owner.set(key, id);
          set.elements.push(e);
        } else if (first !== id && set.dataType?.[0] === 'verdict') {
          diagnostics.push({ severity: 'warning', message: `${e.key.join(' ')} is claimed by both ${first} and ${id}; ${id} is not rendered there` });
        }
      }
    }
  };
  merge(nodeElements(fp), 'node');
  for (const p of fp.ports) merge(serviceElements(p, fp), p.id);
  const needs = chainNeeds(sets.filter((s) => s.dataType?.[0] === 'verdict').flatMap((s) => s.elements));
  const chains = buildChains({ family, masqueradeAll: fp.masqueradeAll, masqueradeOffCluster: fp.clusterCIDRs.length > 0 }, needs);
  return { family, name: TABLE, comment: `proxyctl services for node ${nodeName}; managed by proxyctl, do not edit`, sets, chains };
}

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
  for (const e of elements) {
    if (!e.verdict || typeof e.verdict === 'string') continue;
    for (const [re, kind] of CHAIN_PATTERNS) {
      const m = re.exec(e.verdict.target);
      if (m) needs[kind].add(Number(m[1]));
    }
  }
  for (const n of needs.externalLocal) if (n > 0) needs.lb.add(n);
  for (const n of needs.nodePortExternalLocal) if (n > 0) needs.nodePortLb.add(n);
  return needs;
}
