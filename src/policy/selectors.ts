import { FieldError } from '../model/diagnostics.js';
import { isObject } from '../model/fields.js';

/**
 * metav1.LabelSelector: "The requirements are ANDed. An empty label selector matches all objects.
 * A null label selector matches no objects." Operators In, NotIn, Exists, DoesNotExist.
 */

export type Labels = Readonly<Record<string, string>>;
export type Operator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface Requirement {
  key: string;
  operator: Operator;
  values: string[];
}

/** A parsed selector; no requirements selects everything. */
export interface Selector {
  requirements: Requirement[];
}

export const MATCH_ALL: Selector = { requirements: [] };

const OPERATORS: readonly string[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];
const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Parses a LabelSelector, throwing a FieldError (with the sub-field) on anything the API server would reject. */
export function parseSelector(raw: unknown, field: string): Selector {
  if (!isObject(raw)) throw new FieldError(field, 'must be a label selector object');
  const requirements: Requirement[] = [];
  const { matchLabels, matchExpressions } = raw;
  if (matchLabels !== undefined && matchLabels !== null) {
    if (!isObject(matchLabels)) throw new FieldError(`${field}.matchLabels`, 'must be a map of strings');
    for (const [key, value] of Object.entries(matchLabels)) {
      const at = `${field}.matchLabels["${key}"]`;
      checkKey(key, at);
      if (typeof value !== 'string' || !isLabelValue(value)) {
        throw new FieldError(at, `invalid label value ${JSON.stringify(value)}`);
      }
      requirements.push({ key, operator: 'In', values: [value] });
    }
  }
  if (matchExpressions !== undefined && matchExpressions !== null) {
    if (!Array.isArray(matchExpressions)) throw new FieldError(`${field}.matchExpressions`, 'must be a list');
    matchExpressions.forEach((expr, i) => requirements.push(parseRequirement(expr, `${field}.matchExpressions[${i}]`)));
  }
  return { requirements };
}

function parseRequirement(raw: unknown, field: string): Requirement {
  if (!isObject(raw)) throw new FieldError(field, 'must be an object');
  const { key, operator, values } = raw;
  if (typeof key !== 'string') throw new FieldError(`${field}.key`, 'is required');
  checkKey(key, `${field}.key`);
  if (typeof operator !== 'string' || !OPERATORS.includes(operator)) {
    throw new FieldError(`${field}.operator`, `${JSON.stringify(operator)} is not a valid selector operator (In, NotIn, Exists, DoesNotExist)`);
  }
  const list = values === undefined || values === null ? [] : values;
  if (!Array.isArray(list)) throw new FieldError(`${field}.values`, 'must be a list');
  // "If the operator is In or NotIn, the values array must be non-empty. If the operator is
  // Exists or DoesNotExist, the values array must be empty."
  if ((operator === 'In' || operator === 'NotIn') && list.length === 0) {
    throw new FieldError(`${field}.values`, `must be non-empty when operator is ${operator}`);
  }
  if ((operator === 'Exists' || operator === 'DoesNotExist') && list.length > 0) {
    throw new FieldError(`${field}.values`, `must be empty when operator is ${operator}`);
  }
  list.forEach((v, i) => {
    if (typeof v !== 'string' || !isLabelValue(v)) throw new FieldError(`${field}.values[${i}]`, `invalid label value ${JSON.stringify(v)}`);
  });
  return { key, operator: operator as Operator, values: [...(list as string[])].sort() };
}

export function matchesSelector(selector: Selector, labels: Labels): boolean {
  return selector.requirements.every((r) => matchesRequirement(r, labels));
}

function matchesRequirement(r: Requirement, labels: Labels): boolean {
  const present = Object.hasOwn(labels, r.key);
  switch (r.operator) {
    case 'In':
      return present && r.values.includes(labels[r.key]);
    case 'NotIn':
      // NotIn also matches objects that lack the key.
      return !present || !r.values.includes(labels[r.key]);
    case 'Exists':
      return present;
    case 'DoesNotExist':
      return !present;
  }
}

/** A label key: an optional DNS-subdomain prefix and '/', then a name of at most 63 characters. */
export function isLabelKey(key: string): boolean {
  const slash = key.indexOf('/');
  const [prefix, name] = slash < 0 ? [undefined, key] : [key.slice(0, slash), key.slice(slash + 1)];
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return false;
  return name.length > 0 && name.length <= 63 && NAME.test(name);
}

/** A label value: empty, or at most 63 alphanumerics with '-', '_', '.' inside. */
export function isLabelValue(value: string): boolean {
  return value === '' || (value.length <= 63 && NAME.test(value));
}

function checkKey(key: string, field: string): void {
  if (!isLabelKey(key)) throw new FieldError(field, `invalid label key ${JSON.stringify(key)}`);
}
