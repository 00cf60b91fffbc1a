import { expect } from 'chai';
import type { Protocol } from '../../src/model/types.js';
import { evaluate } from '../../src/policy/evaluate.js';
import { formatTruthTable, truthTable, type NamedAddress } from '../../src/policy/truth-table.js';
import type { PolicyPlan } from '../../src/policy/types.js';
import { compile, namespace, netpol, pod } from './fixtures.js';

/**
 * The upstream netpol e2e model: namespaces x, y, z (label ns=<name>), each with pods a, b, c
 * (label pod=<name>) serving 80 and 81 on TCP and UDP with named ports serve-<port>-<proto>.
 * Pods a and b run on node-1, c on node-2. Tables: rows are sources, columns destinations,
 * '.' allowed, 'X' denied; loopback (the diagonal) is always allowed.
 */

const NAMESPACES = ['x', 'y', 'z'];
const PODS = ['a', 'b', 'c'];
const servePorts = [80, 81].flatMap((port) => (['TCP', 'UDP'] as const).map((protocol) => ({ name: `serve-${port}-${protocol.toLowerCase()}`, containerPort: port, protocol })));

function model(): unknown[] {
  const objects: unknown[] = [];
  NAMESPACES.forEach((ns, i) => {
    objects.push(namespace(ns, { ns }));
    PODS.forEach((p, j) => objects.push(pod(`${ns}/${p}`, {
      labels: { pod: p },
      node: p === 'c' ? 'node-2' : 'node-1',
      ips: [`10.1.${i + 1}.${j + 1}`, `fd00:1:${i + 1}::${j + 1}`],
      ports: servePorts,
    })));
  });
  return objects;
}

function endpoints(family: 'ipv4' | 'ipv6'): NamedAddress[] {
  return NAMESPACES.flatMap((ns, i) => PODS.map((p, j) => ({
    name: `${ns}/${p}`,
    address: family === 'ipv4' ? `10.1.${i + 1}.${j + 1}` : `fd00:1:${i + 1}::${j + 1}`,
  })));
}

/** Egress judged on the source's node plan, ingress on the destination's, as the cluster enforces it. */
function acrossNodes(plans: Record<string, PolicyPlan>, eps: NamedAddress[], port: number, protocol: Protocol): boolean[][] {
  const nodeOf = (name: string) => (name.endsWith('/c') ? 'node-2' : 'node-1');
  return eps.map((from) => eps.map((to) => {
    const egress = evaluate(plans[nodeOf(from.name)], from.address, to.address, port, protocol);
    const ingress = evaluate(plans[nodeOf(to.name)], from.address, to.address, port, protocol);
    const ok = (v: typeof egress.egress) => !v.isolated || v.allowedBy.length > 0;
    return egress.loopback || (ok(egress.egress) && ok(ingress.ingress));
  }));
}

function grid(text: string): string {
  return text.trim().split('\n').map((l) => l.trim().split(/\s+/).join(' ')).join('\n');
}

const HEADER = 'x/a x/b x/c y/a y/b y/c z/a z/b z/c';
const ALL_ALLOWED = `
      ${HEADER}
  x/a  .   .   .   .   .   .   .   .   .
  x/b  .   .   .   .   .   .   .   .   .
  x/c  .   .   .   .   .   .   .   .   .
  y/a  .   .   .   .   .   .   .   .   .
  y/b  .   .   .   .   .   .   .   .   .
  y/c  .   .   .   .   .   .   .   .   .
  z/a  .   .   .   .   .   .   .   .   .
  z/b  .   .   .   .   .   .   .   .   .
  z/c  .   .   .   .   .   .   .   .   .`;

interface Scenario {
  name: string;
  policies: unknown[];
  tables: { port: number; protocol?: Protocol; table: string }[];
}

const scenarios: Scenario[] = [
  { name: 'no policies: everything allowed', policies: [], tables: [{ port: 80, table: ALL_ALLOWED }] },
  {
    name: 'default-deny ingress in x',
    policies: [netpol('x/deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] })],
    tables: [{ port: 80, table: `
          ${HEADER}
      x/a  .   X   X   .   .   .   .   .   .
      x/b  X   .   X   .   .   .   .   .   .
      x/c  X   X   .   .   .   .   .   .   .
      y/a  X   X   X   .   .   .   .   .   .
      y/b  X   X   X   .   .   .   .   .   .
      y/c  X   X   X   .   .   .   .   .   .
      z/a  X   X   X   .   .   .   .   .   .
      z/b  X   X   X   .   .   .   .   .   .
      z/c  X   X   X   .   .   .   .   .   .` }],
  },
  {
    name: 'x/a from pods b in namespaces y (one peer: AND)',
    policies: [netpol('x/allow', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } }, podSelector: { matchLabels: { pod: 'b' } } }] }] })],
    tables: [{ port: 80, table: `
          ${HEADER}
      x/a  .   .   .   .   .   .   .   .   .
      x/b  X   .   .   .   .   .   .   .   .
      x/c  X   .   .   .   .   .   .   .   .
      y/a  X   .   .   .   .   .   .   .   .
      y/b  .   .   .   .   .   .   .   .   .
      y/c  X   .   .   .   .   .   .   .   .
      z/a  X   .   .   .   .   .   .   .   .
      z/b  X   .   .   .   .   .   .   .   .
      z/c  X   .   .   .   .   .   .   .   .` }],
  },
  {
    name: 'x/a from namespace y or from pods b of x (two peers: OR)',
    policies: [netpol('x/allow', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }, { podSelector: { matchLabels: { pod: 'b' } } }] }] })],
    tables: [{ port: 80, table: `
          ${HEADER}
      x/a  .   .   .   .   .   .   .   .   .
      x/b  .   .   .   .   .   .   .   .   .
      x/c  X   .   .   .   .   .   .   .   .
      y/a  .   .   .   .   .   .   .   .   .
      y/b  .   .   .   .   .   .   .   .   .
      y/c  .   .   .   .   .   .   .   .   .
      z/a  X   .   .   .   .   .   .   .   .
      z/b  X   .   .   .   .   .   .   .   .
      z/c  X   .   .   .   .   .   .   .   .` }],
  },
  {
    name: 'z may only reach namespace x on port 80 (egress)',
    policies: [netpol('z/egress', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { ns: 'x' } } }], ports: [{ port: 80 }] }] })],
    tables: [
      { port: 80, table: `
          ${HEADER}
      x/a  .   .   .   .   .   .   .   .   .
      x/b  .   .   .   .   .   .   .   .   .
      x/c  .   .   .   .   .   .   .   .   .
      y/a  .   .   .   .   .   .   .   .   .
      y/b  .   .   .   .   .   .   .   .   .
      y/c  .   .   .   .   .   .   .   .   .
      z/a  .   .   .   X   X   X   .   X   X
      z/b  .   .   .   X   X   X   X   .   X
      z/c  .   .   .   X   X   X   X   X   .` },
      { port: 81, table: `
          ${HEADER}
      x/a  .   .   .   .   .   .   .   .   .
      x/b  .   .   .   .   .   .   .   .   .
      x/c  .   .   .   .   .   .   .   .   .
      y/a  .   .   .   .   .   .   .   .   .
      y/b  .   .   .   .   .   .   .   .   .
      y/c  .   .   .   .   .   .   .   .   .
      z/a  X   X   X   X   X   X   .   X   X
      z/b  X   X   X   X   X   X   X   .   X
      z/c  X   X   X   X   X   X   X   X   .` },
    ],
  },
  {
    name: 'y pods other than c accept pods a and b of other namespaces (NotIn, In)',
    policies: [netpol('y/others', {
      podSelector: { matchExpressions: [{ key: 'pod', operator: 'NotIn', values: ['c'] }] },
      ingress: [{ from: [{
        namespaceSelector: { matchExpressions: [{ key: 'ns', operator: 'NotIn', values: ['y'] }] },
        podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: ['a', 'b'] }] },
      }] }],
    })],
    tables: [{ port: 80, table: `
          ${HEADER}
      x/a  .   .   .   .   .   .   .   .   .
      x/b  .   .   .   .   .   .   .   .   .
      x/c  .   .   .   X   X   .   .   .   .
      y/a  .   .   .   .   X   .   .   .   .
      y/b  .   .   .   X   .   .   .   .   .
      y/c  .   .   .   X   X   .   .   .   .
      z/a  .   .   .   .   .   .   .   .   .
      z/b  .   .   .   .   .   .   .   .   .
      z/c  .   .   .   X   X   .   .   .   .` }],
  },
  {
    name: 'x accepts only the named port serve-81-tcp',
    policies: [netpol('x/named', { podSelector: {}, ingress: [{ ports: [{ port: 'serve-81-tcp' }] }] })],
    tables: [
      { port: 80, table: `
          ${HEADER}
      x/a  .   X   X   .   .   .   .   .   .
      x/b  X   .   X   .   .   .   .   .   .
      x/c  X   X   .   .   .   .   .   .   .
      y/a  X   X   X   .   .   .   .   .   .
      y/b  X   X   X   .   .   .   .   .   .
      y/c  X   X   X   .   .   .   .   .   .
      z/a  X   X   X   .   .   .   .   .   .
      z/b  X   X   X   .   .   .   .   .   .
      z/c  X   X   X   .   .   .   .   .   .` },
      { port: 81, table: ALL_ALLOWED },
      { port: 81, protocol: 'UDP', table: `
          ${HEADER}
      x/a  .   X   X   .   .   .   .   .   .
      x/b  X   .   X   .   .   .   .   .   .
      x/c  X   X   .   .   .   .   .   .   .
      y/a  X   X   X   .   .   .   .   .   .
      y/b  X   X   X   .   .   .   .   .   .
      y/c  X   X   X   .   .   .   .   .   .
      z/a  X   X   X   .   .   .   .   .   .
      z/b  X   X   X   .   .   .   .   .   .
      z/c  X   X   X   .   .   .   .   .   .` },
    ],
  },
  {
    name: 'x/a from the pod network except namespace y\'s range (ipBlock except)',
    policies: [netpol('x/cidr', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [
      { ipBlock: { cidr: '10.1.0.0/16', except: ['10.1.2.0/24'] } },
      { ipBlock: { cidr: 'fd00:1::/32', except: ['fd00:1:2::/48'] } },
    ] }] })],
    tables: [{ port: 80, table: `
          ${HEADER}
      x/a  .   .   .   .   .   .   .   .   .
      x/b  .   .   .   .   .   .   .   .   .
      x/c  .   .   .   .   .   .   .   .   .
      y/a  X   .   .   .   .   .   .   .   .
      y/b  X   .   .   .   .   .   .   .   .
      y/c  X   .   .   .   .   .   .   .   .
      z/a  .   .   .   .   .   .   .   .   .
      z/b  .   .   .   .   .   .   .   .   .
      z/c  .   .   .   .   .   .   .   .   .` }],
  },
  {
    name: 'x/a may send only to ports 81-82 (endPort)',
    policies: [netpol('x/range', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 81, endPort: 82 }] }] })],
    tables: [
      { port: 80, table: `
          ${HEADER}
      x/a  .   X   X   X   X   X   X   X   X
      x/b  .   .   .   .   .   .   .   .   .
      x/c  .   .   .   .   .   .   .   .   .
      y/a  .   .   .   .   .   .   .   .   .
      y/b  .   .   .   .   .   .   .   .   .
      y/c  .   .   .   .   .   .   .   .   .
      z/a  .   .   .   .   .   .   .   .   .
      z/b  .   .   .   .   .   .   .   .   .
      z/c  .   .   .   .   .   .   .   .   .` },
      { port: 81, table: ALL_ALLOWED },
    ],
  },
];

describe('policy/evaluate: the 3x3 model', () => {
  for (const s of scenarios) {
    describe(s.name, () => {
      const objects = [...model(), ...s.policies];
      const cluster = compile(objects, null);
      const perNode = { 'node-1': compile(objects, 'node-1'), 'node-2': compile(objects, 'node-2') };
      for (const t of s.tables) {
        const protocol = t.protocol ?? 'TCP';
        it(`${t.port}/${protocol} matches the truth table, on both families and per node`, () => {
          expect(cluster.diagnostics).to.deep.equal([]);
          for (const family of ['ipv4', 'ipv6'] as const) {
            const eps = endpoints(family);
            expect(grid(formatTruthTable(eps, truthTable(cluster, eps, t.port, protocol))), family).to.equal(grid(t.table));
            expect(acrossNodes(perNode, eps, t.port, protocol), `${family} per node`).to.deep.equal(truthTable(cluster, eps, t.port, protocol));
          }
        });
      }
    });
  }
});
