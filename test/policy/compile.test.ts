import { expect } from 'chai';
import type { Diagnostic } from '../../src/model/diagnostics.js';
import { compilePolicyPlan } from '../../src/policy/compile.js';
import type { PolicyPlan } from '../../src/policy/types.js';
import { compile, expectDiagnostics, expectFlows, namespace, netpol, pod } from './fixtures.js';

/**
 * Table-driven NetworkPolicy semantics. Every case compiles plain objects for node-1 and checks
 * flows with the reference evaluator, the plan's shape, and the exact diagnostics (none unless listed).
 */

// x/a, x/b, y/a on node-1; x/c, y/b on node-2.
const base: unknown[] = [
  namespace('x', { ns: 'x' }),
  namespace('y', { ns: 'y', team: 'blue' }),
  pod('x/a', { labels: { app: 'a', tier: 'web' }, ips: ['10.0.0.1'], ports: [{ name: 'http', containerPort: 8080 }, { name: 'dns', containerPort: 53, protocol: 'UDP' }] }),
  pod('x/b', { labels: { app: 'b' }, ips: ['10.0.0.2'], ports: [{ name: 'http', containerPort: 9090 }] }),
  pod('x/c', { labels: { app: 'c' }, ips: ['10.0.0.3'], node: 'node-2' }),
  pod('y/a', { labels: { app: 'a' }, ips: ['10.0.1.1'], ports: [{ name: 'http', containerPort: 7070 }] }),
  pod('y/b', { labels: { app: 'b' }, ips: ['10.0.1.2'], node: 'node-2' }),
];

const onlyA = { matchLabels: { app: 'a' } };

interface Case {
  name: string;
  objects: unknown[];
  node?: string | null;
  nodeIPs?: string[];
  allow?: string[];
  deny?: string[];
  diagnostics?: Partial<Diagnostic>[];
  plan?: (plan: PolicyPlan) => void;
}

const nameOf = (plan: PolicyPlan) => plan.targets.map((t) => t.id);
const warn = (namespace: string, name: string, field: string, kind = 'NetworkPolicy'): Partial<Diagnostic> => ({ kind, namespace, name, field });

const isolation: Case[] = [
  {
    name: 'no policy: nothing isolated, every flow allowed',
    objects: base,
    allow: ['x/b -> x/a:80', 'y/b -> x/a:81/UDP', '8.8.8.8 -> x/a:80', 'x/a -> 8.8.8.8:443'],
    plan: (p) => expect(p).to.deep.include({ targets: [], policies: [] }),
  },
  {
    name: 'default-deny ingress: empty podSelector isolates every pod of the namespace for ingress only',
    objects: [...base, netpol('x/deny', { podSelector: {}, policyTypes: ['Ingress'] })],
    deny: ['x/b -> x/a:80', 'y/a -> x/b:80', '8.8.8.8 -> x/a:80'],
    allow: ['x/a -> y/a:80', 'x/a -> 8.8.8.8:53/UDP', 'x/a -> x/c:80'],
    plan: (p) => {
      expect(nameOf(p)).to.deep.equal(['x/a', 'x/b']);
      expect(p.targets[0]).to.deep.include({ ingressIsolated: true, egressIsolated: false, ingressPolicies: ['x/deny'], egressPolicies: [] });
      expect(p.policies[0]).to.deep.include({ ingress: [], egress: [], targets: ['x/a', 'x/b'] });
    },
  },
  {
    name: 'ingress: [] denies all ingress, like an absent list',
    objects: [...base, netpol('x/deny', { podSelector: onlyA, ingress: [] })],
    deny: ['x/b -> x/a:80'],
    allow: ['x/a -> x/b:80', 'y/a -> x/b:80'],
  },
  {
    name: 'policyTypes defaults to [Ingress] without egress rules',
    objects: [...base, netpol('x/p', { podSelector: onlyA, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'b' } } }] }] })],
    allow: ['x/b -> x/a:80', 'x/a -> y/a:80'],
    deny: ['y/a -> x/a:80'],
    plan: (p) => expect(p.policies[0].policyTypes).to.deep.equal(['Ingress']),
  },
  {
    name: 'policyTypes defaults to [Ingress, Egress] with egress rules: ingress then denies all',
    objects: [...base, netpol('x/p', { podSelector: onlyA, egress: [{ to: [{ podSelector: { matchLabels: { app: 'b' } } }] }] })],
    allow: ['x/a -> x/b:80'],
    deny: ['x/a -> x/c:80', 'x/a -> 8.8.8.8:53/UDP', 'x/b -> x/a:80'],
    plan: (p) => {
      expect(p.policies[0].policyTypes).to.deep.equal(['Ingress', 'Egress']);
      expect(p.targets[0]).to.deep.include({ ingressIsolated: true, egressIsolated: true });
    },
  },
  {
    name: 'egress: [] without policyTypes is no egress section: egress stays open',
    objects: [...base, netpol('x/p', { podSelector: onlyA, egress: [] })],
    allow: ['x/a -> 8.8.8.8:53/UDP'],
    deny: ['x/b -> x/a:80'],
    plan: (p) => expect(p.policies[0].policyTypes).to.deep.equal(['Ingress']),
  },
  {
    name: 'policyTypes [Egress] ignores ingress rules and leaves ingress open',
    objects: [...base, netpol('x/p', { podSelector: onlyA, policyTypes: ['Egress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'b' } } }] }] })],
    allow: ['y/a -> x/a:80'],
    deny: ['x/a -> x/b:80'],
    plan: (p) => expect(p.policies[0]).to.deep.include({ policyTypes: ['Egress'], ingress: [], egress: [] }),
  },
  {
    name: 'default-deny egress isolates egress only',
    objects: [...base, netpol('x/deny-egress', { podSelector: {}, policyTypes: ['Egress'] })],
    deny: ['x/a -> y/a:80', 'x/b -> 8.8.8.8:53/UDP', 'x/a -> x/b:80'],
    allow: ['y/a -> x/a:80'],
  },
  {
    name: 'pods the podSelector does not match stay open',
    objects: [...base, netpol('x/p', { podSelector: onlyA, ingress: [] })],
    allow: ['y/a -> x/b:80'],
    deny: ['y/a -> x/a:80'],
    plan: (p) => expect(nameOf(p)).to.deep.equal(['x/a']),
  },
  {
    name: 'a policy only selects pods of its own namespace',
    objects: [...base, netpol('y/p', { podSelector: onlyA, ingress: [] })],
    allow: ['x/b -> x/a:80'],
    deny: ['x/b -> y/a:80'],
    plan: (p) => expect(nameOf(p)).to.deep.equal(['y/a']),
  },
  {
    name: 'policies selecting one pod are a union',
    objects: [
      ...base,
      netpol('x/from-b', { podSelector: onlyA, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'b' } } }], ports: [{ port: 80 }] }] }),
      netpol('x/from-y', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }], ports: [{ port: 81 }] }] }),
    ],
    allow: ['x/b -> x/a:80', 'y/a -> x/a:81', 'y/b -> x/b:81'],
    deny: ['x/b -> x/a:81', 'y/a -> x/a:80', 'x/a -> x/b:80'],
    plan: (p) => expect(p.targets[0]).to.deep.include({ id: 'x/a', ingressPolicies: ['x/from-b', 'x/from-y'] }),
  },
];

const peers: Case[] = [
  {
    name: 'podSelector peer: matching pods of the policy namespace only, on any node',
    objects: [...base, netpol('x/p', { podSelector: { matchLabels: { app: 'b' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'c' } } }] }] })],
    allow: ['x/c -> x/b:80'],
    deny: ['x/a -> x/b:80', 'y/b -> x/b:80'],
    plan: (p) => expect(p.policies[0].ingress[0].peers.pods).to.deep.equal({ ipv4: ['10.0.0.3'], ipv6: [] }),
  },
  {
    name: 'namespaceSelector peer: every pod of the matching namespaces',
    objects: [...base, netpol('x/p', { podSelector: onlyA, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'blue' } } }] }] })],
    allow: ['y/a -> x/a:80', 'y/b -> x/a:80'],
    deny: ['x/b -> x/a:80'],
  },
  {
    name: 'podSelector AND namespaceSelector in one peer',
    objects: [...base, netpol('x/p', { podSelector: onlyA, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } }, podSelector: { matchLabels: { app: 'b' } } }] }] })],
    allow: ['y/b -> x/a:80'],
    deny: ['y/a -> x/a:80', 'x/b -> x/a:80'],
    plan: (p) => expect(p.policies[0].ingress[0].peers.pods.ipv4).to.deep.equal(['10.0.1.2']),
  },
  {
    name: 'podSelector OR namespaceSelector as two peers',
    objects: [...base, netpol('x/p', { podSelector: onlyA, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }, { podSelector: { matchLabels: { app: 'b' } } }] }] })],
    allow: ['y/a -> x/a:80', 'y/b -> x/a:80', 'x/b -> x/a:80'],
    deny: ['x/c -> x/a:80'],
  },
  {
    name: 'empty namespaceSelector selects pods of every namespace, but no external address',
    objects: [...base, netpol('x/p', { podSelector: onlyA, ingress: [{ from: [{ namespaceSelector: {} }] }] })],
    allow: ['y/b -> x/a:80', 'x/c -> x/a:80'],
    deny: ['8.8.8.8 -> x/a:80'],
  },
  {
    name: 'kubernetes.io/metadata.name is added to namespaces that lack it (and to ones with no object)',
    objects: [
      ...base.filter((o) => (o as { kind: string }).kind !== 'Namespace'),
      netpol('x/p', { podSelector: onlyA, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'y' } } }] }] }),
    ],
    allow: ['y/a -> x/a:80', 'y/b -> x/a:80'],
    deny: ['x/b -> x/a:80'],
  },
  {
    name: 'NotIn namespaceSelector also matches namespaces without the key',
    objects: [...base, namespace('z'), pod('z/a', { ips: ['10.0.2.1'] }),
      netpol('x/p', { podSelector: onlyA, ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'ns', operator: 'NotIn', values: ['x'] }] } }] }] })],
    allow: ['y/a -> x/a:80', 'z/a -> x/a:80'],
    deny: ['x/b -> x/a:80'],
  },
  {
    name: 'a rule without from allows every source, external ones included',
    objects: [...base, netpol('x/p', { podSelector: onlyA, ingress: [{ ports: [{ port: 80 }] }] })],
    allow: ['8.8.8.8 -> x/a:80', 'y/b -> x/a:80'],
    deny: ['8.8.8.8 -> x/a:81'],
    plan: (p) => expect(p.policies[0].ingress[0].peers.all).to.equal(true),
  },
  {
    name: 'ipBlock with except; nets are the flattened difference',
    objects: [...base, netpol('x/p', { podSelector: onlyA, ingress: [{ from: [{ ipBlock: { cidr: '192.168.0.0/22', except: ['192.168.1.0/24'] } }] }] })],
    allow: ['192.168.0.9 -> x/a:80', '192.168.3.255 -> x/a:80'],
    deny: ['192.168.1.7 -> x/a:80', '192.168.4.1 -> x/a:80', 'x/b -> x/a:80'],
    plan: (p) => expect(p.policies[0].ingress[0].peers).to.deep.equal({
      all: false,
      pods: { ipv4: [], ipv6: [] },
      groups: [],
      ipBlocks: [{ family: 'ipv4', cidr: '192.168.0.0/22', except: ['192.168.1.0/24'] }],
      nets: { ipv4: ['192.168.0.0/24', '192.168.2.0/23'], ipv6: [] },
    }),
  },
  {
    name: 'overlapping ipBlocks: an except in one block is still allowed by another',
    objects: [...base, netpol('x/p', { podSelector: onlyA, ingress: [{ from: [
      { ipBlock: { cidr: '10.8.0.0/16', except: ['10.8.1.0/24'] } },
      { ipBlock: { cidr: '10.8.1.0/25' } },
    ] }] })],
    allow: ['10.8.1.5 -> x/a:80', '10.8.9.9 -> x/a:80'],
    deny: ['10.8.1.200 -> x/a:80'],
    plan: (p) => expect(p.policies[0].ingress[0].peers.nets.ipv4).to.deep.equal(['10.8.0.0/24', '10.8.1.0/25', '10.8.2.0/23', '10.8.4.0/22', '10.8.8.0/21', '10.8.16.0/20', '10.8.32.0/19', '10.8.64.0/18', '10.8.128.0/17']),
  },
];

const ports: Case[] = [
  {
    name: 'numeric port defaults to TCP',
    objects: [...base, netpol('x/p', { podSelector: onlyA, ingress: [{ ports: [{ port: 80 }] }] })],
    allow: ['x/b -> x/a:80'],
    deny: ['x/b -> x/a:80/UDP', 'x/b -> x/a:81', 'x/b -> x/a:80/SCTP'],
  },
  {
    name: 'a protocol-only entry allows every port of that protocol',
    objects: [...base, netpol('x/p', { podSelector: onlyA, ingress: [{ ports: [{ protocol: 'UDP' }] }] })],
    allow: ['x/b -> x/a:53/UDP', 'x/b -> x/a:65535/UDP'],
    deny: ['x/b -> x/a:53'],
    plan: (p) => expect(p.policies[0].ingress[0].ports).to.deep.equal({ all: false, ranges: [{ protocol: 'UDP' }], named: [], namedGroups: [] }),
  },
  {
    name: 'endPort range is inclusive',
    objects: [...base, netpol('x/p', { podSelector: onlyA, ingress: [{ ports: [{ port: 8000, endPort: 8010 }] }] })],
    allow: ['x/b -> x/a:8000', 'x/b -> x/a:8005', 'x/b -> x/a:8010'],
    deny: ['x/b -> x/a:7999', 'x/b -> x/a:8011'],
  },
  {
    name: 'a rule without ports allows every port and protocol',
    objects: [...base, netpol('x/p', { podSelector: onlyA, ingress: [{ from: [{ podSelector: {} }] }] })],
    allow: ['x/b -> x/a:1', 'x/b -> x/a:9999/UDP', 'x/b -> x/a:7/SCTP'],
    deny: ['y/a -> x/a:80'],
    plan: (p) => expect(p.policies[0].ingress[0].ports).to.deep.equal({ all: true, ranges: [], named: [], namedGroups: [] }),
  },
  {
    name: 'ingress named port resolves per selected pod',
    objects: [...base, netpol('x/p', { podSelector: {}, ingress: [{ ports: [{ port: 'http' }] }] })],
    allow: ['y/a -> x/a:8080', 'y/a -> x/b:9090'],
    deny: ['y/a -> x/a:9090', 'y/a -> x/b:8080'],
    plan: (p) => expect(p.policies[0].ingress[0].ports.named).to.deep.equal([
      { family: 'ipv4', address: '10.0.0.1', protocol: 'TCP', port: 8080 },
      { family: 'ipv4', address: '10.0.0.2', protocol: 'TCP', port: 9090 },
    ]),
  },
  {
    name: 'a named port must match the protocol too',
    objects: [...base, netpol('x/p', { podSelector: onlyA, ingress: [{ ports: [{ port: 'dns' }] }, { ports: [{ port: 'dns', protocol: 'UDP' }] }] })],
    allow: ['x/b -> x/a:53/UDP'],
    deny: ['x/b -> x/a:53'],
    plan: (p) => expect(p.policies[0].ingress[0].ports.named).to.deep.equal([]),
  },
  {
    name: 'egress named port resolves per peer pod, never on ipBlock peers',
    objects: [...base, netpol('x/p', { podSelector: onlyA, policyTypes: ['Egress'], egress: [{
      to: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'b' } } }, { ipBlock: { cidr: '10.0.1.1/32' } }],
      ports: [{ port: 'http' }],
    }] })],
    allow: ['x/a -> x/b:9090'],
    deny: ['x/a -> x/b:8080', 'x/a -> y/b:9090', 'x/a -> y/a:7070'],
    plan: (p) => expect(p.policies[0].egress[0].ports.named).to.deep.equal([{ family: 'ipv4', address: '10.0.0.2', protocol: 'TCP', port: 9090 }]),
  },
  {
    name: 'egress named port with no to: resolves on every pod of the cluster',
    objects: [...base, netpol('x/p', { podSelector: onlyA, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'http' }] }] })],
    allow: ['x/a -> x/b:9090', 'x/a -> y/a:7070'],
    deny: ['x/a -> y/a:9090', 'x/a -> x/c:9090', 'x/a -> 8.8.8.8:9090'],
  },
  {
    name: 'sidecar (restartable init container) ports are named ports; plain init containers are not',
    objects: [...base.filter((o) => (o as { metadata: { name: string; namespace?: string } }).metadata.namespace !== 'x' || (o as { metadata: { name: string } }).metadata.name !== 'a'),
      { ...pod('x/a', { labels: { app: 'a' }, ips: ['10.0.0.1'] }), spec: { nodeName: 'node-1', containers: [{ name: 'main' }], initContainers: [
        { name: 'proxy', restartPolicy: 'Always', ports: [{ name: 'metrics', containerPort: 9100 }] },
        { name: 'setup', ports: [{ name: 'setup', containerPort: 9200 }] },
      ] } },
      netpol('x/p', { podSelector: onlyA, ingress: [{ ports: [{ port: 'metrics' }, { port: 'setup' }] }] })],
    allow: ['x/b -> x/a:9100'],
    deny: ['x/b -> x/a:9200'],
  },
];

const pods: Case[] = [
  {
    name: 'pods that are not Running are neither targets nor peers',
    objects: [...base, pod('x/pending', { labels: { app: 'a' }, ips: ['10.0.0.9'], phase: 'Pending' }),
      pod('x/done', { labels: { app: 'b' }, ips: ['10.0.0.8'], phase: 'Succeeded' }),
      netpol('x/p', { podSelector: onlyA, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'b' } } }] }] })],
    allow: ['x/b -> x/a:80', 'x/b -> x/pending:80'],
    deny: ['x/done -> x/a:80'],
    plan: (p) => {
      expect(nameOf(p)).to.deep.equal(['x/a']);
      expect(p.policies[0].ingress[0].peers.pods.ipv4).to.deep.equal(['10.0.0.2']);
    },
  },
  {
    name: 'pods without an IP are ignored',
    objects: [...base, pod('x/new', { labels: { app: 'a' } }), netpol('x/p', { podSelector: onlyA, ingress: [] })],
    plan: (p) => expect(nameOf(p)).to.deep.equal(['x/a']),
  },
  {
    name: 'hostNetwork pods are neither targets nor peers',
    objects: [...base, pod('x/host', { labels: { app: 'b' }, ips: ['192.0.2.10'], hostNetwork: true }),
      netpol('x/p', { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'b' } } }] }] })],
    allow: ['x/b -> x/a:80', 'y/a -> 192.0.2.10:22'],
    deny: ['192.0.2.10 -> x/a:80'],
    plan: (p) => {
      expect(nameOf(p)).to.deep.equal(['x/a', 'x/b']);
      expect(p.policies[0].ingress[0].peers.pods.ipv4).to.deep.equal(['10.0.0.2']);
    },
  },
  {
    name: 'only pods on this node are targets; peers come from every node',
    objects: [...base, netpol('x/p', { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'c' } } }] }] })],
    allow: ['x/c -> x/a:80', 'x/a -> x/c:80'],
    deny: ['x/b -> x/a:80'],
    plan: (p) => {
      expect(nameOf(p)).to.deep.equal(['x/a', 'x/b']);
      expect(p.policies[0].targets).to.deep.equal(['x/a', 'x/b']);
    },
  },
  {
    name: 'a policy selecting no pod on this node is left out of the plan',
    objects: [...base, netpol('x/p', { podSelector: { matchLabels: { app: 'c' } }, ingress: [] })],
    plan: (p) => expect(p).to.deep.include({ targets: [], policies: [] }),
  },
  {
    name: 'nodeName null: every node\'s pods are targets (cluster-wide view)',
    objects: [...base, netpol('x/p', { podSelector: {}, ingress: [] })],
    node: null,
    deny: ['x/a -> x/c:80', 'y/b -> x/c:80'],
    plan: (p) => expect(nameOf(p)).to.deep.equal(['x/a', 'x/b', 'x/c']),
  },
  {
    name: 'dual-stack pods: both addresses in targets and peer sets; ipBlocks apply to their family',
    objects: [
      namespace('x'),
      pod('x/a', { labels: { app: 'a' }, ips: ['10.0.0.1', 'fd00::1'] }),
      pod('x/b', { labels: { app: 'b' }, ips: ['fd00::2', '10.0.0.2'] }),
      netpol('x/p', { podSelector: onlyA, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'b' } } }, { ipBlock: { cidr: '192.168.0.0/16' } }, { ipBlock: { cidr: '2001:db8::/32' } }] }] }),
    ],
    allow: ['x/b -> x/a:80', 'x/b#6 -> x/a#6:80', '192.168.7.7 -> x/a:80', '2001:db8::7 -> x/a#6:80'],
    deny: ['2001:db9::7 -> x/a#6:80', '10.9.9.9 -> x/a:80'],
    plan: (p) => {
      expect(p.targets[0].addresses).to.deep.equal({ ipv4: ['10.0.0.1'], ipv6: ['fd00::1'] });
      expect(p.policies[0].ingress[0].peers.pods).to.deep.equal({ ipv4: ['10.0.0.2'], ipv6: ['fd00::2'] });
      expect(p.policies[0].ingress[0].peers.nets).to.deep.equal({ ipv4: ['192.168.0.0/16'], ipv6: ['2001:db8::/32'] });
    },
  },
  {
    name: 'the local node may always reach isolated local pods (ingress only)',
    objects: [...base, netpol('x/p', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })],
    nodeIPs: ['192.0.2.1'],
    allow: ['192.0.2.1 -> x/a:10250'],
    deny: ['192.0.2.2 -> x/a:80', 'x/a -> 192.0.2.1:6443'],
    plan: (p) => expect(p.nodeIPs).to.deep.equal({ ipv4: ['192.0.2.1'], ipv6: [] }),
  },
  {
    name: 'loopback is always allowed',
    objects: [...base, netpol('x/p', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })],
    allow: ['x/a -> x/a:80'],
    deny: ['x/a -> x/b:80'],
  },
];

const badInput: Case[] = [
  {
    name: 'invalid ipBlock cidr: warning; the rule\'s only peer is gone so it allows nothing (not all)',
    objects: [...base, netpol('x/p', { podSelector: onlyA, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/33' } }] }] })],
    deny: ['x/b -> x/a:80', '8.8.8.8 -> x/a:80'],
    diagnostics: [warn('x', 'p', 'spec.ingress[0].from[0].ipBlock.cidr')],
    plan: (p) => {
      expect(nameOf(p)).to.deep.equal(['x/a']);
      expect(p.policies[0].ingress[0].peers).to.deep.equal({ all: false, pods: { ipv4: [], ipv6: [] }, groups: [], ipBlocks: [], nets: { ipv4: [], ipv6: [] } });
    },
  },
  {
    name: 'a broken peer among valid ones: the others still allow',
    objects: [...base, netpol('x/p', { podSelector: onlyA, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'b' } } }, { ipBlock: { cidr: 'not-a-cidr' } }] }] })],
    allow: ['x/b -> x/a:80'],
    deny: ['y/a -> x/a:80'],
    diagnostics: [warn('x', 'p', 'spec.ingress[0].from[1].ipBlock.cidr')],
  },
  {
    name: 'except outside the cidr (or not a strict subset) drops the whole peer',
    objects: [...base, netpol('x/p', { podSelector: onlyA, ingress: [{ from: [
      { ipBlock: { cidr: '192.168.0.0/16', except: ['10.0.0.0/8'] } },
      { ipBlock: { cidr: '172.16.0.0/12', except: ['172.16.0.0/12'] } },
      { ipBlock: { cidr: '10.0.0.0/8', except: ['fd00::/8'] } },
    ] }] })],
    deny: ['192.168.1.1 -> x/a:80', '172.20.0.1 -> x/a:80', '10.9.9.9 -> x/a:80'],
    diagnostics: [
      warn('x', 'p', 'spec.ingress[0].from[0].ipBlock.except[0]'),
      warn('x', 'p', 'spec.ingress[0].from[1].ipBlock.except[0]'),
      warn('x', 'p', 'spec.ingress[0].from[2].ipBlock.except[0]'),
    ],
  },
  {
    name: 'invalid peer selectors (unknown operator, In without values) drop the peer',
    objects: [...base, netpol('x/p', { podSelector: onlyA, ingress: [{ from: [
      { podSelector: { matchExpressions: [{ key: 'app', operator: 'Like', values: ['b'] }] } },
      { namespaceSelector: { matchExpressions: [{ key: 'ns', operator: 'In', values: [] }] } },
    ] }] })],
    deny: ['x/b -> x/a:80', 'y/a -> x/a:80'],
    diagnostics: [
      warn('x', 'p', 'spec.ingress[0].from[0].podSelector.matchExpressions[0].operator'),
      warn('x', 'p', 'spec.ingress[0].from[1].namespaceSelector.matchExpressions[0].values'),
    ],
  },
  {
    name: 'ipBlock together with a selector, and an empty peer, are invalid',
    objects: [...base, netpol('x/p', { podSelector: onlyA, ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' }, podSelector: {} }, {}] }] })],
    deny: ['x/b -> x/a:80', '8.8.8.8 -> x/a:80'],
    diagnostics: [warn('x', 'p', 'spec.ingress[0].from[0]'), warn('x', 'p', 'spec.ingress[0].from[1]')],
  },
  {
    name: 'invalid ports are dropped; a rule whose every port is invalid allows nothing',
    objects: [...base, netpol('x/p', { podSelector: onlyA, ingress: [
      { ports: [{ port: 0 }, { port: 70000 }, { port: 90, endPort: 80 }, { port: 'http', endPort: 9000 }, { protocol: 'ICMP' }] },
      { from: [{ podSelector: {} }], ports: [{ port: 443 }, { endPort: 444 }] },
    ] })],
    deny: ['8.8.8.8 -> x/a:80', '8.8.8.8 -> x/a:8080', 'x/b -> x/a:444'],
    allow: ['x/b -> x/a:443'],
    diagnostics: [
      warn('x', 'p', 'spec.ingress[0].ports[0].port'),
      warn('x', 'p', 'spec.ingress[0].ports[1].port'),
      warn('x', 'p', 'spec.ingress[0].ports[2].endPort'),
      warn('x', 'p', 'spec.ingress[0].ports[3].endPort'),
      warn('x', 'p', 'spec.ingress[0].ports[4].protocol'),
      warn('x', 'p', 'spec.ingress[1].ports[1].endPort'),
    ],
    plan: (p) => expect(p.policies[0].ingress[0].ports).to.deep.equal({ all: false, ranges: [], named: [], namedGroups: [] }),
  },
  {
    name: 'invalid spec.podSelector: isolates every pod of the namespace for its directions and allows nothing',
    objects: [...base, netpol('x/p', { podSelector: { matchExpressions: [{ key: 'app', operator: 'Exists', values: ['a'] }] }, ingress: [{}] }),
      netpol('x/other', { podSelector: { matchLabels: { app: 'b' } }, ingress: [{ from: [{ podSelector: {} }] }] })],
    deny: ['x/b -> x/a:80', 'y/a -> x/b:80'],
    allow: ['x/a -> x/b:80', 'x/a -> y/a:80'],
    diagnostics: [warn('x', 'p', 'spec.podSelector.matchExpressions[0].values')],
    plan: (p) => {
      expect(nameOf(p)).to.deep.equal(['x/a', 'x/b']);
      expect(p.policies.find((q) => q.id === 'x/p')).to.deep.include({ policyTypes: ['Ingress'], ingress: [], egress: [] });
    },
  },
  {
    name: 'an unknown policyTypes value isolates both directions',
    objects: [...base, netpol('x/p', { podSelector: onlyA, policyTypes: ['Ingress', 'Egres'], ingress: [{}] })],
    allow: ['y/a -> x/a:80'],
    deny: ['x/a -> y/a:80'],
    diagnostics: [warn('x', 'p', 'spec.policyTypes[1]')],
    plan: (p) => expect(p.policies[0].policyTypes).to.deep.equal(['Ingress', 'Egress']),
  },
  {
    name: 'malformed lists: a non-list from allows nothing, a non-list ingress denies the direction',
    objects: [...base,
      netpol('x/p', { podSelector: onlyA, ingress: [{ from: { podSelector: {} } }] }),
      netpol('y/p', { podSelector: {}, ingress: 'all' })],
    deny: ['x/b -> x/a:80', 'x/a -> y/a:80'],
    diagnostics: [warn('x', 'p', 'spec.ingress[0].from'), warn('y', 'p', 'spec.ingress')],
  },
  {
    name: 'a spec that is not an object isolates the namespace both ways',
    objects: [...base, netpol('x/p', 'deny')],
    deny: ['x/b -> x/a:80', 'x/a -> y/a:80'],
    allow: ['y/a -> x/c:80'],
    diagnostics: [warn('x', 'p', 'spec')],
  },
  {
    name: 'objects without metadata.name are skipped with a warning; without a namespace they go to default',
    objects: [...base,
      { kind: 'Pod', metadata: { namespace: 'x', labels: { app: 'b' } }, spec: { nodeName: 'node-1' }, status: { phase: 'Running', podIP: '10.0.0.50' } },
      { kind: 'Namespace', metadata: { labels: { a: 'b' } } },
      { kind: 'NetworkPolicy', spec: { podSelector: {} } },
      { kind: 'NetworkPolicy', metadata: { name: 'no-ns' }, spec: { podSelector: {} } },
      pod('default/d', { ips: ['10.0.9.9'] }),
      netpol('x/p', { podSelector: onlyA, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'b' } } }] }] })],
    deny: ['10.0.0.50 -> x/a:80', 'x/a -> default/d:80'],
    diagnostics: [
      { kind: 'Namespace', field: 'metadata.name' },
      { kind: 'NetworkPolicy', field: 'metadata' },
      { kind: 'Pod', namespace: 'x', field: 'metadata.name' },
    ],
    plan: (p) => expect(nameOf(p)).to.deep.equal(['default/d', 'x/a']),
  },
  {
    name: 'an invalid pod IP is ignored with a warning; the pod keeps its valid address',
    objects: [...base, pod('x/odd', { labels: { app: 'b' }, ips: ['10.0.0.7', 'fd00::zz'] }),
      netpol('x/p', { podSelector: onlyA, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'b' } } }] }] })],
    allow: ['10.0.0.7 -> x/a:80'],
    diagnostics: [warn('x', 'odd', 'status.podIPs[1].ip', 'Pod')],
  },
  {
    name: 'duplicate objects with different content: one is used, whatever the order, with a warning',
    // The copy with the smaller JSON text wins: here `ingress: []` (deny) over `ingress: [{}]`.
    objects: [...base, netpol('x/p', { podSelector: onlyA, ingress: [{}] }), netpol('x/p', { podSelector: onlyA, ingress: [] })],
    deny: ['x/b -> x/a:80'],
    diagnostics: [{ kind: 'NetworkPolicy', namespace: 'x', name: 'p' }],
  },
];

describe('policy/compile', () => {
  for (const [group, cases] of Object.entries({ isolation, peers, ports, pods, 'bad input (fail closed)': badInput })) {
    describe(group, () => {
      for (const c of cases) {
        it(c.name, () => {
          const plan = compile(c.objects, c.node === undefined ? 'node-1' : c.node, c.nodeIPs);
          expectDiagnostics(plan, c.diagnostics ?? []);
          expectFlows(plan, c.objects, c.allow, c.deny);
          c.plan?.(plan);
        });
      }
    });
  }

  it('every rule carries a comment-friendly source', () => {
    const plan = compile([...base, netpol('x/p', { podSelector: onlyA, policyTypes: ['Ingress', 'Egress'], ingress: [{}, {}], egress: [{}] })]);
    const sources = plan.policies.flatMap((p) => [...p.ingress, ...p.egress].map((r) => `${r.index} ${r.source}`));
    expect(sources).to.deep.equal(['0 x/p ingress[0]', '1 x/p ingress[1]', '0 x/p egress[0]']);
  });

  it('unwraps kubectl Lists and keeps the file in diagnostics', () => {
    const list = { apiVersion: 'v1', kind: 'List', items: [...base, netpol('x/p', { podSelector: onlyA, ingress: [{ from: [{ ipBlock: { cidr: 'x' } }] }] })] };
    const plan = compilePolicyPlan([{ object: list, file: 'cluster.json' }], { nodeName: 'node-1' });
    expect(plan.targets.map((t) => t.id)).to.deep.equal(['x/a']);
    expect(plan.diagnostics[0]).to.deep.include({ file: 'cluster.json', kind: 'NetworkPolicy', namespace: 'x', name: 'p', field: 'spec.ingress[0].from[0].ipBlock.cidr' });
  });
});
