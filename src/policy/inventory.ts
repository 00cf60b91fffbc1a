import { warningFor, type Diagnostic } from '../model/diagnostics.js';
import { isObject } from '../model/fields.js';
import { PROTOCOLS, type Protocol } from '../model/types.js';
import { ipv4Value, ipv6Order, type AddressTexts } from './address-order.js';
import { parseAddress, sortByKey, type ParsedAddress } from './cidr.js';
import { cachedParse } from './parse-cache.js';
import type { KubeObject } from './objects.js';
import type { Labels } from './selectors.js';
import type { AddressSet } from './types.js';

/** The pods policy can see (as targets or peers) and the labels of every namespace. */

export interface ContainerPort {
  name: string;
  protocol: Protocol;
  port: number;
}

export interface PodInfo {
  id: string;
  namespace: string;
  name: string;
  labels: Labels;
  nodeName?: string;
  addresses: AddressSet;
  /** Sortable integer of each address (parallel to `addresses`): IPv4 its value, IPv6 its rank in `Inventory.ipv6`. */
  ranks: { ipv4: number[]; ipv6: number[] };
  /** Named container ports in FindPort order: containers, then sidecars (restartable init containers). */
  namedPorts: ContainerPort[];
}

export interface Inventory {
  /** Running, addressed, pod-network pods, sorted by id. */
  pods: PodInfo[];
  podsByNamespace: ReadonlyMap<string, PodInfo[]>;
  /** Namespace name → labels; sorted by name. */
  namespaces: ReadonlyMap<string, Labels>;
  /** Address texts by integer (see PodInfo.ranks): reused, not rebuilt, when turning selections into sets. */
  texts: AddressTexts;
}

/** Set by the API server on every namespace since 1.21; added here when a fixture lacks it. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export function buildInventory(pods: KubeObject[], namespaces: KubeObject[], diagnostics: Diagnostic[]): Inventory {
  let eligible: PodInfo[] = [];
  const v6Keys = new Map<string, string>();
  for (const pod of pods) {
    const parsed = parsePod(pod, diagnostics);
    if (!parsed) continue;
    for (const [address, key] of parsed.v6Keys) v6Keys.set(address, key);
    eligible.push(parsed.info);
  }
  // IPv6 ranks are this inventory's: pods with IPv6 addresses get a fresh object per compile.
  const ipv6 = ipv6Order(v6Keys);
  if (v6Keys.size > 0) {
    eligible = eligible.map((p) => p.addresses.ipv6.length === 0
      ? p
      : { ...p, ranks: { ipv4: p.ranks.ipv4, ipv6: p.addresses.ipv6.map((a) => ipv6.rank.get(a)!) } });
  }
  const byNamespace = new Map<string, PodInfo[]>();
  const ipv4 = new Map<number, string>();
  for (const pod of eligible) {
    pod.ranks.ipv4.forEach((n, i) => ipv4.set(n, pod.addresses.ipv4[i]));
    const list = byNamespace.get(pod.namespace);
    if (list) list.push(pod);
    else byNamespace.set(pod.namespace, [pod]);
  }
  // The API server always sets kubernetes.io/metadata.name = name (overwriting any other value).
  // A namespace we have pods for but no object (a partial fixture) gets just that label.
  const labels = new Map<string, Labels>();
  for (const ns of namespaces) labels.set(ns.name, { ...ns.labels, [NAMESPACE_NAME_LABEL]: ns.name });
  for (const name of byNamespace.keys()) if (!labels.has(name)) labels.set(name, { [NAMESPACE_NAME_LABEL]: name });
  const sortedLabels = new Map([...labels].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { pods: eligible, podsByNamespace: byNamespace, namespaces: sortedLabels, texts: { ipv4, ipv6: ipv6.order } };
}

/**
 * One pod as the inventory reads it (undefined when it takes no part in policy). IPv6 ranks are
 * left empty: they only order addresses within one inventory.
 */
export function readPodInfo(pod: KubeObject, diagnostics: Diagnostic[]): PodInfo | undefined {
  return parsePod(pod, diagnostics)?.info;
}

function parsePod(pod: KubeObject, diagnostics: Diagnostic[]): ParsedPod | undefined {
  return cachedParse(pod.body, 'pod', pod.ref.file, diagnostics, (d) => readPod(pod, d));
}

interface ParsedPod {
  /** IPv6 ranks still empty: buildInventory fills them in a copy. */
  info: PodInfo;
  /** IPv6 address → addressSortKey. */
  v6Keys: [string, string][];
}

/**
 * A pod takes part in policy only when Running with an address on the pod network. hostNetwork
 * pods are skipped: the API leaves their treatment undefined, their address is the node's, and
 * most implementations neither isolate them nor select them as peers.
 */
function readPod(pod: KubeObject, diagnostics: Diagnostic[]): ParsedPod | undefined {
  const spec = isObject(pod.body.spec) ? pod.body.spec : {};
  const status = isObject(pod.body.status) ? pod.body.status : {};
  if (spec.hostNetwork === true || status.phase !== 'Running') return undefined;
  const parsed = readAddresses(pod, status, diagnostics);
  if (parsed.length === 0) return undefined;
  const addresses: AddressSet = { ipv4: [], ipv6: [] };
  const sorted = parsed.length > 1 ? sortByKey(parsed, (x) => x.key) : parsed;
  for (const a of sorted) addresses[a.family].push(a.address);
  const info = {
    id: pod.id,
    namespace: pod.namespace,
    name: pod.name,
    labels: pod.labels,
    nodeName: typeof spec.nodeName === 'string' && spec.nodeName !== '' ? spec.nodeName : undefined,
    addresses,
    ranks: { ipv4: sorted.filter((a) => a.family === 'ipv4').map((a) => ipv4Value(a.key)), ipv6: [] },
    namedPorts: readNamedPorts(spec),
  };
  return { info, v6Keys: sorted.filter((a) => a.family === 'ipv6').map((a) => [a.address, a.key]) };
}

function readAddresses(pod: KubeObject, status: Record<string, unknown>, diagnostics: Diagnostic[]): ParsedAddress[] {
  const entries: { text: unknown; field: string }[] = [];
  if (Array.isArray(status.podIPs) && status.podIPs.length > 0) {
    status.podIPs.forEach((entry, i) => entries.push({ text: isObject(entry) ? entry.ip : entry, field: `status.podIPs[${i}].ip` }));
  } else if (status.podIP !== undefined && status.podIP !== null && status.podIP !== '') {
    entries.push({ text: status.podIP, field: 'status.podIP' });
  }
  const out: ParsedAddress[] = [];
  for (const { text, field } of entries) {
    const parsed = parseAddress(text);
    if (!parsed) {
      diagnostics.push(warningFor(pod.ref, field, `invalid IP address ${JSON.stringify(text)}; address ignored`));
      continue;
    }
    if (!out.some((a) => a.address === parsed.address)) out.push(parsed);
  }
  return out;
}

function readNamedPorts(spec: Record<string, unknown>): ContainerPort[] {
  const containers = Array.isArray(spec.containers) ? spec.containers : [];
  const sidecars = (Array.isArray(spec.initContainers) ? spec.initContainers : [])
    .filter((c) => isObject(c) && c.restartPolicy === 'Always');
  const out: ContainerPort[] = [];
  for (const container of [...containers, ...sidecars]) {
    if (!isObject(container) || !Array.isArray(container.ports)) continue;
    for (const p of container.ports) {
      if (!isObject(p) || typeof p.name !== 'string' || p.name === '') continue;
      const protocol = p.protocol === undefined || p.protocol === null ? 'TCP' : p.protocol;
      const port = p.containerPort;
      if (!(PROTOCOLS as readonly unknown[]).includes(protocol)) continue;
      if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) continue;
      out.push({ name: p.name, protocol: protocol as Protocol, port });
    }
  }
  return out;
}

/** The first container port with this name and protocol, as Kubernetes' FindPort resolves it. */
export function findNamedPort(pod: PodInfo, name: string, protocol: Protocol): number | undefined {
  for (const p of pod.namedPorts) if (p.name === name && p.protocol === protocol) return p.port;
  return undefined;
}
