// The Kubernetes objects describing the policy lab (topology.ts), compiled by the real compiler.
import type { IPFamily } from '../../src/model/ip.js';
import { localPodAddresses, type PolicyRenderOptions } from '../../src/backends/nftables/policy/index.js';
import { compilePolicyPlan, sourcesOf, type PolicyPlan } from '../../src/policy/index.js';
import { namespace, netpol, pod } from '../policy/fixtures.js';
import { FAMILIES, LAB, type Host } from './topology.js';

export const NODE = 'node-1';

const ips = (host: Host) => FAMILIES.map((f) => LAB[f].hosts[host]);

/**
 * - server (app=server): ingress only from friend on TCP 8080, from 192.168.56.0/24 except .101
 *   (and the IPv6 twin) on 9090, and from locked on its named port `metrics` (9090);
 * - locked (app=locked): egress only to app=server on the named port `metrics` and on 8080 (which
 *   server's ingress does not allow from locked), and to the node's
 *   own address on 9090;
 * - friend, stranger: not isolated; ghost: has an address in the pod CIDR but no Pod object.
 */
export function labObjects(): unknown[] {
  const block = (f: IPFamily, except: Host) => ({
    ipBlock: { cidr: f === 'ipv4' ? '192.168.56.0/24' : 'fd00:192:168:56::/64', except: [`${LAB[f].hosts[except]}/${f === 'ipv4' ? 32 : 128}`] },
  });
  return [
    namespace('prod'),
    pod('prod/server', { node: NODE, labels: { app: 'server' }, ips: ips('server'), ports: [{ name: 'http', containerPort: 8080 }, { name: 'metrics', containerPort: 9090 }] }),
    pod('prod/friend', { node: NODE, labels: { role: 'friend' }, ips: ips('friend') }),
    pod('prod/stranger', { node: NODE, labels: { role: 'stranger' }, ips: ips('stranger') }),
    pod('prod/locked', { node: NODE, labels: { app: 'locked' }, ips: ips('locked') }),
    netpol('prod/server-ingress', {
      podSelector: { matchLabels: { app: 'server' } },
      policyTypes: ['Ingress'],
      ingress: [
        { from: [{ podSelector: { matchLabels: { role: 'friend' } } }], ports: [{ protocol: 'TCP', port: 8080 }] },
        { from: [block('ipv4', 'ext2'), block('ipv6', 'ext2')], ports: [{ port: 9090 }] },
        { from: [{ podSelector: { matchLabels: { app: 'locked' } } }], ports: [{ port: 'metrics' }] },
      ],
    }),
    netpol('prod/locked-egress', {
      podSelector: { matchLabels: { app: 'locked' } },
      policyTypes: ['Egress'],
      egress: [
        { to: [{ podSelector: { matchLabels: { app: 'server' } } }], ports: [{ port: 'metrics' }, { port: 8080 }] },
        { to: [{ ipBlock: { cidr: `${LAB.ipv4.node}/32` } }, { ipBlock: { cidr: `${LAB.ipv6.node}/128` } }], ports: [{ port: 9090 }] },
      ],
    }),
  ];
}

export function labPlan(): PolicyPlan {
  return compilePolicyPlan(sourcesOf(labObjects()), { nodeName: NODE, nodeIPs: FAMILIES.map((f) => LAB[f].node) });
}

export function labOptions(unknownPods: 'allow' | 'deny'): PolicyRenderOptions {
  const local = localPodAddresses(sourcesOf(labObjects()), NODE);
  return { unknownPods, podCIDRs: FAMILIES.map((f) => LAB[f].podCIDR), localPods: [...local.ipv4, ...local.ipv6] };
}
