import { warningFor, type Diagnostic } from '../model/diagnostics.js';
import { isObject } from '../model/fields.js';
import { PROTOCOLS, type Protocol } from '../model/types.js';
import { parseAddress, sortByKey, type ParsedAddress } from './cidr.js';
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
  /** Sort key of each address, so unions of many pods sort without re-parsing. */
  addressKeys: ReadonlyMap<string, string>;
  /** Named container ports in FindPort order: containers, then sidecars (restartable init containers). */
  namedPorts: ContainerPort[];
}

export interface Inventory {
  /** Running, addressed, pod-network pods, sorted by id. */
  pods: PodInfo[];
  podsByNamespace: ReadonlyMap<string, PodInfo[]>;
  /** Namespace name → labels; sorted by name. */
  namespaces: ReadonlyMap<string, Labels>;
}

/** Set by the API server on every namespace since 1.21; added here when a fixture lacks it. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export function buildInventory(pods: KubeObject[], namespaces: KubeObject[], diagnostics: Diagnostic[]): Inventory {
  const eligible: PodInfo[] = [];
  for (const pod of pods) {
    const info = readPod(pod, diagnostics);
    if (info) eligible.push(info);
  }
  const byNamespace = new Map<string, PodInfo[]>();
  for (const pod of eligible) {
    const list = byNamespace.get(pod.namespace) ?? [];
    list.push(pod);
    byNamespace.set(pod.namespace, list);
  }
  // The API server always sets kubernetes.io/metadata.name = name (overwriting any other value).
  // A namespace we have pods for but no object (a partial fixture) gets just that label.
  const labels = new Map<string, Labels>();
  for (const ns of namespaces) labels.set(ns.name, { ...ns.labels, [NAMESPACE_NAME_LABEL]: ns.name });
  for (const name of byNamespace.keys()) if (!labels.has(name)) labels.set(name, { [NAMESPACE_NAME_LABEL]: name });
  const sortedLabels = new Map([...labels].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { pods: eligible, podsByNamespace: byNamespace, namespaces: sortedLabels };
}

/**
 * A pod takes part in policy only when Running with an address on the pod network. hostNetwork
 * pods are skipped: the API leaves their treatment undefined, their address is the node's, and
 * most implementations neither isolate them nor select them as peers.
 */
function readPod(pod: KubeObject, diagnostics: Diagnostic[]): PodInfo | undefined {
  const spec = isObject(pod.body.spec) ? pod.body.spec : {};
  const status = isObject(pod.body.status) ? pod.body.status : {};
  if (spec.hostNetwork === true || status.phase !== 'Running') return undefined;
  const parsed = readAddresses(pod, status, diagnostics);
  if (parsed.length === 0) return undefined;
  const addresses: AddressSet = {
    ipv4: sortByKey(parsed.filter((a) => a.family === 'ipv4'), (a) => a.key).map((a) => a.address),
    ipv6: sortByKey(parsed.filter((a) => a.family === 'ipv6'), (a) => a.key).map((a) => a.address),
  };
  return {
    id: pod.id,
    namespace: pod.namespace,
    name: pod.name,
    labels: pod.labels,
    ...(typeof spec.nodeName === 'string' && spec.nodeName !== '' ? { nodeName: spec.nodeName } : {}),
    addresses,
    addressKeys: new Map(parsed.map((a) => [a.address, a.key])),
    namedPorts: readNamedPorts(spec),
  };
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
  return pod.namedPorts.find((p) => p.name === name && p.protocol === protocol)?.port;
}
