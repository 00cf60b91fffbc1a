/**
 * A small, varied NetworkPolicy cluster and random pod changes on it, all from a seed (mulberry32), so
 * a failing sequence can be replayed. Policies cover what pod changes interact with: ingress and
 * egress, podSelector with In/NotIn/Exists/DoesNotExist, namespaceSelector (also empty: every
 * namespace), named ports (on targets and on peers), ipBlocks, an invalid podSelector (fail closed).
 * Pods are spread over two nodes, some dual-stack, some with a named port.
 */

export type Obj = Record<string, unknown> & { metadata: { name: string; namespace?: string; labels?: Record<string, string>; resourceVersion?: string } };

export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const NAMESPACES = ['shop', 'blog', 'ops'];
/** Pods may appear in `late` before (or without) its Namespace object. */
const POD_NAMESPACES = [...NAMESPACES, 'late'];
const TEAMS = ['red', 'blue', undefined];
const APPS = ['web', 'api', 'db', 'cache'];
const TIERS = ['front', 'back'];
let version = 0;

export interface PodShape {
  namespace: string;
  name: string;
  node: 'node-a' | 'node-b';
  labels: Record<string, string>;
  ipv4?: string;
  ipv6?: string;
  phase: 'Running' | 'Pending';
  httpPort?: number;
}

export function podObject(p: PodShape): Obj {
  const ips = [p.ipv4, p.ipv6].filter((x): x is string => x !== undefined);
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { namespace: p.namespace, name: p.name, labels: { ...p.labels }, resourceVersion: String(++version) },
    spec: { nodeName: p.node, containers: [{ name: 'c', ports: p.httpPort ? [{ name: 'http', containerPort: p.httpPort }] : [] }] },
    status: { phase: p.phase, ...(ips.length ? { podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) } : {}) },
  };
}

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}

export function randomLabels(r: () => number): Record<string, string> {
  const labels: Record<string, string> = {};
  if (r() < 0.9) labels.app = pick(r, APPS);
  if (r() < 0.7) labels.tier = pick(r, TIERS);
  if (r() < 0.2) labels.canary = 'yes';
  return labels;
}

/** A fresh address: node-a pods in 10.244.0.0/24, node-b pods in 10.244.1.0/24 (from a pool small enough that addresses now and then collide). */
export function randomAddress(r: () => number, node: PodShape['node']): { ipv4: string; ipv6?: string } {
  const host = 2 + Math.floor(r() * 200);
  const n = node === 'node-a' ? 0 : 1;
  return { ipv4: `10.244.${n}.${host}`, ...(r() < 0.3 ? { ipv6: `fd00:${n}::${host.toString(16)}` } : {}) };
}

export function randomPods(r: () => number, count: number): PodShape[] {
  const pods: PodShape[] = [];
  const used = new Set<string>();
  for (let i = 0; i < count; i++) {
    const node = r() < 0.6 ? 'node-a' : 'node-b';
    let addr = randomAddress(r, node);
    while (used.has(addr.ipv4)) addr = randomAddress(r, node);
    used.add(addr.ipv4);
    pods.push({ namespace: pick(r, NAMESPACES), name: `p${i}`, node, labels: randomLabels(r), ...addr, phase: 'Running', ...(r() < 0.5 ? { httpPort: r() < 0.5 ? 8080 : 9090 } : {}) });
  }
  return pods;
}

export function namespaceObject(name: string, team: string | undefined): Obj {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: team ? { team } : {}, resourceVersion: String(++version) } };
}

export function namespaces(): Obj[] {
  const team: Record<string, string> = { shop: 'red', blog: 'blue', ops: 'red' };
  return NAMESPACES.map((name) => namespaceObject(name, team[name]));
}

/** A namespace relabelled (team red, blue or none), or `late` created or deleted. */
export function randomNamespaceChange(r: () => number): { upsert: Obj[]; remove: Obj[] } {
  const name = pick(r, POD_NAMESPACES);
  const object = namespaceObject(name, pick(r, TEAMS));
  return name === 'late' && r() < 0.4 ? { upsert: [], remove: [object] } : { upsert: [object], remove: [] };
}

const netpol = (ns: string, name: string, spec: unknown): Obj =>
  ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { namespace: ns, name, resourceVersion: '1' }, spec });

export function policies(): Obj[] {
  return [
    netpol('shop', 'db-from-api', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ port: 5432 }] }] }),
    netpol('shop', 'api-from-web-http', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ podSelector: { matchLabels: { tier: 'front' } } }], ports: [{ port: 'http' }] }] }),
    netpol('shop', 'front-egress', {
      podSelector: { matchLabels: { tier: 'front' } }, policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['api', 'cache'] }] } }], ports: [{ port: 'http' }, { port: 53, protocol: 'UDP' }] }],
    }),
    netpol('blog', 'deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    netpol('blog', 'web-from-red', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'red' } }, podSelector: { matchExpressions: [{ key: 'canary', operator: 'DoesNotExist' }] } }] }] }),
    netpol('blog', 'egress-anywhere', { podSelector: { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, egress: [{ to: [{ namespaceSelector: {} }, { ipBlock: { cidr: '0.0.0.0/0', except: ['10.244.0.0/16'] } }] }] }),
    netpol('ops', 'not-db', { podSelector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['db'] }] }, ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 'http' }] }] }),
    netpol('ops', 'cache-any', { podSelector: { matchLabels: { app: 'cache' } }, ingress: [{}] }),
    netpol('ops', 'broken', { podSelector: { matchExpressions: [{ key: 'app', operator: 'Bogus' }] }, policyTypes: ['Egress'] }),
  ];
}

/** One random change to `pods` (in place); returns the objects to upsert and to remove. */
export function randomChange(r: () => number, pods: PodShape[], next: { n: number }): { upsert: Obj[]; remove: Obj[] } {
  const x = r();
  const live = pods.filter((p) => p.ipv4 !== undefined || p.phase === 'Pending');
  const p = pick(r, live.length ? live : pods);
  if (x < 0.45) {
    p.labels = randomLabels(r);
    return { upsert: [podObject(p)], remove: [] };
  }
  if (x < 0.55) {
    Object.assign(p, { ipv4: undefined, ipv6: undefined }, randomAddress(r, p.node));
    return { upsert: [podObject(p)], remove: [] };
  }
  if (x < 0.65) {
    p.phase = p.phase === 'Running' ? 'Pending' : 'Running';
    return { upsert: [podObject(p)], remove: [] };
  }
  if (x < 0.72) {
    // Two pods trade addresses in one batch.
    const q = pick(r, pods);
    [p.ipv4, q.ipv4] = [q.ipv4, p.ipv4];
    return { upsert: [podObject(p), podObject(q)], remove: [] };
  }
  if (x < 0.8) {
    pods.splice(pods.indexOf(p), 1);
    return { upsert: [], remove: [podObject(p)] };
  }
  if (x < 0.9) {
    const node = r() < 0.6 ? 'node-a' : 'node-b';
    const created: PodShape = { namespace: pick(r, POD_NAMESPACES), name: `n${next.n++}`, node, labels: randomLabels(r), ...randomAddress(r, node), phase: 'Running', ...(r() < 0.5 ? { httpPort: 8080 } : {}) };
    pods.push(created);
    return { upsert: [podObject(created)], remove: [] };
  }
  p.httpPort = p.httpPort ? undefined : 9090;
  return { upsert: [podObject(p)], remove: [] };
}
