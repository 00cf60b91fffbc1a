import type { FamilyPlan, PlanEndpoint, ServicePortPlan } from '../../proxy/plan-types.js';
import { CHAIN, MASQ_MARK, digest, hashName } from './names.js';

/** Chains and rules of one table, in the order iptables-restore wants them. */
interface TableBuilder {
  chains: string[];
  rules: Map<string, string[]>;
}

const BUILTIN = ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'];

const q = (s: string) => `"${s.replace(/["\\]/g, '')}"`;

/**
 * Pure: one family's plan → iptables-restore input (nat and filter). A chain per service and per
 * entry path as kube-proxy does; endpoint chains only where they are needed (local endpoints for
 * hairpin masquerade, and affinity), remote endpoints are DNATed inline.
 */
export function renderIptables(fp: FamilyPlan, nodeName: string): string {
  const v6 = fp.family === 'ipv6';
  const host = (ip: string) => `${ip}/${v6 ? 128 : 32}`;
  const nat: TableBuilder = { chains: [CHAIN.services, CHAIN.nodePorts, CHAIN.postrouting, CHAIN.markMasq, CHAIN.offCluster], rules: new Map() };
  const filter: TableBuilder = { chains: [CHAIN.services, CHAIN.external, CHAIN.firewall], rules: new Map() };
  const add = (t: TableBuilder, chain: string, rule: string) => {
    const list = t.rules.get(chain);
    if (list) list.push(`-A ${chain} ${rule}`);
    else t.rules.set(chain, [`-A ${chain} ${rule}`]);
  };
  const n = (chain: string, rule: string) => add(nat, chain, rule);
  const fl = (chain: string, rule: string) => add(filter, chain, rule);

  n('PREROUTING', `-m comment --comment ${q('proxyctl service portals')} -j ${CHAIN.services}`);
  n('OUTPUT', `-m comment --comment ${q('proxyctl service portals')} -j ${CHAIN.services}`);
  n('POSTROUTING', `-m comment --comment ${q('proxyctl postrouting rules')} -j ${CHAIN.postrouting}`);
  for (const hook of ['INPUT', 'FORWARD', 'OUTPUT']) {
    fl(hook, `-m conntrack --ctstate NEW -m comment --comment ${q('proxyctl service firewall')} -j ${CHAIN.firewall}`);
    fl(hook, `-m conntrack --ctstate NEW -m comment --comment ${q('proxyctl services without endpoints')} -j ${CHAIN.services}`);
    fl(hook, `-m conntrack --ctstate NEW -m comment --comment ${q('proxyctl external services')} -j ${CHAIN.external}`);
  }
  n(CHAIN.markMasq, `-j MARK --or-mark ${MASQ_MARK}`);
  n(CHAIN.postrouting, `-m mark ! --mark ${MASQ_MARK}/${MASQ_MARK} -j RETURN`);
  n(CHAIN.postrouting, `-j MARK --xor-mark ${MASQ_MARK}`);
  n(CHAIN.postrouting, `-m comment --comment ${q(`proxyctl masquerade on ${nodeName}`)} -j MASQUERADE --random-fully`);
  for (const cidr of fp.clusterCIDRs) n(CHAIN.offCluster, `-s ${cidr} -j RETURN`);
  n(CHAIN.offCluster, `-j ${CHAIN.markMasq}`);

  const endpointChains = new Set<string>();
  for (const p of fp.ports) renderPort(p);
  // NodePort dispatch last, as kube-proxy does: specific service addresses match first.
  for (const ip of fp.nodePortIPs) n(CHAIN.services, `-d ${host(ip)} -m comment --comment ${q('proxyctl nodeports')} -j ${CHAIN.nodePorts}`);

  return [table('nat', nat), table('filter', filter)].join('');

  function renderPort(p: ServicePortPlan): void {
    const proto = p.protocol.toLowerCase();
    const match = (ip: string, port: number) => `-d ${host(ip)} -p ${proto} -m ${proto} --dport ${port}`;
    const hasNodePort = p.nodePort !== undefined && fp.nodePortIPs.length > 0;
    const externalIPs = [...new Set([...p.externalIPs, ...p.loadBalancerIPs])];
    const reject = `-j REJECT${proto === 'tcp' ? ' --reject-with tcp-reset' : ''}`;

    if (p.cluster.length === 0) {
      for (const ip of [p.clusterIP, ...externalIPs]) fl(CHAIN.services, `${match(ip, p.port)} -m comment --comment ${q(`${p.id} has no endpoints`)} ${reject}`);
      if (hasNodePort) {
        for (const ip of fp.nodePortIPs) fl(CHAIN.external, `${match(ip, p.nodePort!)} -m comment --comment ${q(`${p.id} has no endpoints`)} ${reject}`);
      }
      return;
    }
    const h = digest(p.id); // one hash per service port; its chains differ by kind
    const svc = `PXC-SVC-${h}`;
    const svl = `PXC-SVL-${h}`;
    const ext = `PXC-EXT-${h}`;
    const usesLocal = (p.internal !== p.cluster) || p.externalLocal;
    const internalChain = p.internal === p.cluster ? svc : svl;
    nat.chains.push(svc);
    endpointRules(svc, p, p.cluster);
    if (usesLocal) {
      nat.chains.push(svl);
      endpointRules(svl, p, p.cluster.filter((e) => e.local));
    }

    // Cluster-internal traffic to the ClusterIP.
    if (p.internal.length === 0) {
      fl(CHAIN.services, `${match(p.clusterIP, p.port)} -m comment --comment ${q(`${p.id} has no local endpoints`)} -j DROP`);
    } else {
      if (fp.masqueradeAll) n(CHAIN.services, `${match(p.clusterIP, p.port)} -j ${CHAIN.markMasq}`);
      else if (fp.clusterCIDRs.length > 0) n(CHAIN.services, `${match(p.clusterIP, p.port)} -j ${CHAIN.offCluster}`);
      n(CHAIN.services, `${match(p.clusterIP, p.port)} -m comment --comment ${q(`${p.id} cluster IP`)} -j ${internalChain}`);
    }

    if (externalIPs.length === 0 && !hasNodePort) return;
    nat.chains.push(ext);
    if (!p.externalLocal) {
      n(ext, `-m comment --comment ${q('masquerade traffic from outside')} -j ${CHAIN.markMasq}`);
      n(ext, `-j ${svc}`);
    } else {
      for (const cidr of fp.clusterCIDRs) n(ext, `-s ${cidr} -m comment --comment ${q('pod traffic uses every endpoint')} -j ${svc}`);
      n(ext, `-m addrtype --src-type LOCAL -j ${CHAIN.markMasq}`);
      n(ext, `-m addrtype --src-type LOCAL -m comment --comment ${q('node traffic uses every endpoint')} -j ${svc}`);
      if (p.external.length > 0) n(ext, `-j ${svl}`);
    }
    const dropExternal = p.externalLocal && p.external.length === 0;
    for (const ip of externalIPs) {
      n(CHAIN.services, `${match(ip, p.port)} -m comment --comment ${q(`${p.id} external IP`)} -j ${ext}`);
      if (dropExternal) fl(CHAIN.external, `${match(ip, p.port)} -m comment --comment ${q(`${p.id} has no local endpoints`)} -j DROP`);
    }
    if (hasNodePort) {
      n(CHAIN.nodePorts, `-p ${proto} -m ${proto} --dport ${p.nodePort} -m comment --comment ${q(`${p.id} nodePort`)} -j ${ext}`);
      if (dropExternal) {
        for (const ip of fp.nodePortIPs) fl(CHAIN.external, `${match(ip, p.nodePort!)} -m comment --comment ${q(`${p.id} has no local endpoints`)} -j DROP`);
      }
    }
    if (p.sourceRanges.length > 0 && p.loadBalancerIPs.length > 0) {
      const fw = `PXC-FW-${h}`;
      filter.chains.push(fw);
      for (const ip of p.loadBalancerIPs) fl(CHAIN.firewall, `${match(ip, p.port)} -m comment --comment ${q(`${p.id} loadBalancerSourceRanges`)} -j ${fw}`);
      for (const range of p.sourceRanges) fl(fw, `-s ${range} -j RETURN`);
      fl(fw, `-m comment --comment ${q(`${p.id} source not allowed`)} -j DROP`);
    }
  }

  function endpointRules(chain: string, p: ServicePortPlan, endpoints: PlanEndpoint[]): void {
    const proto = p.protocol.toLowerCase();
    const dest = (e: PlanEndpoint) => (v6 ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`);
    const seps = new Map<PlanEndpoint, string>();
    const sepOf = (e: PlanEndpoint) => {
      let name = seps.get(e);
      if (!name) seps.set(e, (name = hashName('SEP', `${p.id}|${e.ip}|${e.port}`)));
      return name;
    };
    const needsChain = (e: PlanEndpoint) => e.local || p.affinityTimeout !== undefined;
    if (p.affinityTimeout !== undefined) {
      for (const e of endpoints) n(chain, `-m recent --name ${sepOf(e)} --mask ${v6 ? 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff' : '255.255.255.255'} --rsource --rcheck --seconds ${p.affinityTimeout} --reap -j ${sepOf(e)}`);
    }
    endpoints.forEach((e, i) => {
      const left = endpoints.length - i;
      const pick = left > 1 ? `-m statistic --mode random --probability ${(1 / left).toFixed(10)} ` : '';
      // No per-endpoint comment: the service chain's dispatch rule names the service, and at 100k
      // endpoints comments would double the text the kernel has to load.
      if (needsChain(e)) n(chain, `${pick}-j ${sepOf(e)}`);
      else n(chain, `${pick}-p ${proto} -j DNAT --to-destination ${dest(e)}`);
    });
    for (const e of endpoints.filter(needsChain)) {
      const sep = sepOf(e);
      if (endpointChains.has(sep)) continue;
      endpointChains.add(sep);
      nat.chains.push(sep);
      n(sep, `-s ${host(e.ip)} -m comment --comment ${q('hairpin')} -j ${CHAIN.markMasq}`);
      const recent = p.affinityTimeout !== undefined ? `-m recent --name ${sep} --mask ${v6 ? 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff' : '255.255.255.255'} --rsource --set ` : '';
      n(sep, `-p ${proto} ${recent}-j DNAT --to-destination ${dest(e)}`);
    }
  }
}

/** Rules grouped by chain (hooks first, then chains in declaration order) so the output reads top-down. */
function table(name: string, t: TableBuilder): string {
  const lines = [`*${name}`, ...t.chains.map((c) => `:${c} - [0:0]`)];
  for (const chain of [...BUILTIN, ...t.chains]) for (const rule of t.rules.get(chain) ?? []) lines.push(rule);
  lines.push('COMMIT');
  return lines.join('\n') + '\n';
}
