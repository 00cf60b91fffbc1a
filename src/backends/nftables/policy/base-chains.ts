import { ipField, match, setRef, value, type Expr, type NftFamily, type Rule, type Stmt } from '../ast.js';
import type { Chain } from '../ruleset.js';
import { POLICY_CHAIN, POLICY_SET } from './names.js';

/**
 * The hooks. Policy is judged on the addresses a pod really talks to, so after Service DNAT
 * (nat prerouting/output at -100) and after the services table's own filter chains (-10):
 *
 * - forward-egress (filter - 5) judges a local isolated pod as the source; its `accept` ends only
 *   this base chain, so forward-ingress (filter - 4) then judges the destination pod: a packet
 *   between two local pods must pass both. A drop anywhere is final.
 * - input-egress: a local pod reaching the node itself is egress too.
 * - output: nothing. Node-originated traffic (kubelet probes, hostNetwork pods) is "from the
 *   node", which ingress always allows, and the node is not a pod, so egress does not apply.
 *   Replies of pods to the node come back through input as established connections.
 */
export interface BaseChainOptions {
  family: NftFamily;
  unknownPodsDeny: boolean;
}

const established: Stmt = match({ ct: { key: 'state' } }, { anonSet: ['established', 'related'] });
const accept: Stmt = { accept: true };
const drop: Stmt = { drop: true };

export function buildBaseChains(opts: BaseChainOptions): Chain[] {
  const saddr = ipField(opts.family, 'saddr');
  const daddr = ipField(opts.family, 'daddr');
  const base = (name: string, hook: string, offset: number, rules: Rule[]): Chain =>
    ({ name, base: { type: 'filter', hook, priority: `filter - ${offset}`, prio: -offset }, rules });
  const replies: Rule = { stmts: [established, accept], comment: 'replies of allowed connections' };
  const unknown = (addr: Expr, ...extra: Stmt[]): Rule[] => opts.unknownPodsDeny
    ? [{ stmts: [match(addr, setRef(POLICY_SET.podCIDRs)), match(addr, setRef(POLICY_SET.knownPods), '!='), ...extra, drop], comment: 'unknown pod address' }]
    : [];
  // A local source address in the pod CIDR (the bridge or gateway address) is the node, not a pod.
  const notLocal: Stmt = match({ fib: { flags: ['saddr'], result: 'type' } }, value('local'), '!=');
  // Neighbour discovery may use the pod's own address as source; without it nothing else works.
  const nd: Rule[] = opts.family === 'ip6'
    ? [{ stmts: [match({ payload: { protocol: 'icmpv6', field: 'type' } }, { anonSet: ['nd-router-solicit', 'nd-neighbor-solicit', 'nd-neighbor-advert'] }), accept], comment: 'IPv6 neighbour discovery' }]
    : [];
  return [
    base(POLICY_CHAIN.forwardEgress, 'forward', 5, [
      replies,
      ...unknown(saddr),
      { stmts: [{ vmap: { key: saddr, map: POLICY_SET.egressPods } }], comment: 'egress-isolated local pods' },
    ]),
    base(POLICY_CHAIN.forwardIngress, 'forward', 4, [
      replies,
      ...unknown(daddr),
      { stmts: [{ vmap: { key: daddr, map: POLICY_SET.ingressPods } }], comment: 'ingress-isolated local pods' },
    ]),
    base(POLICY_CHAIN.inputEgress, 'input', 5, [
      replies,
      ...nd,
      ...unknown(saddr, notLocal),
      { stmts: [{ vmap: { key: saddr, map: POLICY_SET.egressPods } }], comment: 'egress-isolated local pods reaching the node' },
    ]),
  ];
}
