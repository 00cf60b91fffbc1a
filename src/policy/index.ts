/** NetworkPolicy core: raw objects → PolicyPlan, plus a reference evaluator. */
export { compilePolicyPlan } from './compile.js';
export { evaluate, isAllowed, type DirectionVerdict, type Verdict } from './evaluate.js';
export { formatTruthTable, truthTable, type NamedAddress } from './truth-table.js';
export { sourcesOf } from './objects.js';
export { NAMESPACE_NAME_LABEL } from './inventory.js';
export type {
  AddressSet, CompiledPolicy, CompiledRule, Direction, IPBlock, NamedPortEntry, NamedPortGroup, PeerGroup, PolicyContext,
  PolicyPlan, PolicySource, PolicyTarget, PolicyType, PortRange, RulePeers, RulePorts,
} from './types.js';
