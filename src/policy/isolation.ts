import { FieldError, warningFor, type Diagnostic, type ObjectRef } from '../model/diagnostics.js';
import type { Json } from '../model/fields.js';
import type { PodInfo } from './inventory.js';
import { MATCH_ALL, parseSelector, type Selector } from './selectors.js';
import type { PolicyType } from './types.js';

/** Which pods a policy isolates, and in which directions. */

export interface PolicyScope {
  policyTypes: PolicyType[];
  selector: Selector;
  /** spec.podSelector was invalid: the scope widened to the whole namespace and the rules are dropped. */
  selectorInvalid: boolean;
}

const BOTH: PolicyType[] = ['Ingress', 'Egress'];

/** The scope of a policy we cannot read at all: every pod of the namespace, both directions, no rules. */
export function closedScope(): PolicyScope {
  return { policyTypes: [...BOTH], selector: MATCH_ALL, selectorInvalid: true };
}

export function readScope(spec: Json, ref: ObjectRef, diagnostics: Diagnostic[]): PolicyScope {
  const { selector, invalid } = readPodSelector(spec, ref, diagnostics);
  return { policyTypes: readPolicyTypes(spec, ref, diagnostics), selector, selectorInvalid: invalid };
}

/**
 * "If this field is not specified, it will default based on the existence of ingress or egress
 * rules; policies that contain an egress section are assumed to affect egress, and all policies
 * (whether or not they contain an ingress section) are assumed to affect ingress." As in the API
 * server's defaulting, an empty list is "not specified" and `egress: []` is no egress section.
 * Fail closed: a value other than Ingress/Egress makes the policy isolate both directions, and a
 * malformed (non-list) egress counts as an egress section.
 */
export function readPolicyTypes(spec: Json, ref: ObjectRef, diagnostics: Diagnostic[]): PolicyType[] {
  const raw = spec.policyTypes;
  if (raw === undefined || raw === null || (Array.isArray(raw) && raw.length === 0)) {
    return hasEgressSection(spec.egress) ? [...BOTH] : ['Ingress'];
  }
  if (!Array.isArray(raw)) {
    diagnostics.push(warningFor(ref, 'spec.policyTypes', 'must be a list; isolating both directions'));
    return [...BOTH];
  }
  const types = new Set<PolicyType>();
  for (const [i, t] of raw.entries()) {
    if (t === 'Ingress' || t === 'Egress') {
      types.add(t);
      continue;
    }
    diagnostics.push(warningFor(ref, `spec.policyTypes[${i}]`, `unsupported value ${JSON.stringify(t)} (Ingress or Egress); isolating both directions`));
    return [...BOTH];
  }
  return BOTH.filter((t) => types.has(t));
}

function hasEgressSection(egress: unknown): boolean {
  if (egress === undefined || egress === null) return false;
  return !Array.isArray(egress) || egress.length > 0;
}

/**
 * "An empty podSelector matches all pods in this namespace." Fail closed on an invalid one: we
 * cannot tell which pods the author meant, so the policy isolates every pod of its namespace for
 * the directions it names and contributes no allow rules (other policies still may).
 */
function readPodSelector(spec: Json, ref: ObjectRef, diagnostics: Diagnostic[]): { selector: Selector; invalid: boolean } {
  if (spec.podSelector === undefined || spec.podSelector === null) return { selector: MATCH_ALL, invalid: false };
  try {
    return { selector: parseSelector(spec.podSelector, 'spec.podSelector'), invalid: false };
  } catch (err) {
    if (!(err instanceof FieldError)) throw err;
    diagnostics.push(warningFor(ref, err.field, `${err.message}; policy isolates every pod of its namespace and allows nothing`));
    return { selector: MATCH_ALL, invalid: true };
  }
}

export function isOnNode(pod: PodInfo, nodeName: string | null): boolean {
  return nodeName === null || pod.nodeName === nodeName;
}
