// Field and label selectors, parsed once per request into a predicate over objects.

import type { KubeObject } from './store.js';

export type Predicate = (obj: KubeObject) => boolean;

export class SelectorError extends Error {}

const MATCH_ALL: Predicate = () => true;

/** Field selectors: comma-separated `path=value`, `path==value`, `path!=value` (e.g. metadata.name=node-a). */
export function parseFieldSelector(text: string | null): Predicate {
  if (text === null || text.trim() === '') return MATCH_ALL;
  const terms: Predicate[] = [];
  for (const raw of text.split(',')) {
    const match = /^\s*([\w.]+)\s*(!=|==|=)\s*(.*?)\s*$/.exec(raw);
    if (match === null) throw new SelectorError(`invalid field selector term "${raw}"`);
    const [, path, op, value] = match;
    terms.push((obj) => (fieldValue(obj, path) === value) === (op !== '!='));
  }
  return (obj) => terms.every((term) => term(obj));
}

/** Label selectors: `k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (a,b)`, `k notin (a,b)`. */
export function parseLabelSelector(text: string | null): Predicate {
  if (text === null || text.trim() === '') return MATCH_ALL;
  const terms = splitOutsideParens(text).map(parseLabelTerm);
  return (obj) => {
    const labels = obj.metadata.labels ?? {};
    return terms.every((term) => term(labels));
  };
}

type LabelTerm = (labels: Record<string, string>) => boolean;

function parseLabelTerm(raw: string): LabelTerm {
  const term = raw.trim();
  let m = /^([\w./-]+)\s+(in|notin)\s+\((.*)\)$/.exec(term);
  if (m !== null) {
    const [, key, op, list] = m;
    const values = new Set(list.split(',').map((v) => v.trim()));
    if (op === 'in') return (labels) => key in labels && values.has(labels[key]);
    return (labels) => !(key in labels) || !values.has(labels[key]);
  }
  m = /^([\w./-]+)\s*(!=|==|=)\s*([\w.-]*)$/.exec(term);
  if (m !== null) {
    const [, key, op, value] = m;
    if (op === '!=') return (labels) => labels[key] !== value;
    return (labels) => labels[key] === value;
  }
  m = /^(!?)([\w./-]+)$/.exec(term);
  if (m !== null) {
    const [, not, key] = m;
    return (labels) => (key in labels) !== (not === '!');
  }
  throw new SelectorError(`invalid label selector term "${raw}"`);
}

function splitOutsideParens(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

function fieldValue(obj: KubeObject, path: string): string {
  let value: unknown = obj;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return '';
    value = (value as Record<string, unknown>)[key];
  }
  // Absent fields compare as the empty string, like the real API server.
  return value === undefined || value === null ? '' : String(value);
}
