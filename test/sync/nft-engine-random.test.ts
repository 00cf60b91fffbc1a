import { expect } from 'chai';
import { ElementIndex } from '../../src/backends/nftables/element-index.js';
import { nodeElements, serviceElements } from '../../src/backends/nftables/elements.js';
import { NODE_OWNER } from '../../src/backends/nftables/render.js';
import { elementText } from '../../src/backends/nftables/text.js';
import type { Diagnostic } from '../../src/model/diagnostics.js';
import { familyShells, planService } from '../../src/proxy/plan.js';
import { NftEngine } from '../../src/sync/nft-engine.js';
import { ClusterStore } from '../../src/sync/store.js';
import { CTX, recorder } from './helpers.js';
import { rng } from './policy-random-cluster.js';

/**
 * The daemon holds endpoint maps and hairpin compactly (src/sync/nft-endpoint-claims.ts, nft-hairpin-refs.ts),
 * not in the element index. After every random batch of changes, the elements the kernel holds — replayed
 * from the transactions the engine sent — must equal what the element index makes of the same store, set
 * by set: collisions (shared ClusterIPs, an external IP equal to a ClusterIP), shared and local endpoint
 * addresses (hairpin), traffic policies, affinity, deletes.
 */
describe('nftables engine: random changes, replayed transactions ≡ element index', () => {
  const CLUSTER_IPS = ['10.96.0.1', '10.96.0.2', '10.96.0.3', '10.96.0.4', '10.96.0.5', '10.96.0.6'];
  const ADDRESSES = Array.from({ length: 12 }, (_, i) => `10.244.${i % 2}.${10 + i}`);

  function service(r: () => number, i: number): Record<string, unknown> {
    const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
    const clusterIP = pick(CLUSTER_IPS);
    const ports = [{ name: 'http', port: 80, targetPort: 8080, ...(r() < 0.4 ? { nodePort: 30000 + i } : {}) }];
    if (r() < 0.3) ports.push({ name: 'dns', port: 53, targetPort: 8053, protocol: 'UDP' } as never);
    const spec: Record<string, unknown> = { clusterIP, ports, type: ports.some((p) => 'nodePort' in p) ? 'NodePort' : 'ClusterIP' };
    if (r() < 0.3) spec.externalIPs = [r() < 0.5 ? clusterIP : `192.0.2.${1 + Math.floor(r() * 3)}`];
    if (r() < 0.3) spec.externalTrafficPolicy = 'Local';
    if (r() < 0.2) spec.internalTrafficPolicy = 'Local';
    if (r() < 0.2) Object.assign(spec, { sessionAffinity: 'ClientIP' });
    return { kind: 'Service', apiVersion: 'v1', metadata: { name: `svc-${i}`, namespace: 'ns' }, spec };
  }

  function slice(r: () => number, i: number): Record<string, unknown> {
    const n = Math.floor(r() * 5);
    const addresses = [...ADDRESSES].sort(() => r() - 0.5).slice(0, n);
    return {
      kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1',
      metadata: { name: `svc-${i}-x`, namespace: 'ns', labels: { 'kubernetes.io/service-name': `svc-${i}` } },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'dns', port: 8053, protocol: 'UDP' }],
      endpoints: addresses.map((a) => ({
        addresses: [a],
        conditions: r() < 0.85 ? { ready: true } : { ready: false, serving: true, terminating: true },
        nodeName: r() < 0.5 ? 'node-a' : 'node-b',
      })),
    };
  }

  /** What the element index makes of the store: set → sorted element texts. */
  function indexed(store: ClusterStore): Map<string, string[]> {
    const shell = familyShells(CTX).find((f) => f.family === 'ipv4')!;
    const index = new ElementIndex();
    index.load(NODE_OWNER, nodeElements(shell));
    const diagnostics: Diagnostic[] = [];
    for (const key of store.allServiceKeys()) {
      const service = store.services.get(key);
      if (!service) continue;
      for (const p of planService(service, store.slicesOf(key), CTX, diagnostics).ipv4) index.load(p.id, serviceElements(p, shell));
    }
    const out = new Map<string, string[]>();
    for (const set of SETS) out.set(set, index.elements(set).map(elementText).sort());
    return out;
  }

  const SETS = new Set<string>();

  /** Replays `add element` / `delete element` / `flush map|set` lines of the ip table onto `kernel`. */
  function replay(kernel: Map<string, Map<string, string>>, transaction: string): void {
    for (const line of transaction.split('\n')) {
      const m = /^(add|delete) element ip proxyctl (\S+) \{ (.*) \}$/.exec(line);
      const flush = /^flush (?:map|set) ip proxyctl (\S+)$/.exec(line);
      if (flush) kernel.get(flush[1])?.clear();
      if (!m) continue;
      const [, op, set, body] = m;
      SETS.add(set);
      if (!kernel.has(set)) kernel.set(set, new Map());
      for (const item of body.split(', ')) {
        const key = item.split(/ comment | : /)[0];
        if (op === 'add') {
          expect(kernel.get(set)!.has(key), `add of an existing element ${set} ${key}`).to.equal(false);
          kernel.get(set)!.set(key, item);
        } else {
          expect(kernel.get(set)!.has(key), `delete of a missing element ${set} ${key}`).to.equal(true);
          kernel.get(set)!.delete(key);
        }
      }
    }
  }

  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`seed ${seed}: 40 batches of service and slice changes`, async () => {
      const r = rng(seed);
      const store = new ClusterStore('node-a');
      const N = 14;
      for (let i = 0; i < N; i++) {
        store.upsert(service(r, i));
        store.upsert(slice(r, i));
      }
      // The affinity clean-up lists the affinity map: an empty one.
      const engine = new NftEngine(recorder((_cmd, args) => ({ exitCode: 0, stdout: args[0] === '-j' ? '{"nftables":[]}' : '' })).exec);
      const kernel = new Map<string, Map<string, string>>();
      // A refresh writes every element after flushing: the replayed kernel starts from the engine's full state.
      await engine.sync(store, CTX, store.takeDirty().services, true);
      replay(kernel, (await engine.sync(store, CTX, new Set(), true)).transaction);
      for (let batch = 0; batch < 40; batch++) {
        for (let k = 0, n = 1 + Math.floor(r() * 4); k < n; k++) {
          const i = Math.floor(r() * N);
          const what = r();
          if (what < 0.35) store.upsert(slice(r, i));
          else if (what < 0.65) store.upsert(service(r, i));
          else if (what < 0.8) store.remove(service(r, i));
          else store.remove(slice(r, i));
        }
        const out = await engine.sync(store, CTX, store.takeDirty().services, false);
        expect(out.mode).to.equal('partial');
        replay(kernel, out.transaction);
        const expected = indexed(store);
        for (const set of SETS) {
          const held = [...(kernel.get(set)?.values() ?? [])].sort();
          expect(held, `seed ${seed} batch ${batch} set ${set}`).to.deep.equal(expected.get(set) ?? []);
        }
        expect(out.elements).to.equal([...expected.values()].reduce((n, l) => n + l.length, 0));
      }
      expect([...SETS]).to.include.members(['endpoints', 'hairpin', 'service-ips', 'cluster-endpoints']);
    });
  }
});
