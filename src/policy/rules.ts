import { FieldError, warningFor, type Diagnostic, type ObjectRef } from '../model/diagnostics.js';
import { isObject, type Json } from '../model/fields.js';
import { parsePeer, type PeerSpec } from './peers.js';
import { parsePolicyPort, type PortSpec } from './ports.js';
import type { Direction } from './types.js';

/**
 * Reads spec.ingress / spec.egress into rule specs. Fail closed: a broken peer or port is dropped
 * with a warning and never widens the rule; a rule whose every peer (port) is broken allows nothing.
 * A null list entry decodes as an empty object, as it does in the API server.
 */

export interface RuleSpec {
  index: number;
  /** undefined: from/to absent or empty, "this rule matches all sources (destinations)". */
  peers?: PeerSpec[];
  /** undefined: ports absent or empty, "this rule matches all ports". */
  ports?: PortSpec[];
}

const PEER_FIELD: Record<Direction, 'from' | 'to'> = { ingress: 'from', egress: 'to' };

export function readRules(spec: Json, direction: Direction, ref: ObjectRef, diagnostics: Diagnostic[]): RuleSpec[] {
  const raw = spec[direction];
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    diagnostics.push(warningFor(ref, `spec.${direction}`, 'must be a list; no rules for this direction'));
    return [];
  }
  return raw.map((rule, index) => readRule(rule ?? {}, index, `spec.${direction}[${index}]`, PEER_FIELD[direction], ref, diagnostics));
}

function readRule(raw: unknown, index: number, field: string, peerKey: 'from' | 'to', ref: ObjectRef, diagnostics: Diagnostic[]): RuleSpec {
  if (!isObject(raw)) {
    diagnostics.push(warningFor(ref, field, 'must be an object; rule allows nothing'));
    return { index, peers: [], ports: [] };
  }
  const peers = readList(raw[peerKey], `${field}.${peerKey}`, ref, diagnostics, (v, f) => parsePeer(v ?? {}, f));
  const ports = readList(raw.ports, `${field}.ports`, ref, diagnostics, (v, f) => parsePolicyPort(v ?? {}, f));
  return { index, ...(peers ? { peers } : {}), ...(ports ? { ports } : {}) };
}

/** undefined for an absent or empty list; otherwise only the entries that parse. */
function readList<T>(raw: unknown, field: string, ref: ObjectRef, diagnostics: Diagnostic[], parse: (v: unknown, field: string) => T): T[] | undefined {
  if (raw === undefined || raw === null || (Array.isArray(raw) && raw.length === 0)) return undefined;
  if (!Array.isArray(raw)) {
    diagnostics.push(warningFor(ref, field, 'must be a list; rule allows nothing'));
    return [];
  }
  const out: T[] = [];
  raw.forEach((entry, i) => {
    try {
      out.push(parse(entry, `${field}[${i}]`));
    } catch (err) {
      if (!(err instanceof FieldError)) throw err;
      diagnostics.push(warningFor(ref, err.field, `${err.message}; entry ignored`));
    }
  });
  return out;
}
