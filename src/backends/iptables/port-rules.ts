import type { FamilyPlan, PlanEndpoint, ServicePortPlan } from '../../proxy/plan-types.js';
import { CHAIN, digest, hashName } from './names.js';

/** A chain only one service port uses (its SVC/SVL/EXT/SEP/FW chains), with its `-A` lines. */
export interface OwnChain {
  name: string;
  rules: string[];
}

/** The chains every service port adds rules to, in the order the ruleset lists them. */
export const SHARED_CHAINS = [
  { key: 'natServices', table: 'nat', chain: CHAIN.services },
  { key: 'natNodePorts', table: 'nat', chain: CHAIN.nodePorts },
  { key: 'filterServices', table: 'filter', chain: CHAIN.services },
  { key: 'filterExternal', table: 'filter', chain: CHAIN.external },
  { key: 'filterFirewall', table: 'filter', chain: CHAIN.firewall },
] as const;

export type SharedKey = (typeof SHARED_CHAINS)[number]['key'];

/**
 * Everything one service port of one family contributes: the unit the daemon re-renders when that
 * service changes. A full ruleset is the node's static rules plus these, concatenated in port order.
 */
export interface PortRules {
  id: string;
  /** Its lines in each shared dispatch chain. */
  shared: Record<SharedKey, string[]>;
  natChains: OwnChain[];
  filterChains: OwnChain[];
  /** Its local endpoint addresses: a pod reaching itself through the service is masqueraded (see hairpin.ts). */
  hairpin: readonly string[];
}

/** The family facts a port's rules depend on (never its other ports). */
export type FamilyShell = Pick<FamilyPlan, 'family' | 'nodePortIPs' | 'clusterCIDRs' | 'masqueradeAll'>;

const NONE: readonly string[] = Object.freeze([]);
const V4_MASK = '255.255.255.255';
const V6_MASK = 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff';

export const quote = (s: string) => `"${s.replace(/["\\]/g, '')}"`;

/**
 * Pure: one service port → its rules. A chain per service and per entry path as kube-proxy does;
 * endpoints are DNATed inline, with an endpoint chain only under ClientIP affinity (the `recent` list
 * must be set when the endpoint is picked). Hairpin masquerade is not per endpoint but per local
 * address, grouped by /24 (see hairpin.ts): the kernel's load time grows with chains.
 */
export function renderPortRules(p: ServicePortPlan, fp: FamilyShell): PortRules {
  const v6 = fp.family === 'ipv6';
  const suffix = v6 ? '/128' : '/32';
  const proto = p.protocol === 'TCP' ? 'tcp' : p.protocol === 'UDP' ? 'udp' : p.protocol.toLowerCase();
  const out: PortRules = {
    id: p.id,
    shared: { natServices: [], natNodePorts: [], filterServices: [], filterExternal: [], filterFirewall: [] },
    natChains: [],
    filterChains: [],
    hairpin: NONE,
  };
  const shared = out.shared;
  const hasNodePort = p.nodePort !== undefined && fp.nodePortIPs.length > 0;
  const externalIPs = p.loadBalancerIPs.length === 0 ? dedupe(p.externalIPs) : dedupe([...p.externalIPs, ...p.loadBalancerIPs]);
  const reject = proto === 'tcp' ? '-j REJECT --reject-with tcp-reset' : '-j REJECT';

  if (p.cluster.length === 0) {
    const comment = quote(`${p.id} has no endpoints`);
    const rules = shared.filterServices;
    rules.push(`-A ${CHAIN.services} ${dportMatch(suffix, proto, p.clusterIP, p.port)} -m comment --comment ${comment} ${reject}`);
    for (const ip of externalIPs) rules.push(`-A ${CHAIN.services} ${dportMatch(suffix, proto, ip, p.port)} -m comment --comment ${comment} ${reject}`);
    if (hasNodePort) {
      for (const ip of fp.nodePortIPs) shared.filterExternal.push(`-A ${CHAIN.external} ${dportMatch(suffix, proto, ip, p.nodePort!)} -m comment --comment ${comment} ${reject}`);
    }
    return freezeEmpty(out);
  }
  const h = digest(p.id); // one hash per service port; its chains differ by kind
  const svc = `PXC-SVC-${h}`;
  const svl = `PXC-SVL-${h}`;
  const ext = `PXC-EXT-${h}`;
  const usesLocal = p.internal !== p.cluster || p.externalLocal;
  const internalChain = p.internal === p.cluster ? svc : svl;
  const svcChain: OwnChain = { name: svc, rules: [] };
  out.natChains.push(svcChain);
  const seps = new Set<string>(); // endpoint chains declared so far (SVC and SVL share them)
  const local = localAddresses(p.cluster);
  if (local.length) out.hairpin = local;
  endpointRules(svcChain, p.cluster, p, proto, v6, out, seps);
  if (usesLocal) {
    const svlChain: OwnChain = { name: svl, rules: [] };
    out.natChains.push(svlChain);
    endpointRules(svlChain, p.cluster.filter((e) => e.local), p, proto, v6, out, seps);
  }

  // Cluster-internal traffic to the ClusterIP.
  const toClusterIP = dportMatch(suffix, proto, p.clusterIP, p.port);
  if (p.internal.length === 0) {
    shared.filterServices.push(`-A ${CHAIN.services} ${toClusterIP} -m comment --comment ${quote(`${p.id} has no local endpoints`)} -j DROP`);
  } else {
    if (fp.masqueradeAll) shared.natServices.push(`-A ${CHAIN.services} ${toClusterIP} -j ${CHAIN.markMasq}`);
    else if (fp.clusterCIDRs.length > 0) shared.natServices.push(`-A ${CHAIN.services} ${toClusterIP} -j ${CHAIN.offCluster}`);
    shared.natServices.push(`-A ${CHAIN.services} ${toClusterIP} -m comment --comment ${quote(`${p.id} cluster IP`)} -j ${internalChain}`);
  }

  if (externalIPs.length === 0 && !hasNodePort) return freezeEmpty(out);
  const extRules: string[] = [];
  out.natChains.push({ name: ext, rules: extRules });
  if (!p.externalLocal) {
    extRules.push(`-A ${ext} -m comment --comment ${quote('masquerade traffic from outside')} -j ${CHAIN.markMasq}`);
    extRules.push(`-A ${ext} -j ${svc}`);
  } else {
    for (const cidr of fp.clusterCIDRs) extRules.push(`-A ${ext} -s ${cidr} -m comment --comment ${quote('pod traffic uses every endpoint')} -j ${svc}`);
    extRules.push(`-A ${ext} -m addrtype --src-type LOCAL -j ${CHAIN.markMasq}`);
    extRules.push(`-A ${ext} -m addrtype --src-type LOCAL -m comment --comment ${quote('node traffic uses every endpoint')} -j ${svc}`);
    if (p.external.length > 0) extRules.push(`-A ${ext} -j ${svl}`);
  }
  const dropExternal = p.externalLocal && p.external.length === 0;
  for (const ip of externalIPs) {
    shared.natServices.push(`-A ${CHAIN.services} ${dportMatch(suffix, proto, ip, p.port)} -m comment --comment ${quote(`${p.id} external IP`)} -j ${ext}`);
    if (dropExternal) shared.filterExternal.push(`-A ${CHAIN.external} ${dportMatch(suffix, proto, ip, p.port)} -m comment --comment ${quote(`${p.id} has no local endpoints`)} -j DROP`);
  }
  if (hasNodePort) {
    shared.natNodePorts.push(`-A ${CHAIN.nodePorts} -p ${proto} -m ${proto} --dport ${p.nodePort} -m comment --comment ${quote(`${p.id} nodePort`)} -j ${ext}`);
    if (dropExternal) {
      for (const ip of fp.nodePortIPs) shared.filterExternal.push(`-A ${CHAIN.external} ${dportMatch(suffix, proto, ip, p.nodePort!)} -m comment --comment ${quote(`${p.id} has no local endpoints`)} -j DROP`);
    }
  }
  if (p.sourceRanges.length > 0 && p.loadBalancerIPs.length > 0) {
    const fw = `PXC-FW-${h}`;
    const fwRules: string[] = [];
    out.filterChains.push({ name: fw, rules: fwRules });
    for (const ip of p.loadBalancerIPs) shared.filterFirewall.push(`-A ${CHAIN.firewall} ${dportMatch(suffix, proto, ip, p.port)} -m comment --comment ${quote(`${p.id} loadBalancerSourceRanges`)} -j ${fw}`);
    for (const range of p.sourceRanges) fwRules.push(`-A ${fw} -s ${range} -j RETURN`);
    fwRules.push(`-A ${fw} -m comment --comment ${quote(`${p.id} source not allowed`)} -j DROP`);
  }
  return freezeEmpty(out);
}

/** `-m statistic ... --probability 1/left ` for the endpoint with `left` endpoints still to choose from. */
const PICKS: string[] = [];
function pick(left: number): string {
  if (left < 2) return '';
  return (PICKS[left] ??= `-m statistic --mode random --probability ${(1 / left).toFixed(10)} `);
}

/**
 * A service chain's endpoint rules: a random pick per endpoint, each DNATing inline, or under affinity
 * jumping to the endpoint's chain (declared once per port: SVC and SVL share them; `seps` tracks that).
 */
function endpointRules(chain: OwnChain, endpoints: PlanEndpoint[], p: ServicePortPlan, proto: string, v6: boolean, out: PortRules, seps: Set<string>): void {
  const rules = chain.rules;
  const head = `-A ${chain.name} `;
  const n = endpoints.length;
  if (p.affinityTimeout === undefined) {
    // No per-endpoint comment: the service chain's dispatch rule names the service, and at 100k
    // endpoints comments would double the text the kernel has to load.
    const dnat = `-p ${proto} -j DNAT --to-destination `;
    for (let i = 0; i < n; i++) rules.push(head + pick(n - i) + dnat + destination(endpoints[i], v6));
    return;
  }
  const mask = v6 ? V6_MASK : V4_MASK;
  const names = endpoints.map((e) => hashName('SEP', `${p.id}|${e.ip}|${e.port}`));
  for (const sep of names) rules.push(`${head}-m recent --name ${sep} --mask ${mask} --rsource --rcheck --seconds ${p.affinityTimeout} --reap -j ${sep}`);
  for (let i = 0; i < n; i++) rules.push(`${head}${pick(n - i)}-j ${names[i]}`);
  for (let i = 0; i < n; i++) {
    const sep = names[i];
    if (seps.has(sep)) continue;
    seps.add(sep);
    out.natChains.push({ name: sep, rules: [`-A ${sep} -p ${proto} -m recent --name ${sep} --mask ${mask} --rsource --set -j DNAT --to-destination ${destination(endpoints[i], v6)}`] });
  }
}

function dportMatch(suffix: string, proto: string, ip: string, port: number): string {
  return `-d ${ip}${suffix} -p ${proto} -m ${proto} --dport ${port}`;
}

function destination(e: PlanEndpoint, v6: boolean): string {
  return v6 ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

/** May repeat an address (two target ports of one pod): the chain's users dedupe, counting both. */
function localAddresses(endpoints: PlanEndpoint[]): string[] {
  let out: string[] | undefined;
  for (const e of endpoints) if (e.local) (out ??= []).push(e.ip);
  return out ?? (NONE as string[]);
}

function dedupe(ips: string[]): string[] {
  return ips.length < 2 ? ips : [...new Set(ips)];
}

/** Empty shared lists point at one frozen array: 10k ports would otherwise keep 40k empty arrays alive. */
function freezeEmpty(out: PortRules): PortRules {
  const s = out.shared as Record<SharedKey, string[]>;
  for (const { key } of SHARED_CHAINS) if (s[key].length === 0) s[key] = NONE as string[];
  return out;
}
