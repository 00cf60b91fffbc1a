import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { TestApiServer } from '../apiserver/server.js';

// The compiled daemon (dist/, made by `npm run build`) loads client-node from dist/vendor/kube-client.js.
const dist = (path: string) => new URL(`../../dist/${path}`, import.meta.url);

describe('the client-node bundle the compiled daemon loads (dist/vendor/kube-client.js)', () => {
  it('is what dist/kube/client.js hands out, and leaves out the generated API clients and models', async () => {
    const { loadKubeClient } = await import(dist('kube/client.js').href);
    const bundle = await import(dist('vendor/kube-client.js').href);
    const client = await loadKubeClient();
    expect(client.KubeConfig).to.equal(bundle.KubeConfig);
    expect(client.ListWatch).to.equal(bundle.ListWatch);
    const text = readFileSync(dist('vendor/kube-client.js'), 'utf8');
    expect(text).not.to.include('class CoreV1Api');
    expect(text).not.to.include('class V1Service ');
    const kc = new client.KubeConfig();
    kc.loadFromOptions({ clusters: [{ name: 'c', server: 'https://127.0.0.1:6443' }], users: [{ name: 'u', token: 't' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x' });
    expect(() => kc.makeApiClient(Object)).to.throw(/without its generated API clients/);
  });

  it('lists and watches through the compiled informers: a field-selected Node, a Service update and delete', async () => {
    // Imported before the server starts: without a build they fail here, leaving nothing running.
    const { loadKubeClient } = await import(dist('kube/client.js').href);
    const { startWatchers } = await import(dist('kube/informers.js').href);
    const server = await TestApiServer.start();
    server.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a' } } as never);
    server.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-b' } } as never);
    const svc = (port: number) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: { clusterIP: '10.96.0.10', ports: [{ port }] } });
    server.create(svc(80) as never);
    const seen: string[] = [];
    const record = (what: string) => (kind: string, o: { metadata: { name: string }; spec?: { ports?: { port: number }[] } }) =>
      seen.push(`${what} ${kind} ${o.metadata.name}${o.spec?.ports ? ` ${o.spec.ports[0].port}` : ''}`);
    let watchers: { synced: Promise<void>; stop(): Promise<void> } | undefined;
    try {
      const kc = new (await loadKubeClient()).KubeConfig();
      kc.loadFromString(server.kubeconfig());
      watchers = await startWatchers(kc, 'node-a', ['Node', 'Service'], { upsert: record('upsert'), remove: record('remove'), error: () => {} });
      await watchers!.synced;
      const stored = server.get({ apiVersion: 'v1', kind: 'Service', namespace: 'shop', name: 'web' }) as { metadata: object };
      server.update({ ...svc(81), metadata: { ...stored.metadata } } as never);
      server.delete({ apiVersion: 'v1', kind: 'Service', namespace: 'shop', name: 'web' });
      for (let i = 0; i < 100 && seen.length < 4; i++) await new Promise((r) => setTimeout(r, 20));
      expect([...seen].sort()).to.deep.equal(['remove Service web 81', 'upsert Node node-a', 'upsert Service web 80', 'upsert Service web 81']);
    } finally {
      await watchers?.stop();
      await server.stop();
    }
  });
});
