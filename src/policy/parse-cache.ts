import type { Diagnostic } from '../model/diagnostics.js';

/**
 * Parse results remembered by object identity. The daemon recompiles the whole plan on every
 * change, yet only the changed objects are new objects (each watch event brings fresh ones), so
 * re-reading the other ten thousand is wasted work. Only objects carrying a
 * metadata.resourceVersion are remembered, and only while it and the source file are unchanged:
 * API objects always carry one, and an object edited in place without one (a test fixture) is
 * never served stale. The result and its diagnostics are shared between compiles: read-only.
 */
interface Entry {
  version: string;
  file: string | undefined;
  value: unknown;
  diagnostics: readonly Diagnostic[];
}

/** One memo per parse step (reading identity, a pod, a policy). */
const steps = new Map<string, WeakMap<object, Entry>>();

export function cachedParse<T>(
  raw: Record<string, unknown>, step: string, file: string | undefined, diagnostics: Diagnostic[],
  parse: (diagnostics: Diagnostic[]) => T,
): T {
  const version = versionOf(raw);
  if (version === undefined) return parse(diagnostics);
  let memo = steps.get(step);
  if (!memo) steps.set(step, (memo = new WeakMap()));
  const hit = memo.get(raw);
  if (hit && hit.version === version && hit.file === file) {
    for (const d of hit.diagnostics) diagnostics.push(d);
    return hit.value as T;
  }
  const own: Diagnostic[] = [];
  const value = parse(own);
  for (const d of own) diagnostics.push(d);
  memo.set(raw, { version, file, value, diagnostics: own });
  return value;
}

function versionOf(raw: Record<string, unknown>): string | undefined {
  const meta = raw.metadata;
  if (typeof meta !== 'object' || meta === null) return undefined;
  const v = (meta as Record<string, unknown>).resourceVersion;
  return typeof v === 'string' && v !== '' ? v : undefined;
}
