import { warningFor, type Diagnostic } from '../model/diagnostics.js';
import { isObject } from '../model/fields.js';
import { parseAddress, sortAddresses } from './cidr.js';
import { buildInventory, type Inventory, type PodInfo } from './inventory.js';
import { closedScope, readScope, selectTargets } from './isolation.js';
import { compareStrings, readPolicyObjects, type KubeObject } from './objects.js';
import { compilePeers } from './peers.js';
import { ALL_PORTS, compilePorts } from './ports.js';
import { readRules, type RuleSpec } from './rules.js';
import type { AddressSet, CompiledPolicy, CompiledRule, Direction, PolicyContext, PolicyPlan, PolicySource, PolicyTarget } from './types.js';

/**
 * Pods, Namespaces and NetworkPolicies (raw, any order) + node context → PolicyPlan. Pure and
 * deterministic: the same set of objects yields a deep-equal plan whatever their order.
 */
export function compilePolicyPlan(sources: readonly PolicySource[], context: PolicyContext): PolicyPlan {
  const diagnostics: Diagnostic[] = [];
  const objects = readPolicyObjects(sources, diagnostics);
  const inventory = buildInventory(objects.pods, objects.namespaces, diagnostics);
  const policies: CompiledPolicy[] = [];
  const isolated = new Map<string, { pod: PodInfo; ingress: string[]; egress: string[] }>();
  for (const object of objects.networkPolicies) {
    const compiled = compilePolicy(object, inventory, context.nodeName, diagnostics);
    if (!compiled) continue;
    policies.push(compiled.policy);
    for (const pod of compiled.targets) {
      const entry = isolated.get(pod.id) ?? { pod, ingress: [], egress: [] };
      if (compiled.policy.policyTypes.includes('Ingress')) entry.ingress.push(compiled.policy.id);
      if (compiled.policy.policyTypes.includes('Egress')) entry.egress.push(compiled.policy.id);
      isolated.set(pod.id, entry);
    }
  }
  const targets: PolicyTarget[] = [...isolated.values()]
    .sort((a, b) => compareStrings(a.pod.id, b.pod.id))
    .map(({ pod, ingress, egress }) => ({
      id: pod.id, namespace: pod.namespace, name: pod.name, addresses: pod.addresses,
      ingressIsolated: ingress.length > 0, egressIsolated: egress.length > 0,
      ingressPolicies: ingress.sort(compareStrings), egressPolicies: egress.sort(compareStrings),
    }));
  const nodeIPs = readNodeIPs(context, diagnostics);
  return { nodeName: context.nodeName, nodeIPs, targets, policies, diagnostics: diagnostics.sort(compareDiagnostics) };
}

interface PolicyResult {
  policy: CompiledPolicy;
  targets: PodInfo[];
}

/** undefined when the policy selects no enforcement target here (its warnings are still reported). */
function compilePolicy(object: KubeObject, inventory: Inventory, nodeName: string | null, diagnostics: Diagnostic[]): PolicyResult | undefined {
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
  const targets = selectTargets(scope.selector, object.namespace, inventory, nodeName);
  if (targets.length === 0) return undefined;
  const rules = (direction: Direction): CompiledRule[] => scope.selectorInvalid
    ? []
    : ruleSpecs[direction].map((rule) => compileRule(rule, direction, object, targets, inventory));
  return {
    policy: {
      id: object.id, namespace: object.namespace, name: object.name, policyTypes: scope.policyTypes,
      ingress: rules('ingress'), egress: rules('egress'), targets: targets.map((p) => p.id),
    },
    targets,
  };
}

function compileRule(rule: RuleSpec, direction: Direction, object: KubeObject, targets: PodInfo[], inventory: Inventory): CompiledRule {
  const resolved = compilePeers(rule.peers, object.namespace, inventory);
  // Named ports resolve on the destination: the selected pod for ingress, the peer pod for egress.
  const destinations = direction === 'ingress' ? targets : resolved.pods;
  return {
    source: `${object.id} ${direction}[${rule.index}]`,
    index: rule.index,
    peers: resolved.peers,
    ports: rule.ports === undefined ? ALL_PORTS : compilePorts(rule.ports, destinations),
  };
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
