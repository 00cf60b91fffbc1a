import { FieldError, warningFor, type Diagnostic, type ObjectRef } from './diagnostics.js';
import * as f from './fields.js';
import { compareCIDRs, compareIPs } from './ip.js';
import type { ClusterState, EndpointInfo, EndpointSliceInfo, EndpointSlicePort, NodeInfo, ServiceInfo, ServicePortInfo } from './types.js';

/** Our proxy name: services labelled for another proxy are left alone, as kube-proxy does. */
export const PROXY_NAME = 'proxyctl';
const SERVICE_PROXY_NAME_LABEL = 'service.kubernetes.io/service-proxy-name';
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const DEFAULT_AFFINITY_SECONDS = 10800;

/** A Kubernetes object as read from a file or the API, with where it came from. */
export interface SourcedObject {
  object: f.Json;
  file?: string;
}

export interface Conversion {
  state: ClusterState;
  diagnostics: Diagnostic[];
  /** Objects of kinds the service proxy does not read (Pods, NetworkPolicies...), for other compilers. */
  others: SourcedObject[];
}

export function refOf(src: SourcedObject): ObjectRef {
  const meta = f.isObject(src.object.metadata) ? src.object.metadata : {};
  return {
    file: src.file,
    kind: typeof src.object.kind === 'string' ? src.object.kind : '<no kind>',
    namespace: typeof meta.namespace === 'string' ? meta.namespace : undefined,
    name: typeof meta.name === 'string' ? meta.name : undefined,
  };
}

export type Converted =
  | { kind: 'Service'; service?: ServiceInfo }
  | { kind: 'EndpointSlice'; slice: EndpointSliceInfo }
  | { kind: 'Node'; node: NodeInfo }
  | { kind: 'other' }
  | { kind: 'invalid' };

/** One object → its validated form; problems are appended to `diagnostics`, never thrown. */
export function convertObject(src: SourcedObject, diagnostics: Diagnostic[]): Converted {
  const ref = refOf(src);
  try {
    switch (src.object.kind) {
      case 'Service':
        return { kind: 'Service', service: convertService(src.object, ref, diagnostics) };
      case 'EndpointSlice':
        return { kind: 'EndpointSlice', slice: convertEndpointSlice(src.object, ref) };
      case 'Node':
        return { kind: 'Node', node: convertNode(src.object, ref) };
      default:
        return { kind: 'other' };
    }
  } catch (err) {
    if (!(err instanceof FieldError)) throw err;
    diagnostics.push(warningFor(ref, err.field, `${err.message}; object skipped`));
    return { kind: 'invalid' };
  }
}

/** Turns raw objects into validated ClusterState; a broken object becomes a warning, never an exception. */
export function convertObjects(objects: SourcedObject[]): Conversion {
  const state: ClusterState = { services: [], slices: [], nodes: [] };
  const diagnostics: Diagnostic[] = [];
  const others: SourcedObject[] = [];
  for (const src of objects) {
    const c = convertObject(src, diagnostics);
    if (c.kind === 'Service' && c.service) state.services.push(c.service);
    else if (c.kind === 'EndpointSlice') state.slices.push(c.slice);
    else if (c.kind === 'Node') state.nodes.push(c.node);
    else if (c.kind === 'other') others.push(src);
  }
  // Code-unit order, not localeCompare: the same bytes on every machine whatever its locale.
  state.services = sortById(state.services);
  state.slices = sortById(state.slices);
  state.nodes = sortById(state.nodes);
  return { state, diagnostics, others };
}

/**
 * Sorted by `namespace/name`, each key built once (not once per comparison). A list from the API server
 * (or kubectl) is in this order already and is returned as it is.
 */
function sortById<T extends { namespace?: string; name: string }>(items: T[]): T[] {
  const keyed = items.map((item) => ({ item, key: `${item.namespace ?? ''}/${item.name}` }));
  if (isAscending(keyed)) return items;
  keyed.sort((a, b) => compareText(a.key, b.key));
  return keyed.map((k) => k.item);
}

function isAscending(keyed: { key: string }[]): boolean {
  for (let i = 1; i < keyed.length; i++) if (keyed[i - 1].key > keyed[i].key) return false;
  return true;
}

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function metadataOf(obj: f.Json, namespaced: boolean): { name: string; namespace: string; labels: f.Json } {
  const meta = f.objectAt(obj.metadata, 'metadata');
  const name = f.requiredString(meta.name, 'metadata.name');
  const namespace = namespaced ? (f.optionalString(meta.namespace, 'metadata.namespace') ?? 'default') : '';
  return { name, namespace, labels: f.objectAt(meta.labels, 'metadata.labels') };
}

/** A label's value; a label that is not a string counts as absent. Read in place: no copy of every label. */
function labelOf(labels: f.Json, key: string): string | undefined {
  const value = labels[key];
  return typeof value === 'string' ? value : undefined;
}

function convertService(obj: f.Json, ref: ObjectRef, diagnostics: Diagnostic[]): ServiceInfo | undefined {
  const { name, namespace, labels } = metadataOf(obj, true);
  const proxyName = labelOf(labels, SERVICE_PROXY_NAME_LABEL);
  if (proxyName !== undefined && proxyName !== PROXY_NAME) return undefined;
  const spec = f.objectAt(obj.spec, 'spec');
  const type = f.optionalString(spec.type, 'spec.type') ?? 'ClusterIP';
  if (type === 'ExternalName') return undefined;
  if (type !== 'ClusterIP' && type !== 'NodePort' && type !== 'LoadBalancer') {
    throw new FieldError('spec.type', `unknown service type ${JSON.stringify(type)}`);
  }
  const clusterIPsRaw = f.arrayAt(spec.clusterIPs, 'spec.clusterIPs');
  const rawIPs = clusterIPsRaw.length ? clusterIPsRaw : spec.clusterIP === undefined ? [] : [spec.clusterIP];
  const field = clusterIPsRaw.length ? 'spec.clusterIPs' : 'spec.clusterIP';
  if (rawIPs.length === 0 || rawIPs[0] === 'None' || rawIPs[0] === '') return undefined; // headless or not allocated
  const clusterIPs = clusterIPsRaw.length ? f.readItems(clusterIPsRaw, field, address) : [f.ip(rawIPs[0], field)];

  const ports = f.readItems(f.arrayAt(spec.ports, 'spec.ports'), 'spec.ports', (raw) => servicePort(raw, type));

  const externalIPs = collectIPs(f.arrayAt(spec.externalIPs, 'spec.externalIPs'), 'spec.externalIPs', ref, diagnostics);
  const status = f.objectAt(obj.status, 'status');
  const ingress = f.arrayAt(f.objectAt(status.loadBalancer, 'status.loadBalancer').ingress, 'status.loadBalancer.ingress');
  const loadBalancerIPs = type !== 'LoadBalancer' ? [] : collectIPs(
    ingress.map((ing) => (f.isObject(ing) ? ing.ip : undefined)),
    'status.loadBalancer.ingress', ref, diagnostics, true,
  );
  const loadBalancerSourceRanges: string[] = [];
  f.arrayAt(spec.loadBalancerSourceRanges, 'spec.loadBalancerSourceRanges').forEach((v, i) => {
    try {
      loadBalancerSourceRanges.push(f.cidr(v, `spec.loadBalancerSourceRanges[${i}]`));
    } catch (err) {
      // Fail closed: a range we cannot read admits nobody, the valid ranges still do.
      if (!(err instanceof FieldError)) throw err;
      diagnostics.push(warningFor(ref, err.field, `${err.message}; range ignored`));
    }
  });
  const affinity = f.optionalString(spec.sessionAffinity, 'spec.sessionAffinity') ?? 'None';
  if (affinity !== 'None' && affinity !== 'ClientIP') throw new FieldError('spec.sessionAffinity', `unknown value ${JSON.stringify(affinity)}`);
  let affinityTimeout: number | undefined;
  if (affinity === 'ClientIP') {
    const cfg = f.objectAt(f.objectAt(spec.sessionAffinityConfig, 'spec.sessionAffinityConfig').clientIP, 'spec.sessionAffinityConfig.clientIP');
    const t = cfg.timeoutSeconds ?? DEFAULT_AFFINITY_SECONDS;
    if (typeof t !== 'number' || !Number.isInteger(t) || t < 1 || t > 86400) {
      throw new FieldError('spec.sessionAffinityConfig.clientIP.timeoutSeconds', `invalid timeout ${JSON.stringify(t)} (1-86400)`);
    }
    affinityTimeout = t;
  }
  const etp = f.optionalString(spec.externalTrafficPolicy, 'spec.externalTrafficPolicy') ?? 'Cluster';
  const itp = f.optionalString(spec.internalTrafficPolicy, 'spec.internalTrafficPolicy') ?? 'Cluster';
  const hc = spec.healthCheckNodePort;
  return {
    ref, namespace, name, type, clusterIPs, ports, externalIPs, loadBalancerIPs,
    loadBalancerSourceRanges: distinctSorted(loadBalancerSourceRanges, compareCIDRs),
    externalTrafficLocal: etp === 'Local',
    internalTrafficLocal: itp === 'Local',
    affinityTimeout,
    healthCheckNodePort: hc === undefined || hc === null || hc === 0 ? undefined : f.port(hc, 'spec.healthCheckNodePort'),
  };
}

/** One entry of `spec.ports`; fields are named relative to it. */
function servicePort(raw: unknown, type: ServiceInfo['type']): ServicePortInfo {
  const p = f.objectAt(raw, '');
  const port = f.port(p.port, 'port');
  const target = p.targetPort ?? port;
  const targetPort = typeof target === 'string' && !/^\d+$/.test(target) ? target : f.port(Number(target), 'targetPort');
  const nodePort = p.nodePort === undefined || p.nodePort === null || p.nodePort === 0 ? undefined : f.port(p.nodePort, 'nodePort');
  return {
    name: f.optionalString(p.name, 'name') ?? '',
    protocol: f.protocol(p.protocol, 'protocol'),
    port,
    targetPort,
    nodePort: type === 'ClusterIP' ? undefined : nodePort,
  };
}

/** Reads a list of IPs; a bad entry is dropped with a warning and the others are kept. */
function collectIPs(values: unknown[], field: string, ref: ObjectRef, diagnostics: Diagnostic[], skipMissing = false): string[] {
  const out: string[] = [];
  values.forEach((v, i) => {
    if (skipMissing && (v === undefined || v === '')) return; // hostname-only ingress
    try {
      out.push(f.ip(v, `${field}[${i}]`));
    } catch (err) {
      if (!(err instanceof FieldError)) throw err;
      diagnostics.push(warningFor(ref, err.field, `${err.message}; address ignored`));
    }
  });
  return distinctSorted(out, compareIPs);
}

/** Each value once, in order; nearly every list has none or one (no Set and copies for those). */
function distinctSorted(values: string[], compare: (a: string, b: string) => number): string[] {
  return values.length < 2 ? values : [...new Set(values)].sort(compare);
}

function convertEndpointSlice(obj: f.Json, ref: ObjectRef): EndpointSliceInfo {
  const { name, namespace, labels } = metadataOf(obj, true);
  const serviceName = labelOf(labels, SERVICE_NAME_LABEL);
  if (!serviceName) throw new FieldError(`metadata.labels["${SERVICE_NAME_LABEL}"]`, 'is required to join the slice to its service');
  const addressType = f.requiredString(obj.addressType, 'addressType');
  if (addressType !== 'IPv4' && addressType !== 'IPv6') {
    throw new FieldError('addressType', `unsupported address type ${JSON.stringify(addressType)} (IPv4 or IPv6)`);
  }
  const ports = f.readItems(f.arrayAt(obj.ports, 'ports'), 'ports', slicePort);
  const endpoints = f.readItems(f.arrayAt(obj.endpoints, 'endpoints'), 'endpoints', endpoint);
  return { ref, namespace, name, serviceName, addressType, ports, endpoints };
}

function slicePort(raw: unknown): EndpointSlicePort {
  const p = f.objectAt(raw, '');
  return { name: f.optionalString(p.name, 'name') ?? '', protocol: f.protocol(p.protocol, 'protocol'), port: f.port(p.port, 'port') };
}

/** One entry of an EndpointSlice's `endpoints`; fields are named relative to it. */
function endpoint(raw: unknown): EndpointInfo {
  const e = f.objectAt(raw, '');
  const addrs = f.arrayAt(e.addresses, 'addresses');
  if (addrs.length === 0) throw new FieldError('addresses', 'is required (at least one address)');
  const cond = f.objectAt(e.conditions, 'conditions');
  // API semantics: a nil ready/serving means ready; nil terminating means not terminating.
  const ready = f.bool(cond.ready, 'conditions.ready', true);
  return {
    address: firstAddress(addrs),
    ready,
    serving: f.bool(cond.serving, 'conditions.serving', ready),
    terminating: f.bool(cond.terminating, 'conditions.terminating', false),
    nodeName: f.optionalString(e.nodeName, 'nodeName'),
  };
}

const address = (raw: unknown) => f.ip(raw, '');

/**
 * An endpoint's first address. Nearly always the only one, read without a readItems call per endpoint;
 * the field is named as readItems names it. Not a list: 100k one-item lists were 5.6 MB that lived
 * through the render (and in the daemon), copied by every scavenge they met.
 */
function firstAddress(addrs: unknown[]): string {
  return addrs.length === 1 ? f.ip(addrs[0], 'addresses[0]') : f.readItems(addrs, 'addresses', address)[0];
}

function convertNode(obj: f.Json, ref: ObjectRef): NodeInfo {
  const { name } = metadataOf(obj, false);
  const spec = f.objectAt(obj.spec, 'spec');
  const status = f.objectAt(obj.status, 'status');
  const internalIPs: string[] = [];
  f.arrayAt(status.addresses, 'status.addresses').forEach((raw, i) => {
    const a = f.objectAt(raw, `status.addresses[${i}]`);
    if (a.type === 'InternalIP') internalIPs.push(f.ip(a.address, `status.addresses[${i}].address`));
  });
  const cidrsRaw = f.arrayAt(spec.podCIDRs, 'spec.podCIDRs');
  const podCIDRs = (cidrsRaw.length ? cidrsRaw : spec.podCIDR ? [spec.podCIDR] : []).map((c, i) => f.cidr(c, `spec.podCIDRs[${i}]`));
  return { ref, name, internalIPs, podCIDRs };
}
