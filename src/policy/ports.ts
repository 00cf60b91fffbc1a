import { FieldError } from '../model/diagnostics.js';
import { isObject, uniqueSorted } from '../model/fields.js';
import { PROTOCOLS, type Protocol } from '../model/types.js';
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

export const ALL_PORTS: RulePorts = { all: true, ranges: [], named: [], namedGroups: [] };

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

/** The numeric entries of a rule's port list (`port`, `port..endPort`, or a whole protocol), sorted and unique. */
export function portRanges(specs: readonly PortSpec[]): PortRange[] {
  const ranges: PortRange[] = [];
  for (const spec of specs) {
    if (spec.name !== undefined) continue;
    ranges.push({ protocol: spec.protocol, ...(spec.port !== undefined ? { port: spec.port } : {}), ...(spec.endPort !== undefined ? { endPort: spec.endPort } : {}) });
  }
  return uniqueSorted(ranges, comparePortRanges);
}

/** The named entries of a rule's port list, unique, as `name/PROTOCOL` sorted. */
export function namedPortSpecs(specs: readonly PortSpec[]): { name: string; protocol: Protocol }[] {
  const byKey = new Map<string, { name: string; protocol: Protocol }>();
  for (const spec of specs) if (spec.name !== undefined) byKey.set(`${spec.name}/${spec.protocol}`, { name: spec.name, protocol: spec.protocol });
  return [...byKey.keys()].sort().map((k) => byKey.get(k)!);
}

const PROTOCOL_RANK: Record<Protocol, number> = { SCTP: 0, TCP: 1, UDP: 2 };

/**
 * Named ports resolved per destination pod: a pod without the name (and protocol) gets nothing
 * from that entry. Sorted by family, address, protocol, port; unique.
 */
export function resolveNamedPorts(specs: readonly { name: string; protocol: Protocol }[], destinations: Iterable<PodInfo>): NamedPortEntry[] {
  if (specs.length === 0) return [];
  // One number per entry orders it: family, address integer (< 2^32), protocol, port.
  const byKey = new Map<number, NamedPortEntry>();
  for (const pod of destinations) {
    for (const spec of specs) {
      const port = findNamedPort(pod, spec.name, spec.protocol);
      if (port === undefined) continue;
      const tail = PROTOCOL_RANK[spec.protocol] * 65536 + port;
      const { ipv4, ipv6 } = pod.addresses;
      for (let i = 0; i < ipv4.length; i++) byKey.set(pod.ranks.ipv4[i] * 262144 + tail, { family: 'ipv4', address: ipv4[i], protocol: spec.protocol, port });
      for (let i = 0; i < ipv6.length; i++) byKey.set((2 ** 32 + pod.ranks.ipv6[i]) * 262144 + tail, { family: 'ipv6', address: ipv6[i], protocol: spec.protocol, port });
    }
  }
  const keys = Float64Array.from(byKey.keys()).sort();
  return Array.from(keys, (k) => byKey.get(k)!);
}

export function comparePortRanges(a: PortRange, b: PortRange): number {
  return compare(a.protocol, b.protocol) || (a.port ?? 0) - (b.port ?? 0) || (a.endPort ?? 0) - (b.endPort ?? 0);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
