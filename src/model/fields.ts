import { FieldError } from './diagnostics.js';
import { normalizeCIDR, normalizeIP } from './ip.js';
import { PROTOCOLS, type Protocol } from './types.js';

/** Small readers for untyped Kubernetes JSON; each names the field it rejects. */

export type Json = Record<string, unknown>;

/**
 * Reads every item of a list. `read` names fields relative to its item, and a rejected field gets its
 * full path (`endpoints[3].addresses[0]`) on the way out: building every path up front, for each of
 * 100k endpoints, costs more than reading them.
 */
export function readItems<T>(items: unknown[], path: string, read: (raw: unknown) => T): T[] {
  const out = new Array<T>(items.length);
  for (let i = 0; i < items.length; i++) {
    try {
      out[i] = read(items[i]);
    } catch (err) {
      if (!(err instanceof FieldError)) throw err;
      const at = `${path}[${i}]`;
      throw new FieldError(err.field === '' ? at : err.field.startsWith('[') ? at + err.field : `${at}.${err.field}`, err.message);
    }
  }
  return out;
}

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function objectAt(v: unknown, field: string): Json {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) throw new FieldError(field, 'must be an object');
  return v;
}

export function arrayAt(v: unknown, field: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new FieldError(field, 'must be a list');
  return v;
}

export function requiredString(v: unknown, field: string): string {
  if (typeof v !== 'string' || v === '') throw new FieldError(field, 'is required');
  return v;
}

export function optionalString(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new FieldError(field, `must be a string, got ${JSON.stringify(v)}`);
  return v;
}

export function port(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) {
    throw new FieldError(field, `invalid port ${JSON.stringify(v)} (must be 1-65535)`);
  }
  return v;
}

export function protocol(v: unknown, field: string): Protocol {
  if (v === undefined || v === null) return 'TCP';
  if (typeof v === 'string' && (PROTOCOLS as readonly string[]).includes(v)) return v as Protocol;
  throw new FieldError(field, `unsupported protocol ${JSON.stringify(v)} (TCP, UDP or SCTP)`);
}

export function ip(v: unknown, field: string): string {
  const text = typeof v === 'string' ? normalizeIP(v) : undefined;
  if (!text) throw new FieldError(field, `invalid IP address ${JSON.stringify(v)}`);
  return text;
}

export function cidr(v: unknown, field: string): string {
  const text = typeof v === 'string' ? normalizeCIDR(v) : undefined;
  if (!text) throw new FieldError(field, `invalid CIDR ${JSON.stringify(v)}`);
  return text;
}

export function bool(v: unknown, field: string, fallback: boolean): boolean {
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') throw new FieldError(field, `must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

export function uniqueSorted<T>(items: T[], compare: (a: T, b: T) => number): T[] {
  const sorted = [...items].sort(compare);
  return sorted.filter((item, i) => i === 0 || compare(sorted[i - 1], item) !== 0);
}
