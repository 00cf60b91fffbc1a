import type { Diagnostic } from '../../model/diagnostics.js';
import type { FamilyPlan, ProxyPlan } from '../../proxy/plan-types.js';
import type { NftFamily } from './ast.js';
import { nodeElements, serviceElements, type Contribution, type SetName } from './elements.js';
import { buildChains, declareSets, type ChainNeeds } from './layout.js';
import { TABLE } from './names.js';
import type { Element, Table } from './ruleset.js';

export interface NftRender {
  tables: Table[];
  diagnostics: Diagnostic[];
}

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
      for (const e of elements) {
        const key = `${name}|${e.key.join(' . ')}`;
        const first = owner.get(key);
        if (first === undefined) {
          owner.set(key, id);
          set.elements.push(e);
        } else if (first !== id && !name.startsWith('firewall')) {
          diagnostics.push({ severity: 'warning', message: `${e.key.join(' ')} is claimed by both ${first} and ${id}; ${id} is not rendered there` });
        }
      }
    }
  };
  merge(nodeElements(fp), 'node');
  for (const p of fp.ports) merge(serviceElements(p, fp), p.id);
  const needs = chainNeeds(sets.flatMap((s) => s.elements));
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
