import { ipField, match, setRef, value, type NftFamily, type Stmt } from '../ast.js';
import type { Chain } from '../ruleset.js';
import type { PodGroup } from './groups.js';
import { clip, groupChain, policyChain, POLICY_SET } from './names.js';

/**
 * The chain of a pod group: try each of its policies (any accept allows: policies are a union),
 * then drop. Ingress first lets the node in ("traffic from the pod's node is always allowed").
 */
export function buildGroupChain(group: PodGroup, family: NftFamily): Chain {
  const invalid: Stmt = match({ ct: { key: 'state' } }, value('invalid'), 'in');
  const rules: Chain['rules'] = [{ stmts: [invalid, { drop: true }], comment: 'not part of any connection' }];
  if (group.direction === 'ingress') {
    rules.push({ stmts: [match(ipField(family, 'saddr'), setRef(POLICY_SET.nodeIPs)), { accept: true }], comment: 'from this node' });
  }
  for (const id of group.policies) rules.push({ stmts: [{ jump: policyChain(id, group.direction) }], comment: clip(id) });
  rules.push({ stmts: [{ drop: true }], comment: `default deny ${group.direction}` });
  return {
    name: groupChain(group.direction, group.key),
    comment: clip(`${group.direction} of pods selected by ${group.policies.join(', ')}`),
    rules,
  };
}
