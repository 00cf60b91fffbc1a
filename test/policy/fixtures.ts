import { expect } from 'chai';
import type { Diagnostic } from '../../src/model/diagnostics.js';
import type { Protocol } from '../../src/model/types.js';
import { compilePolicyPlan } from '../../src/policy/compile.js';
import { evaluate } from '../../src/policy/evaluate.js';
import { sourcesOf } from '../../src/policy/objects.js';
import type { PolicyPlan } from '../../src/policy/types.js';

/** Builders for plain Kubernetes objects as kubectl prints them, and flow assertions. */

export interface PodOptions {
  labels?: Record<string, string>;
  node?: string;
  ips?: string[];
  phase?: string;
  hostNetwork?: boolean;
  ports?: { name: string; containerPort: number; protocol?: string }[];
}

export function pod(id: string, opts: PodOptions = {}): Record<string, unknown> {
  const [namespace, name] = id.split('/');
  const ips = opts.ips ?? [];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace, name, labels: opts.labels ?? {} },
    spec: {
      nodeName: opts.node ?? 'node-1',
      ...(opts.hostNetwork ? { hostNetwork: true } : {}),
      containers: [{ name: 'main', image: 'agnhost', ports: opts.ports ?? [] }],
    },
    status: {
      phase: opts.phase ?? 'Running',
      ...(ips.length ? { podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) } : {}),
    },
  };
}

export function namespace(name: string, labels: Record<string, string> = {}): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

export function netpol(id: string, spec: unknown): Record<string, unknown> {
  const [ns, name] = id.split('/');
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { namespace: ns, name }, spec };
}

export function compile(objects: unknown[], nodeName: string | null = 'node-1', nodeIPs: string[] = []): PolicyPlan {
  return compilePolicyPlan(sourcesOf(objects), { nodeName, nodeIPs });
}

/** Pod id (`x/a`, `x/a#6` for its IPv6 address) or a literal IP → address. */
export function addressBook(objects: unknown[]): (ref: string) => string {
  const book = new Map<string, string[]>();
  for (const o of objects as { kind: string; metadata: { namespace: string; name: string }; status?: { podIPs?: { ip: string }[] } }[]) {
    if (o.kind === 'Pod') book.set(`${o.metadata.namespace}/${o.metadata.name}`, (o.status?.podIPs ?? []).map((p) => p.ip));
  }
  return (ref) => {
    const [id, fam] = ref.split('#');
    const ips = book.get(id);
    if (!ips) return ref;
    const ip = ips.find((a) => (fam === '6') === a.includes(':'));
    if (!ip) throw new Error(`no ${fam === '6' ? 'IPv6' : 'IPv4'} address for ${id}`);
    return ip;
  };
}

/** Flow syntax: `src -> dst:port[/PROTO]`, endpoints as pod ids or IPs (IPv6 dst as `[addr]:port`). */
export function parseFlow(flow: string, resolve: (ref: string) => string): { src: string; dst: string; port: number; protocol: Protocol } {
  const m = /^(\S+) -> (?:\[(.+)\]|([^:\s]+(?:#6)?)):(\d+)(?:\/(TCP|UDP|SCTP))?$/.exec(flow);
  if (!m) throw new Error(`bad flow ${flow}`);
  return { src: resolve(m[1]), dst: resolve(m[2] ?? m[3]), port: Number(m[4]), protocol: (m[5] ?? 'TCP') as Protocol };
}

export function expectFlows(plan: PolicyPlan, objects: unknown[], allow: string[] = [], deny: string[] = []): void {
  const resolve = addressBook(objects);
  for (const [flows, want] of [[allow, true], [deny, false]] as const) {
    for (const flow of flows) {
      const f = parseFlow(flow, resolve);
      const verdict = evaluate(plan, f.src, f.dst, f.port, f.protocol);
      expect(verdict.allowed, `${flow} should be ${want ? 'allowed' : 'denied'} (${JSON.stringify(verdict)})`).to.equal(want);
    }
  }
}

/** Compares diagnostics on the fields that identify them (kind/namespace/name/field). */
export function expectDiagnostics(plan: PolicyPlan, want: Partial<Diagnostic>[]): void {
  const pick = (d: Partial<Diagnostic>) => ({ kind: d.kind, namespace: d.namespace, name: d.name, field: d.field });
  expect(plan.diagnostics.map(pick), JSON.stringify(plan.diagnostics, null, 1)).to.deep.equal(want.map(pick));
  for (const d of plan.diagnostics) expect(d.severity).to.equal('warning');
}

/** Deterministic Fisher-Yates shuffle (mulberry32), so a failing order can be replayed. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  let s = seed >>> 0;
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
