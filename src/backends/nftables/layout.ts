import {
  concat, ctStateNew, ctStatusDnat, fibSaddrLocal, ipField, l4proto, mark, match, setRef, thDport, value,
  type Expr, type NftFamily, type Rule, type Stmt,
} from './ast.js';
import {
  affinityChain, clusterLbChain, externalLocalChain, lbChain, nodePortClusterLbChain, nodePortExternalLocalChain,
  nodePortLbChain, CHAIN, MASQ_MARK, SET,
} from './names.js';
import type { Chain, NftSet } from './ruleset.js';

const PROTOS = ['tcp', 'udp', 'sctp'] as const;

const setMasqMark: Stmt = { mangle: { key: mark, value: { binop: { op: '|', left: mark, right: value(MASQ_MARK) } } } };

/** The chain sizes and timeouts the current elements point at; chains exist only for these. */
export interface ChainNeeds {
  lb: Set<number>;
  clusterLb: Set<number>;
  externalLocal: Set<number>;
  nodePortLb: Set<number>;
  nodePortClusterLb: Set<number>;
  nodePortExternalLocal: Set<number>;
  affinity: Set<number>;
}

export interface LayoutOptions {
  family: NftFamily;
  /** Masquerade traffic from outside the cluster CIDRs to ClusterIPs (needs known CIDRs). */
  masqueradeOffCluster: boolean;
  masqueradeAll: boolean;
}

/** The sets and maps of one family's table, declared without elements. */
export function declareSets(family: NftFamily): NftSet[] {
  const addr = family === 'ip' ? 'ipv4_addr' : 'ipv6_addr';
  const k3 = [addr, 'inet_proto', 'inet_service'];
  const k2 = ['inet_proto', 'inet_service'];
  const epData = [addr, 'inet_service'];
  const ipd = `${family} daddr`;
  const set = (name: string, keyType: string[], extra: Partial<NftSet> = {}): NftSet => ({ name, keyType, elements: [], ...extra });
  const vmap = (name: string, keyType: string[], comment: string): NftSet => set(name, keyType, { dataType: ['verdict'], comment });
  const endpoints = (name: string, keyed: 'ip' | 'nodeport', comment: string): NftSet => set(name, keyed === 'ip' ? [...k3, 'integer'] : [...k2, 'integer'], {
    // typeof: nft cannot declare a numgen-sized key by datatype name.
    keyTypeof: `${keyed === 'ip' ? `${ipd} . ` : ''}meta l4proto . th dport . numgen random mod 1`,
    dataType: epData,
    // `tcp dport`, not `th dport`: nft 1.0.6 cannot read a `th` data typeof back from the kernel.
    dataTypeof: `${ipd} . tcp dport`,
    comment,
  });
  return [
    set(SET.clusterCIDRs, [addr], { flags: ['interval'], comment: 'pod traffic comes from here' }),
    set(SET.clusterIPs, [addr], { comment: 'every ClusterIP, to masquerade off-cluster clients' }),
    set(SET.nodePortIPs, [addr], { comment: 'node addresses that accept NodePort traffic' }),
    set(SET.externalMasq, k3, { comment: 'external IPs / LB IPs under externalTrafficPolicy Cluster' }),
    set(SET.externalLocal, k3, { comment: 'external IPs / LB IPs under externalTrafficPolicy Local' }),
    set(SET.nodePortMasq, k2, { comment: 'NodePorts under externalTrafficPolicy Cluster' }),
    set(SET.nodePortLocal, k2, { comment: 'NodePorts under externalTrafficPolicy Local' }),
    set(SET.hairpin, [addr, addr], { comment: 'local endpoint . itself: a pod reaching itself through a service' }),
    set(SET.firewallIPs, k3, { comment: 'LB IPs with loadBalancerSourceRanges' }),
    set(SET.firewallAllow, [...k3, addr], { flags: ['interval'], comment: 'LB IP . port . allowed source range' }),
    vmap(SET.serviceIPs, k3, 'ClusterIP / external IP / LB IP -> load-balancing chain'),
    vmap(SET.serviceNodePorts, k2, 'NodePort -> load-balancing chain'),
    vmap(SET.fallbackIPs, k3, 'externalTrafficPolicy Local: pod and node clients use every endpoint'),
    vmap(SET.fallbackNodePorts, k2, 'externalTrafficPolicy Local: pod and node clients use every endpoint'),
    vmap(SET.noEndpointIPs, k3, 'service addresses without usable endpoints'),
    vmap(SET.noEndpointNodePorts, k2, 'NodePorts without usable endpoints'),
    endpoints(SET.endpoints, 'ip', 'address . proto . port . index -> endpoint'),
    endpoints(SET.clusterEndpoints, 'ip', 'every endpoint, for the externalTrafficPolicy Local fallback'),
    endpoints(SET.nodePortEndpoints, 'nodeport', 'proto . NodePort . index -> endpoint'),
    endpoints(SET.nodePortClusterEndpoints, 'nodeport', 'every endpoint, for the externalTrafficPolicy Local fallback'),
    set(SET.affinity, [addr, addr, 'inet_proto', 'inet_service'], {
      dataType: epData, flags: ['dynamic', 'timeout'], size: 1048576,
      comment: 'ClientIP affinity: client . service address . proto . port -> endpoint',
    }),
    vmap(SET.affinityServices, k3, 'services with ClientIP affinity -> timeout chain'),
  ];
}

export function buildChains(opts: LayoutOptions, needs: ChainNeeds): Chain[] {
  const f = opts.family;
  const saddr = ipField(f, 'saddr');
  const daddr = ipField(f, 'daddr');
  const k3: Expr = concat(daddr, l4proto, thDport);
  const k2: Expr = concat(l4proto, thDport);
  const r = (...stmts: Stmt[]): Rule => ({ stmts });
  const inSet = (left: Expr, set: string) => match(left, setRef(set));
  const notInSet = (left: Expr, set: string) => match(left, setRef(set), '!=');
  const sorted = (s: Set<number>) => [...s].sort((a, b) => a - b);

  const servicesRules: Rule[] = [];
  if (opts.masqueradeAll) servicesRules.push(r(inSet(daddr, SET.clusterIPs), setMasqMark));
  else if (opts.masqueradeOffCluster) servicesRules.push(r(inSet(daddr, SET.clusterIPs), notInSet(saddr, SET.clusterCIDRs), setMasqMark));
  servicesRules.push(
    r(inSet(k3, SET.externalMasq), setMasqMark),
    r(fibSaddrLocal, inSet(k3, SET.externalLocal), setMasqMark),
    r(inSet(daddr, SET.nodePortIPs), { jump: CHAIN.nodePortMasq }),
    ...PROTOS.map((p) => r(match(l4proto, value(p)), { dnatMap: { family: f, key: concat(saddr, daddr, l4proto, thDport), map: SET.affinity } })),
    r({ vmap: { key: k3, map: SET.serviceIPs } }),
    r(inSet(daddr, SET.nodePortIPs), { vmap: { key: k2, map: SET.serviceNodePorts } }),
  );

  const lb = (name: string, n: number, key: Expr[], map: string): Chain => ({
    name,
    rules: PROTOS.map((p) => r(match(l4proto, value(p)), { dnatMap: { family: f, key: concat(...key, { numgen: n }), map } })),
  });
  const externalLocal = (name: string, n: number, key: Expr, fallback: string, target: string): Chain => ({
    name,
    rules: [
      r(inSet(saddr, SET.clusterCIDRs), { vmap: { key, map: fallback } }),
      r(fibSaddrLocal, { vmap: { key, map: fallback } }),
      n > 0 ? r({ goto: target }) : { stmts: [{ drop: true }], comment: 'externalTrafficPolicy Local: no endpoint on this node' },
    ],
  });
  const base = (name: string, type: 'filter' | 'nat', hook: string, priority: string, prio: number, rules: Rule[]): Chain =>
    ({ name, base: { type, hook, priority, prio }, rules });

  return [
    base('nat-prerouting', 'nat', 'prerouting', 'dstnat', -100, [r({ jump: CHAIN.services })]),
    base('nat-output', 'nat', 'output', '-100', -100, [r({ jump: CHAIN.services })]),
    base('nat-postrouting', 'nat', 'postrouting', 'srcnat', 100, [r({ jump: CHAIN.masquerading })]),
    base('filter-prerouting', 'filter', 'prerouting', 'dstnat - 10', -110, [r(ctStateNew, { jump: CHAIN.firewall })]),
    base('filter-input', 'filter', 'input', 'filter - 10', -10, [r(ctStateNew, { jump: CHAIN.serviceChecks }), r(ctStateNew, ctStatusDnat, { jump: CHAIN.affinityRecord })]),
    base('filter-forward', 'filter', 'forward', 'filter - 10', -10, [r(ctStateNew, { jump: CHAIN.serviceChecks })]),
    base('filter-output', 'filter', 'output', 'filter - 10', -10, [r(ctStateNew, { jump: CHAIN.serviceChecks })]),
    base('filter-postrouting', 'filter', 'postrouting', 'srcnat - 10', 90, [r(ctStateNew, ctStatusDnat, { jump: CHAIN.affinityRecord })]),
    { name: CHAIN.services, rules: servicesRules },
    {
      name: CHAIN.nodePortMasq,
      rules: [r(inSet(k2, SET.nodePortMasq), setMasqMark), r(fibSaddrLocal, inSet(k2, SET.nodePortLocal), setMasqMark)],
    },
    {
      name: CHAIN.masquerading,
      rules: [
        r(ctStatusDnat, inSet(concat(saddr, daddr), SET.hairpin), { masquerade: true }),
        r(match({ binop: { op: '&', left: mark, right: value(MASQ_MARK) } }, value(0)), { return: true }),
        r({ mangle: { key: mark, value: { binop: { op: '^', left: mark, right: value(MASQ_MARK) } } } }, { masquerade: true }),
      ],
    },
    { name: CHAIN.firewall, rules: [r(inSet(k3, SET.firewallIPs), notInSet(concat(daddr, l4proto, thDport, saddr), SET.firewallAllow), { drop: true })] },
    {
      name: CHAIN.serviceChecks,
      rules: [r({ vmap: { key: k3, map: SET.noEndpointIPs } }), r(inSet(daddr, SET.nodePortIPs), { vmap: { key: k2, map: SET.noEndpointNodePorts } })],
    },
    { name: CHAIN.reject, rules: [r(match(l4proto, value('tcp')), { reject: 'tcp reset' }), r({ reject: 'default' })] },
    {
      name: CHAIN.affinityRecord,
      rules: PROTOS.map((p) => r(match(l4proto, value(p)), {
        vmap: { key: concat({ ct: { key: 'daddr', dir: 'original', family: f } }, l4proto, { ct: { key: 'proto-dst', dir: 'original' } }), map: SET.affinityServices },
      })),
    },
    ...sorted(needs.affinity).map((t): Chain => ({
      name: affinityChain(t),
      rules: PROTOS.map((p) => r(match(l4proto, value(p)), {
        mapUpdate: {
          map: SET.affinity,
          key: concat(saddr, { ct: { key: 'daddr', dir: 'original', family: f } }, l4proto, { ct: { key: 'proto-dst', dir: 'original' } }),
          timeout: t,
          data: concat(daddr, thDport),
        },
      })),
    })),
    ...sorted(needs.lb).map((n) => lb(lbChain(n), n, [daddr, l4proto, thDport], SET.endpoints)),
    ...sorted(needs.clusterLb).map((n) => lb(clusterLbChain(n), n, [daddr, l4proto, thDport], SET.clusterEndpoints)),
    ...sorted(needs.externalLocal).map((n) => externalLocal(externalLocalChain(n), n, k3, SET.fallbackIPs, lbChain(n))),
    ...sorted(needs.nodePortLb).map((n) => lb(nodePortLbChain(n), n, [l4proto, thDport], SET.nodePortEndpoints)),
    ...sorted(needs.nodePortClusterLb).map((n) => lb(nodePortClusterLbChain(n), n, [l4proto, thDport], SET.nodePortClusterEndpoints)),
    ...sorted(needs.nodePortExternalLocal).map((n) => externalLocal(nodePortExternalLocalChain(n), n, k2, SET.fallbackNodePorts, nodePortLbChain(n))),
  ];
}
