/**
 * A deterministic policy-heavy cluster for scale tests and `npm run bench`.
 *
 * Pod i lives in ns-(i % namespaces) on nodes[i % nodes.length], labelled app=app-(i % 50) and
 * tier=web|api|db (i % 3), with a container port named http (8080). Node k's pods take addresses
 * from 10.(100+k).0.0/16. Namespace n is labelled team=t(n % 10). Policy p lives in
 * ns-(p % namespaces), selects app=app-(p % 50) and allows ingress from [podSelector tier=web] OR
 * [namespaceSelector team=t(p % 10)] on ports 8080 and "http". Every object has resourceVersion
 * "1", as API objects have one (the compiler remembers parses of objects that carry it).
 */

export interface SyntheticOptions {
  pods: number;
  namespaces: number;
  policies: number;
  /** Default node-a, node-b. */
  nodes?: string[];
}

export const SYNTHETIC_NODES = ['node-a', 'node-b'];

const TIERS = ['web', 'api', 'db'];

export function syntheticPolicyCluster(opts: SyntheticOptions): Record<string, unknown>[] {
  const nodes = opts.nodes ?? SYNTHETIC_NODES;
  if (nodes.length === 0 || nodes.length > 155) throw new Error('nodes: 1 to 155 names');
  if (opts.namespaces < 1) throw new Error('namespaces: at least 1');
  const perNode = Math.ceil(opts.pods / nodes.length);
  if (perNode > 65534) throw new Error('at most 65534 pods per node (one /16 each)');
  const out: Record<string, unknown>[] = [];
  for (let n = 0; n < opts.namespaces; n++) out.push(namespace(n));
  for (let i = 0; i < opts.pods; i++) out.push(pod(i, opts.namespaces, nodes));
  for (let p = 0; p < opts.policies; p++) out.push(policy(p, opts.namespaces));
  return out;
}

function namespace(n: number): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `ns-${n}`, resourceVersion: '1', labels: { team: `t${n % 10}` } } };
}

function pod(i: number, namespaces: number, nodes: string[]): Record<string, unknown> {
  const node = i % nodes.length;
  // The pod's index on its node, offset by one so no address ends in .0.
  const host = Math.floor(i / nodes.length) + 1;
  const ip = `10.${100 + node}.${host >> 8}.${host & 255}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace: `ns-${i % namespaces}`, name: `pod-${i}`, resourceVersion: '1', labels: { app: `app-${i % 50}`, tier: TIERS[i % 3] } },
    spec: {
      nodeName: nodes[node],
      containers: [{ name: 'main', image: 'agnhost', ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] }],
    },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] },
  };
}

function policy(p: number, namespaces: number): Record<string, unknown> {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { namespace: `ns-${p % namespaces}`, name: `policy-${p}`, resourceVersion: '1' },
    spec: {
      podSelector: { matchLabels: { app: `app-${p % 50}` } },
      policyTypes: ['Ingress'],
      ingress: [{
        from: [{ podSelector: { matchLabels: { tier: 'web' } } }, { namespaceSelector: { matchLabels: { team: `t${p % 10}` } } }],
        ports: [{ protocol: 'TCP', port: 8080 }, { protocol: 'TCP', port: 'http' }],
      }],
    },
  };
}
