import { FieldError } from '../model/diagnostics.js';
import { isObject } from '../model/fields.js';
import { PROTOCOLS, type Protocol } from '../model/types.js';
import { addressSortKey } from './cidr.js';
import { findNamedPort, type PodInfo } from './inventory.js';
import type { NamedPortEntry, PortRange, RulePorts } from './types.js';

/** NetworkPolicyPort: protocol (default TCP), port (number or name), endPort (numeric port only). */

export interface PortSpec {
  protocol: Protocol;
  /** Numeric port; absent with no name: "matches all port names and numbers". */
  port?: number;
  endPort?: number;
  /** Named port, resolved on each destination pod. */
  name?: string;
}

export const ALL_PORTS: RulePorts = { all: true, ranges: [], named: [] };

/** Parses one entry, throwing a FieldError on anything the API server would reject. */
export function parsePolicyPort(raw: unknown, field: string): PortSpec {
  if (!isObject(raw)) throw new FieldError(field, 'must be an object');
  const protocol = raw.protocol === undefined || raw.protocol === null ? 'TCP' : raw.protocol;
  if (!(PROTOCOLS as readonly unknown[]).includes(protocol)) {
    throw new FieldError(`${field}.protocol`, `unsupported protocol ${JSON.stringify(protocol)} (TCP, UDP or SCTP)`);
  }
  const spec: PortSpec = { protocol: protocol as Protocol };
  const { port, endPort } = raw;
  const hasEnd = endPort !== undefined && endPort !== null;
  if (port === undefined || port === null) {
    // "This field cannot be defined if the port field is not defined."
    if (hasEnd) throw new FieldError(`${field}.endPort`, 'may not be specified when `port` is not specified');
    return spec;
  }
  if (typeof port === 'string') {
    if (hasEnd) throw new FieldError(`${field}.endPort`, 'may not be specified when `port` is non-numeric');
    if (!isPortName(port)) throw new FieldError(`${field}.port`, `invalid port name ${JSON.stringify(port)}`);
    return { ...spec, name: port };
  }
  if (!isPortNumber(port)) throw new FieldError(`${field}.port`, `invalid port ${JSON.stringify(port)} (must be 1-65535)`);
  spec.port = port;
  if (!hasEnd) return spec;
  if (!isPortNumber(endPort)) throw new FieldError(`${field}.endPort`, `invalid port ${JSON.stringify(endPort)} (must be 1-65535)`);
  // "The endPort must be equal or greater than port."
  if (endPort < port) throw new FieldError(`${field}.endPort`, `must be greater than or equal to port (${port})`);
  if (endPort > port) spec.endPort = endPort;
  return spec;
}

function isPortNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535;
}

/** IANA_SVC_NAME: 1-15 of [-a-z0-9], at least one letter, no leading/trailing or double '-'. */
export function isPortName(name: string): boolean {
  return /^[-a-z0-9]{1,15}$/.test(name) && /[a-z]/.test(name) && !name.startsWith('-') && !name.endsWith('-') && !name.includes('--');
}

/**
 * Resolves a rule's port list against the pods that can be its destination. Named ports resolve
 * per destination pod; a pod without the name (and protocol) gets nothing from that entry.
 */
export function compilePorts(specs: readonly PortSpec[], destinations: readonly PodInfo[]): RulePorts {
  const ranges: PortRange[] = [];
  const named: NamedPortEntry[] = [];
  for (const spec of specs) {
    if (spec.name === undefined) {
      ranges.push({ protocol: spec.protocol, ...(spec.port !== undefined ? { port: spec.port } : {}), ...(spec.endPort !== undefined ? { endPort: spec.endPort } : {}) });
      continue;
    }
    for (const pod of destinations) {
      const port = findNamedPort(pod, spec.name, spec.protocol);
      if (port === undefined) continue;
      for (const address of pod.addresses.ipv4) named.push({ family: 'ipv4', address, protocol: spec.protocol, port });
      for (const address of pod.addresses.ipv6) named.push({ family: 'ipv6', address, protocol: spec.protocol, port });
    }
  }
  return { all: false, ranges: uniqueSorted(ranges, comparePortRanges), named: uniqueNamed(named) };
}

export function comparePortRanges(a: PortRange, b: PortRange): number {
  return compare(a.protocol, b.protocol) || (a.port ?? 0) - (b.port ?? 0) || (a.endPort ?? 0) - (b.endPort ?? 0);
}

/** Sorted by address, protocol, port; duplicates removed. */
function uniqueNamed(entries: NamedPortEntry[]): NamedPortEntry[] {
  const byKey = new Map<string, NamedPortEntry>();
  for (const e of entries) byKey.set(`${addressSortKey(e.address)} ${e.protocol} ${String(e.port).padStart(5, '0')}`, e);
  return [...byKey.keys()].sort().map((k) => byKey.get(k)!);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function uniqueSorted<T>(items: T[], cmp: (a: T, b: T) => number): T[] {
  const sorted = [...items].sort(cmp);
  return sorted.filter((item, i) => i === 0 || cmp(sorted[i - 1], item) !== 0);
}
