import type { SourcedObject } from '../../src/model/convert.js';

/** Builders for the objects kubectl prints, with only the fields a test cares about. */

export interface ServiceSpec {
  ns?: string;
  name: string;
  clusterIP?: string;
  clusterIPs?: string[];
  type?: string;
  ports?: Record<string, unknown>[];
  extra?: Record<string, unknown>;
  status?: Record<string, unknown>;
  labels?: Record<string, string>;
}

export function service(s: ServiceSpec): SourcedObject {
  return {
    file: 'test.yaml',
    object: {
      apiVersion: 'v1', kind: 'Service',
      metadata: { name: s.name, namespace: s.ns ?? 'default', labels: s.labels },
      spec: {
        type: s.type ?? 'ClusterIP',
        clusterIP: s.clusterIP ?? s.clusterIPs?.[0],
        clusterIPs: s.clusterIPs ?? (s.clusterIP ? [s.clusterIP] : undefined),
        ports: s.ports ?? [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
        ...s.extra,
      },
      status: s.status ?? {},
    },
  };
}

export interface EndpointSpec {
  ip: string;
  node?: string;
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
}

export function slice(svc: string, endpoints: EndpointSpec[], opts: { ns?: string; name?: string; ports?: Record<string, unknown>[]; addressType?: string } = {}): SourcedObject {
  return {
    file: 'test.yaml',
    object: {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: { name: opts.name ?? `${svc}-abc`, namespace: opts.ns ?? 'default', labels: { 'kubernetes.io/service-name': svc } },
      addressType: opts.addressType ?? (endpoints[0]?.ip.includes(':') ? 'IPv6' : 'IPv4'),
      ports: opts.ports ?? [{ name: 'http', port: 8080, protocol: 'TCP' }],
      endpoints: endpoints.map((e) => ({
        addresses: [e.ip], nodeName: e.node,
        conditions: { ready: e.ready ?? true, serving: e.serving ?? e.ready ?? true, terminating: e.terminating ?? false },
      })),
    },
  };
}

export function node(name: string, ips: string[], podCIDRs: string[]): SourcedObject {
  return {
    file: 'test.yaml',
    object: {
      apiVersion: 'v1', kind: 'Node', metadata: { name },
      spec: { podCIDRs },
      status: { addresses: ips.map((address) => ({ type: 'InternalIP', address })) },
    },
  };
}

export const NODES = [node('node-a', ['192.168.56.10'], ['10.244.0.0/24']), node('node-b', ['192.168.56.11'], ['10.244.1.0/24'])];
