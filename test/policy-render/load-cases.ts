// Plans the kernel must accept from both renderers: every statement and set shape we emit.
import type { PolicyRenderOptions } from '../../src/backends/nftables/policy/index.js';
import type { PolicyPlan } from '../../src/policy/types.js';
import { compile, namespace, netpol, pod } from '../policy/fixtures.js';
import { syntheticPolicyCluster } from '../policy/synthetic.js';
import { NODE_IP, webCluster } from './helpers.js';

export interface LoadCase {
  name: string;
  plan: PolicyPlan;
  opts: PolicyRenderOptions;
}

const CIDRS = ['10.244.0.0/24', 'fd00:10:244::/64'];
const allow: PolicyRenderOptions = { unknownPods: 'allow', podCIDRs: CIDRS };
const deny: PolicyRenderOptions = { unknownPods: 'deny', podCIDRs: CIDRS, localPods: ['10.244.0.2', '10.244.0.3', '10.244.0.7', 'fd00:10:244::2'] };

/** Every protocol, ranges, /0 blocks with holes, named ports of three protocols, broken input, IPv6-only pods. */
function wide(): unknown[] {
  const many = Array.from({ length: 20 }, (_, i) => ({ port: 2000 + 3 * i }));
  return [
    namespace('edge', { zone: 'dmz' }),
    namespace('core'),
    pod('edge/gw', { labels: { app: 'gw' }, ips: ['10.244.0.2', 'fd00:10:244::2'], ports: [{ name: 'web', containerPort: 443 }, { name: 'dns', containerPort: 53, protocol: 'UDP' }, { name: 'sig', containerPort: 3868, protocol: 'SCTP' }] }),
    pod('edge/v6only', { labels: { app: 'gw' }, ips: ['fd00:10:244::6'], ports: [{ name: 'web', containerPort: 8443 }] }),
    pod('core/api', { labels: { app: 'api' }, ips: ['10.244.1.2', 'fd00:10:244:1::2'], node: 'node-2', ports: [{ name: 'grpc', containerPort: 9443 }] }),
    netpol('edge/wide', {
      podSelector: { matchLabels: { app: 'gw' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        { from: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '192.168.0.0/16'] } }, { ipBlock: { cidr: '::/0', except: ['fd00::/8'] } }], ports: [{ port: 'web' }, { protocol: 'UDP', port: 'dns' }, { protocol: 'SCTP', port: 'sig' }] },
        { from: [{ namespaceSelector: {} }], ports: [{ port: 1, endPort: 1024 }, { port: 1000, endPort: 2000 }, { protocol: 'UDP' }, { protocol: 'SCTP', port: 9 }] },
        { ports: many },
        {},
        { from: [{ ipBlock: { cidr: 'broken' } }] },
        { ports: [{ port: 'no such' }] },
      ],
      egress: [
        { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'core' } } }], ports: [{ port: 'grpc' }] },
        { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }] },
      ],
    }),
  ];
}

/** 40 namespaces × (3 pods, one policy): a plan with many groups, chains and sets. */
function many(): unknown[] {
  const out: unknown[] = [];
  for (let n = 0; n < 40; n++) {
    out.push(namespace(`ns${n}`));
    for (let p = 0; p < 3; p++) out.push(pod(`ns${n}/p${p}`, { labels: { app: `a${p}` }, ips: [`10.244.${n >> 2}.${(n & 3) * 60 + p + 2}`] }));
    out.push(netpol(`ns${n}/allow`, { podSelector: { matchLabels: { app: 'a0' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'a1' } } }], ports: [{ port: 80 + n }] }] }));
  }
  return out;
}

export function loadCases(): LoadCase[] {
  return [
    { name: 'web, unknown pods allowed', plan: compile(webCluster(), 'node-1', [NODE_IP]), opts: allow },
    { name: 'web, unknown pods denied', plan: compile(webCluster(), 'node-1', [NODE_IP, 'fd00:192:168:56::10']), opts: deny },
    { name: 'nothing isolated, unknown pods denied', plan: compile([pod('a/x', { ips: ['10.244.0.2'] })], 'node-1'), opts: deny },
    { name: 'every shape, both families', plan: compile(wide(), 'node-1', [NODE_IP]), opts: { ...deny, podCIDRs: [...CIDRS, '10.244.0.0/16'] } },
    { name: '40 policies', plan: compile(many(), null, [NODE_IP]), opts: allow },
    // Sets shared by many rules and policies: the scale fixture, small.
    { name: 'synthetic 600 pods, 60 policies', plan: compile(syntheticPolicyCluster({ pods: 600, namespaces: 20, policies: 60 }), 'node-a', [NODE_IP]), opts: { unknownPods: 'deny', podCIDRs: ['10.100.0.0/16'] } },
  ];
}
