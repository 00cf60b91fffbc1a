import { warningFor, type Diagnostic, type ObjectRef } from '../model/diagnostics.js';
import { isObject, type Json } from '../model/fields.js';
import { cachedParse } from './parse-cache.js';
import type { Labels } from './selectors.js';
import type { PolicySource } from './types.js';

/** Sorting raw input into the three kinds policy needs, with identity checked and duplicates resolved. */

export type PolicyKind = 'Pod' | 'Namespace' | 'NetworkPolicy';

export interface KubeObject {
  ref: ObjectRef;
  /** `namespace/name`, or the name for Namespaces. */
  id: string;
  namespace: string;
  name: string;
  labels: Labels;
  body: Json;
}

export interface PolicyObjects {
  pods: KubeObject[];
  namespaces: KubeObject[];
  networkPolicies: KubeObject[];
}

/** Same as the model's converter and `kubectl apply`: a namespaced object without a namespace is in "default". */
export const DEFAULT_NAMESPACE = 'default';

/** Wraps plain objects (as kubectl prints them) as sources without a file. */
export function sourcesOf(objects: readonly unknown[]): PolicySource[] {
  return objects.map((object) => ({ object }));
}

/** Picks Pods, Namespaces and NetworkPolicies (unwrapping kubectl Lists); other kinds are ignored. */
export function readPolicyObjects(sources: readonly PolicySource[], diagnostics: Diagnostic[]): PolicyObjects {
  const found: Record<PolicyKind, KubeObject[]> = { Pod: [], Namespace: [], NetworkPolicy: [] };
  const visit = (value: unknown, file: string | undefined, listKind?: string): void => {
    if (!isObject(value)) return;
    const kind = typeof value.kind === 'string' ? value.kind : listKind;
    if (kind !== undefined && kind.endsWith('List') && Array.isArray(value.items)) {
      const itemKind = kind === 'List' ? undefined : kind.slice(0, -'List'.length);
      for (const item of value.items) visit(item, file, itemKind);
      return;
    }
    if (kind !== 'Pod' && kind !== 'Namespace' && kind !== 'NetworkPolicy') return;
    const object = cachedParse(value, kind, file, diagnostics, (d) => readIdentity(value, kind, file, d));
    if (object) found[kind].push(object);
  };
  for (const source of sources) visit(source.object, source.file);
  return {
    pods: unique(found.Pod, diagnostics),
    namespaces: unique(found.Namespace, diagnostics),
    networkPolicies: unique(found.NetworkPolicy, diagnostics),
  };
}

function readIdentity(body: Json, kind: PolicyKind, file: string | undefined, diagnostics: Diagnostic[]): KubeObject | undefined {
  const meta = isObject(body.metadata) ? body.metadata : undefined;
  const namespaced = kind !== 'Namespace';
  const rawNamespace = meta?.namespace;
  const ref: ObjectRef = {
    file, kind,
    namespace: namespaced && typeof rawNamespace === 'string' ? rawNamespace : undefined,
    name: typeof meta?.name === 'string' ? meta.name : undefined,
  };
  if (!meta) return skip(ref, 'metadata', 'is required', diagnostics);
  if (typeof meta.name !== 'string' || meta.name === '') return skip(ref, 'metadata.name', 'is required', diagnostics);
  if (namespaced && rawNamespace !== undefined && rawNamespace !== null && (typeof rawNamespace !== 'string' || rawNamespace === '')) {
    return skip(ref, 'metadata.namespace', `must be a non-empty string, got ${JSON.stringify(rawNamespace)}`, diagnostics);
  }
  const namespace = namespaced ? (ref.namespace ?? DEFAULT_NAMESPACE) : '';
  const labels: Record<string, string> = {};
  if (isObject(meta.labels)) {
    for (const [k, v] of Object.entries(meta.labels)) if (typeof v === 'string') labels[k] = v;
  }
  const name = meta.name;
  return { ref: { ...ref, namespace: namespaced ? namespace : undefined }, id: namespaced ? `${namespace}/${name}` : name, namespace, name, labels, body };
}

function skip(ref: ObjectRef, field: string, message: string, diagnostics: Diagnostic[]): undefined {
  diagnostics.push(warningFor(ref, field, `${message}; object skipped`));
  return undefined;
}

/** Sorted by id; of duplicates the one with the smallest JSON text wins, so input order never matters. */
function unique(objects: KubeObject[], diagnostics: Diagnostic[]): KubeObject[] {
  const sorted = [...objects].sort((a, b) => compareStrings(a.id, b.id));
  const out: KubeObject[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i + 1;
    while (j < sorted.length && sorted[j].id === sorted[i].id) j++;
    if (j === i + 1) out.push(sorted[i]);
    else {
      const texts = sorted.slice(i, j).map((o) => ({ o, text: JSON.stringify(o.body) })).sort((a, b) => compareStrings(a.text, b.text));
      out.push(texts[0].o);
      if (texts.some((t) => t.text !== texts[0].text)) {
        diagnostics.push(warningFor(texts[texts.length - 1].o.ref, undefined, 'duplicate object with different content; one copy used'));
      }
    }
    i = j;
  }
  return out;
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
