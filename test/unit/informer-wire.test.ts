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
