import { warningFor, type Diagnostic } from '../model/diagnostics.js';
import { isObject } from '../model/fields.js';
import { parseAddress, sortAddresses } from './cidr.js';
import { buildInventory, type Inventory, type PodInfo } from './inventory.js';
import { closedScope, isOnNode, readScope, type PolicyScope } from './isolation.js';
import { NamedPorts } from './named-ports.js';
import { compareStrings, readPolicyObjects, type KubeObject } from './objects.js';
import { cachedParse } from './parse-cache.js';
import { compilePeers, type ResolvedPeers } from './peers.js';
import { ALL_PORTS, namedPortSpecs, portRanges, type PortSpec } from './ports.js';
import { readRules, type RuleSpec } from './rules.js';
import { Selection, type TargetSelection } from './selection.js';
import type { AddressSet, CompiledPolicy, CompiledRule, Direction, PolicyContext, PolicyPlan, PolicySource, PolicyTarget, RulePorts } from './types.js';

/**
 * Pods, Namespaces and NetworkPolicies (raw, any order) + node context → PolicyPlan. Pure and
 * deterministic: the same set of objects yields a deep-equal plan whatever their order.
 */
export function compilePolicyPlan(sources: readonly PolicySource[], context: PolicyContext): PolicyPlan {
  return compileWithFacts(sources, context).plan;
}

/** What a compile read, beyond the plan: enough to re-judge one pod without compiling again (see membership.ts). */
export interface CompileFacts {
  inventory: Inventory;
  /** Every readable policy (with or without targets here), sorted by id. */
  policies: PolicyFacts[];
}

export interface PolicyFacts {
  id: string;
  namespace: string;
  scope: PolicyScope;
  ruleSpecs: Record<Direction, RuleSpec[]>;
}

/** compilePolicyPlan, also returning the parsed inputs the incremental pod path needs. */
export function compileWithFacts(sources: readonly PolicySource[], context: PolicyContext): { plan: PolicyPlan; facts: CompileFacts } {
  const diagnostics: Diagnostic[] = [];
  const objects = readPolicyObjects(sources, diagnostics);
  const inventory = buildInventory(objects.pods, objects.namespaces, diagnostics);
  const selection = new Selection(inventory, context.nodeName);
  const named = new NamedPorts();
  const policies: CompiledPolicy[] = [];
  const policyFacts: PolicyFacts[] = [];
  const isolated = new Map<PodInfo, { ingress: string[]; egress: string[] }>();
  // Policies come sorted by id, so each pod's policy lists fill in sorted order.
  for (const object of objects.networkPolicies) {
    const compiled = compilePolicy(object, selection, named, diagnostics, policyFacts);
    if (!compiled) continue;
    policies.push(compiled.policy);
    const ingress = compiled.policy.policyTypes.includes('Ingress');
    const egress = compiled.policy.policyTypes.includes('Egress');
    for (const pod of compiled.targets) {
      let entry = isolated.get(pod);
      if (!entry) isolated.set(pod, (entry = { ingress: [], egress: [] }));
      if (ingress) entry.ingress.push(compiled.policy.id);
      if (egress) entry.egress.push(compiled.policy.id);
    }
  }
  // The inventory is in pod id order: walking it sorts the targets for free.
  const targetPods = inventory.pods.filter((pod) => isolated.has(pod));
  const targets: PolicyTarget[] = targetPods.map((pod) => {
    const { ingress, egress } = isolated.get(pod)!;
    return {
      id: pod.id, namespace: pod.namespace, name: pod.name, addresses: pod.addresses,
      ingressIsolated: ingress.length > 0, egressIsolated: egress.length > 0,
      ingressPolicies: ingress, egressPolicies: egress,
    };
  });
  named.finish(targetPods, inventory.pods);
  const nodeIPs = readNodeIPs(context, diagnostics);
  const localPods = selection.addressesOf(inventory.pods.filter((pod) => isOnNode(pod, context.nodeName)));
  const plan = { nodeName: context.nodeName, nodeIPs, localPods, targets, policies, diagnostics: diagnostics.sort(compareDiagnostics) };
  return { plan, facts: { inventory, policies: policyFacts } };
}

interface PolicyResult {
  policy: CompiledPolicy;
  targets: PodInfo[];
}

/** undefined when the policy selects no enforcement target here (its warnings are still reported). */
function compilePolicy(object: KubeObject, selection: Selection, named: NamedPorts, diagnostics: Diagnostic[], facts: PolicyFacts[]): PolicyResult | undefined {
  const { scope, ruleSpecs } = cachedParse(object.body, 'policy', object.ref.file, diagnostics, (d) => readPolicy(object, d));
  facts.push({ id: object.id, namespace: object.namespace, scope, ruleSpecs });
  const targets = selection.targets(object.namespace, scope.selector);
  if (targets.pods.length === 0) return undefined;
  const rules = (direction: Direction): CompiledRule[] => scope.selectorInvalid
    ? []
    : ruleSpecs[direction].map((rule) => compileRule(rule, direction, object, targets, selection, named));
  return {
    policy: {
      id: object.id, namespace: object.namespace, name: object.name, policyTypes: scope.policyTypes,
      ingress: rules('ingress'), egress: rules('egress'), targets: targets.ids,
    },
    targets: targets.pods,
  };
}

interface ParsedPolicy {
  scope: PolicyScope;
  ruleSpecs: Record<Direction, RuleSpec[]>;
}

function readPolicy(object: KubeObject, diagnostics: Diagnostic[]): ParsedPolicy {
  const rawSpec = object.body.spec ?? {};
  if (!isObject(rawSpec)) {
    // Fail closed: nothing readable, so isolate the whole namespace both ways and allow nothing.
    diagnostics.push(warningFor(object.ref, 'spec', 'must be an object; policy isolates every pod of its namespace and allows nothing'));
  }
  const spec = isObject(rawSpec) ? rawSpec : {};
  const scope = isObject(rawSpec) ? readScope(spec, object.ref, diagnostics) : closedScope();
  const ruleSpecs: Record<Direction, RuleSpec[]> = {
    ingress: scope.policyTypes.includes('Ingress') ? readRules(spec, 'ingress', object.ref, diagnostics) : [],
    egress: scope.policyTypes.includes('Egress') ? readRules(spec, 'egress', object.ref, diagnostics) : [],
  };
  return { scope, ruleSpecs };
}

function compileRule(rule: RuleSpec, direction: Direction, object: KubeObject, targets: TargetSelection, selection: Selection, named: NamedPorts): CompiledRule {
  const resolved = compilePeers(rule.peers, object.namespace, selection);
  return {
    source: `${object.id} ${direction}[${rule.index}]`,
    index: rule.index,
    peers: resolved.peers,
    ports: rule.ports === undefined ? ALL_PORTS : compilePorts(rule.ports, direction, targets, resolved, named),
  };
}

/** Named ports resolve on the destination: the selected pod for ingress, the peer pod for egress. */
function compilePorts(specs: readonly PortSpec[], direction: Direction, targets: TargetSelection, peers: ResolvedPeers, named: NamedPorts): RulePorts {
  const names = namedPortSpecs(specs);
  const exact = direction === 'ingress'
    ? named.resolve(`targets ${targets.key}`, names, () => targets.pods)
    : named.resolve(`peers ${peers.key}`, names, peers.pods);
  return { all: false, ranges: portRanges(specs), named: exact, namedGroups: named.groupsFor(direction === 'ingress' ? 'targets' : 'pods', names) };
}

function readNodeIPs(context: PolicyContext, diagnostics: Diagnostic[]): AddressSet {
  const out: AddressSet = { ipv4: [], ipv6: [] };
  for (const text of context.nodeIPs ?? []) {
    const parsed = parseAddress(text);
    if (!parsed) {
      diagnostics.push({ severity: 'warning', kind: 'Node', name: context.nodeName ?? undefined, field: 'nodeIPs', message: `invalid IP address ${JSON.stringify(text)}; ignored` });
      continue;
    }
    if (!out[parsed.family].includes(parsed.address)) out[parsed.family].push(parsed.address);
  }
  return { ipv4: sortAddresses(out.ipv4), ipv6: sortAddresses(out.ipv6) };
}

function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  const key = (d: Diagnostic) => [d.kind ?? '', d.namespace ?? '', d.name ?? '', d.field ?? '', d.message, d.file ?? '', d.severity];
  const ka = key(a);
  const kb = key(b);
  for (let i = 0; i < ka.length; i++) {
    const c = compareStrings(ka[i], kb[i]);
    if (c !== 0) return c;
  }
  return 0;
}
