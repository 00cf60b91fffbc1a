import type { PolicyPlan } from '../../src/policy/types.js';
import type { Chain, NftSet, Table } from '../../src/backends/nftables/ruleset.js';
import { compile, namespace, netpol, pod } from '../policy/fixtures.js';

/** A small cluster on node-1 (plus a peer on node-2) used by the renderer unit tests. */

export const NODE_IP = '192.168.56.10';

export function webCluster(): unknown[] {
  return [
    namespace('prod', { team: 'a' }),
    pod('prod/web-1', { labels: { app: 'web' }, ips: ['10.244.0.2', 'fd00:10:244::2'], ports: [{ name: 'http', containerPort: 8080 }] }),
    pod('prod/web-2', { labels: { app: 'web' }, ips: ['10.244.0.3', 'fd00:10:244::3'], ports: [{ name: 'http', containerPort: 8081 }] }),
    pod('prod/db', { labels: { app: 'db' }, ips: ['10.244.1.4', 'fd00:10:244:1::4'], node: 'node-2', ports: [{ name: 'sql', containerPort: 3306 }] }),
    pod('prod/tools', { labels: { app: 'tools' }, ips: ['10.244.0.7'] }),
    netpol('prod/deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    netpol('prod/web', {
      podSelector: { matchLabels: { app: 'web' } },
      ingress: [
        { from: [{ podSelector: { matchLabels: { app: 'db' } } }, { ipBlock: { cidr: '10.0.0.0/8', except: ['10.244.0.0/16'] } }], ports: [{ port: 'http' }, { port: 9000, endPort: 9010 }] },
        { from: [{ ipBlock: { cidr: 'fd00:192:168::/48' } }], ports: [{ protocol: 'UDP' }] },
      ],
      egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ port: 'sql' }] }, { ports: [{ protocol: 'UDP', port: 53 }] }],
    }),
  ];
}

export function webPlan(objects = webCluster()): PolicyPlan {
  return compile(objects, 'node-1', [NODE_IP]);
}

export function table(tables: Table[], family: 'ip' | 'ip6'): Table {
  const t = tables.find((x) => x.family === family);
  if (!t) throw new Error(`no ${family} table`);
  return t;
}

export function chain(t: Table, name: string): Chain {
  const c = t.chains.find((x) => x.name === name);
  if (!c) throw new Error(`no chain ${name} in ${t.family}: ${t.chains.map((x) => x.name).join(', ')}`);
  return c;
}

export function set(t: Table, name: string): NftSet {
  const s = t.sets.find((x) => x.name === name);
  if (!s) throw new Error(`no set ${name} in ${t.family}: ${t.sets.map((x) => x.name).join(', ')}`);
  return s;
}

/** The id of the peer group with this canonical selector, wherever the plan uses it. */
export function groupId(plan: PolicyPlan, selector: string): string {
  const g = plan.policies.flatMap((p) => [...p.ingress, ...p.egress]).flatMap((r) => r.peers.groups).find((x) => x.selector === selector);
  if (!g) throw new Error(`no peer group ${selector}`);
  return g.id;
}

/** The id of the named-port group (scope, name, protocol), wherever the plan uses it. */
export function namedId(plan: PolicyPlan, scope: 'targets' | 'pods', name: string, protocol = 'TCP'): string {
  const g = plan.policies.flatMap((p) => [...p.ingress, ...p.egress]).flatMap((r) => r.ports.namedGroups)
    .find((x) => x.scope === scope && x.name === name && x.protocol === protocol);
  if (!g) throw new Error(`no named port group ${scope} ${name}/${protocol}`);
  return g.id;
}

/** Set elements as nft text (`10.0.0.1`, `0.0.0.0/0 . tcp . 80-90`, `10.0.0.2 : jump x`). */
export function elements(s: NftSet): string[] {
  return s.elements.map((e) => [e.key.join(' . '), e.verdict && typeof e.verdict !== 'string' ? `${e.verdict.kind} ${e.verdict.target}` : undefined].filter(Boolean).join(' : '));
}

/** A table with every set emptied: what must not change when only pods come and go. */
export function withoutElements(tables: Table[]): Table[] {
  return tables.map((t) => ({ ...t, sets: t.sets.map((s) => ({ ...s, elements: [] })) }));
}
