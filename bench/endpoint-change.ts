// One isolated endpoint change on gen_cluster.py's cluster, and how to see it in the kernel.
import { digest } from '../src/backends/iptables/names.js';
import type { Backend } from '../src/pipeline.js';
import type { Expect } from './agent-protocol.js';

export const TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';

/** gen_cluster.py's ClusterIP of service i. */
export function clusterIP(i: number): string {
  return `10.${96 + Math.floor(i / 65536)}.${Math.floor(i / 256) % 256}.${i % 256}`;
}

export function serviceId(i: number): string {
  return `ns-${i % 100}/svc-${i}/tcp/80`;
}

export function sliceRef(i: number) {
  return { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', namespace: `ns-${i % 100}`, name: `svc-${i}-abcde` };
}

/** Change n's new address: unique per run and above every generated one, so it stays at index E-1. */
export function newAddress(n: number): string {
  if (n < 1 || n > 65_535) throw new Error(`change ${n}: at most 65535 changes per run`);
  return `10.200.${n >> 8}.${n & 255}`;
}

/** The service touched by change n: spread over the cluster (7919 is prime, so no repeats before n = services). */
export function serviceFor(n: number, services: number): number {
  return (n * 7919) % services;
}

type Slice = { metadata: { annotations?: Record<string, string>; resourceVersion?: string }; endpoints: { addresses: string[] }[] };

/** The slice with its last endpoint (the highest address, index E-1 in our maps) moved to `address`. */
export function moveLastEndpoint<T>(slice: T, address: string, triggerTime: Date): T {
  const s = structuredClone(slice) as Slice;
  s.endpoints[s.endpoints.length - 1].addresses = [address];
  s.metadata.annotations = { ...s.metadata.annotations, [TRIGGER_TIME]: triggerTime.toISOString() };
  delete s.metadata.resourceVersion;
  return s as T;
}

export interface KernelCheck {
  argv: string[];
  expect: Expect;
  /**
   * nftables: text of the `nft monitor` line announcing it. Measured that way because polling cannot
   * resolve it: nft 1.0.6 `get element` fetches the whole set first (0.2-0.3 s at 1,000 services).
   */
  monitorText?: string;
}

/** The kernel shows service i's endpoint at `index` as `address`. */
export function endpointVisible(backend: Backend, i: number, index: number, address: string): KernelCheck {
  if (backend === 'nftables') {
    return {
      argv: ['nft', 'get', 'element', 'ip', 'proxyctl', 'endpoints', `{ ${clusterIP(i)} . tcp . 80 . ${index} }`],
      expect: { exitZero: true, stdoutIncludes: `: ${address} . 8080` },
      monitorText: `${clusterIP(i)} . tcp . 80 . ${index} : ${address} . 8080`,
    };
  }
  // Remote endpoints are DNATed inline in the service's chain; listing one chain avoids iptables-save of 100k rules.
  return {
    argv: ['iptables', '-t', 'nat', '-S', `PXC-SVC-${digest(serviceId(i))}`],
    expect: { exitZero: true, stdoutIncludes: `--to-destination ${address}:8080` },
  };
}

/**
 * Service i is programmed (its ClusterIP is in the dispatch map / its chain exists). Cheap to poll
 * for iptables (one chain, a few ms); for nftables a single check (it lists the whole map).
 */
export function serviceVisible(backend: Backend, i: number): KernelCheck {
  return backend === 'nftables'
    ? { argv: ['nft', 'get', 'element', 'ip', 'proxyctl', 'service-ips', `{ ${clusterIP(i)} . tcp . 80 }`], expect: { exitZero: true } }
    : { argv: ['iptables', '-t', 'nat', '-S', `PXC-SVC-${digest(serviceId(i))}`], expect: { exitZero: true } };
}
