import { expect } from 'chai';
import { KubeConfig } from '@kubernetes/client-node';
import { startWatchers } from '../../src/kube/informers.js';
import { TestApiServer } from '../apiserver/server.js';

describe('informers hand the store wire-form objects', () => {
  it('a NetworkPolicy listed at start keeps its `from` peers (a lost `from` would allow every source)', async () => {
    const server = await TestApiServer.start();
    server.create({
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'db', namespace: 'shop' },
      spec: { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 5432 }] }] },
    } as never);
    const kc = new KubeConfig();
    kc.loadFromString(server.kubeconfig());
    const seen: Record<string, unknown>[] = [];
    const watchers = await startWatchers(kc, 'node-a', ['NetworkPolicy'], { upsert: (_k, o) => seen.push(o), remove: () => {}, error: () => {} });
    try {
      await watchers.synced;
      const spec = seen[0].spec as { ingress: Record<string, unknown>[] };
      expect(spec.ingress[0].from).to.deep.equal([{ podSelector: { matchLabels: { app: 'web' } } }]);
      expect(spec.ingress[0]).not.to.have.property('_from');
    } finally {
      await watchers.stop();
      await server.stop();
    }
  });
});

describe('informers of converted kinds keep only identities in their cache', () => {
  it('hands the handler the whole object, then shrinks the cached copy; updates and deletes still arrive', async () => {
    const server = await TestApiServer.start();
    const svc = (port: number) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: { clusterIP: '10.96.0.10', ports: [{ port }] } });
    server.create(svc(80) as never);
    const kc = new KubeConfig();
    kc.loadFromString(server.kubeconfig());
    const seen: string[] = [];
    const handed: Record<string, unknown>[] = [];
    const record = (what: string) => (_k: unknown, o: Record<string, unknown>) => {
      handed.push(o);
      const ports = (o.spec as { ports?: { port: number }[] } | undefined)?.ports?.map((p) => p.port).join(',') ?? '-';
      seen.push(`${what} ${o.kind} ${(o.metadata as { namespace: string; name: string }).namespace}/${(o.metadata as { name: string }).name} ${ports}`);
    };
    const watchers = await startWatchers(kc, 'node-a', ['Service'], { upsert: record('upsert'), remove: record('remove'), error: () => {} }, { convertedKinds: ['Service'] });
    try {
      await watchers.synced;
      const stored = server.get({ apiVersion: 'v1', kind: 'Service', namespace: 'shop', name: 'web' }) as Record<string, unknown>;
      server.update({ ...svc(81), metadata: { ...(stored.metadata as object) } } as never);
      server.delete({ apiVersion: 'v1', kind: 'Service', namespace: 'shop', name: 'web' });
      for (let i = 0; i < 100 && seen.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
      expect(seen).to.deep.equal(['upsert Service shop/web 80', 'upsert Service shop/web 81', 'remove Service shop/web 81']);
      const metadata = handed[0].metadata as Record<string, unknown>;
      expect(Object.keys(handed[0]).filter((k) => handed[0][k] !== undefined).sort()).to.deep.equal(['apiVersion', 'kind', 'metadata']);
      expect(Object.keys(metadata).sort()).to.deep.equal(['name', 'namespace', 'resourceVersion']);
    } finally {
      await watchers.stop();
      await server.stop();
    }
  });
});
