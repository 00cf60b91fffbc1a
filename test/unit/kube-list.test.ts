import { expect } from 'chai';
import { KubeConfig } from '@kubernetes/client-node';
import { listFromCluster } from '../../src/kube/list.js';
import { ListError, listRaw } from '../../src/kube/raw-list.js';
import { trimObject } from '../../src/kube/trim.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestApiServer } from '../apiserver/server.js';

describe('listing from the API server as plain JSON', () => {
  let server: TestApiServer;
  beforeEach(async () => {
    server = await TestApiServer.start();
  });
  afterEach(async () => server.stop());

  it('render --kubeconfig input: Services, EndpointSlices and Nodes with kind, apiVersion and the cluster as file', async () => {
    server.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: { clusterIP: '10.96.0.10', ports: [{ port: 80 }] } } as never);
    server.create({
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: { name: 'web-1', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4', endpoints: [{ addresses: ['10.244.0.5'], conditions: { ready: true } }], ports: [{ port: 8080 }],
    } as never);
    server.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a' }, status: { addresses: [{ type: 'InternalIP', address: '192.168.56.10' }] } } as never);
    const path = join(mkdtempSync(join(tmpdir(), 'proxyctl-list-')), 'kubeconfig');
    writeFileSync(path, server.kubeconfig());
    const loaded = await listFromCluster(path);
    const summary = loaded.objects.map((o) => `${o.object.kind} ${o.object.apiVersion} ${(o.object.metadata as { name: string }).name}`);
    expect(summary).to.deep.equal(['Service v1 web', 'EndpointSlice discovery.k8s.io/v1 web-1', 'Node v1 node-a']);
    expect(loaded.objects[0].file).to.equal(`cluster ${server.url}`);
    expect((loaded.objects[1].object.endpoints as { addresses: string[] }[])[0].addresses).to.deep.equal(['10.244.0.5']);
  });

  it('sends the kubeconfig credentials: a wrong token gets a ListError with the HTTP status', async () => {
    const kc = new KubeConfig();
    kc.loadFromString(server.kubeconfig().replace(server.token, 'wrong-token'));
    const err = await listRaw(kc, '/api/v1/services').then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(ListError);
    expect((err as ListError).statusCode).to.equal(401);
  });

  it('passes query parameters (the daemon lists only its own Node)', async () => {
    for (const name of ['node-a', 'node-b']) server.create({ apiVersion: 'v1', kind: 'Node', metadata: { name } } as never);
    const kc = new KubeConfig();
    kc.loadFromString(server.kubeconfig());
    const list = await listRaw(kc, '/api/v1/nodes', { fieldSelector: 'metadata.name=node-b' });
    expect(list.items.map((n) => (n.metadata as { name: string }).name)).to.deep.equal(['node-b']);
    expect(list.metadata.resourceVersion).to.match(/^\d+$/);
  });
});

describe('listing in pages (limit/continue, as client-go reflectors do)', () => {
  let server: TestApiServer;
  let kc: KubeConfig;
  const nodeNames = Array.from({ length: 7 }, (_, i) => `node-${i}`);
  beforeEach(async () => {
    server = await TestApiServer.start();
    for (const name of nodeNames) server.create({ apiVersion: 'v1', kind: 'Node', metadata: { name } } as never);
    kc = new KubeConfig();
    kc.loadFromString(server.kubeconfig());
  });
  afterEach(async () => server.stop());

  it('fetches every page of one snapshot, in order, handing each object to onItem', async () => {
    const lists = server.stats.lists;
    const seen: string[] = [];
    const list = await listRaw(kc, '/api/v1/nodes', {}, { pageSize: 3, onItem: (o) => seen.push((o.metadata as { name: string }).name) });
    expect(list.items.map((n) => (n.metadata as { name: string }).name)).to.deep.equal(nodeNames);
    expect(seen).to.deep.equal(nodeNames);
    expect(server.stats.lists - lists).to.equal(3);
    expect(list.metadata.resourceVersion).to.match(/^\d+$/);
  });

  it('objects created between pages are not mixed in: the list is the first page\'s snapshot', async () => {
    let created = false;
    const list = await listRaw(kc, '/api/v1/nodes', {}, {
      pageSize: 3,
      onItem: () => {
        if (!created) server.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-late' } } as never);
        created = true;
      },
    });
    expect(list.items).to.have.length(7);
  });

  it('an expired continue token (410) restarts the list unpaged', async () => {
    let expired = false;
    const list = await listRaw(kc, '/api/v1/nodes', {}, {
      pageSize: 3,
      onItem: () => {
        if (!expired) server.expireHistory();
        expired = true;
      },
    });
    expect(list.items.map((n) => (n.metadata as { name: string }).name)).to.deep.equal(nodeNames);
    const lists = server.stats.recent.filter((l) => l.includes('/api/v1/nodes'));
    expect(lists.some((l) => l.includes('continue='))).to.equal(true);
    expect(lists.at(-1)).not.to.include('limit=');
  });
});

describe('trimObject', () => {
  it('drops managedFields, unread annotations and pod statuses, keeping what rules depend on', () => {
    const pod = trimObject({
      metadata: {
        name: 'a', namespace: 'x', labels: { app: 'a' }, managedFields: [{ manager: 'kubectl' }],
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"big":1}', 'endpoints.kubernetes.io/last-change-trigger-time': '2026-11-26T00:00:00Z' },
      },
      spec: { nodeName: 'node-a', volumes: [{ name: 'v' }], containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 80 }] }] },
      status: { phase: 'Running', podIP: '10.244.0.5', containerStatuses: [{ name: 'c' }] },
    });
    expect(pod).to.deep.equal({
      metadata: { name: 'a', namespace: 'x', labels: { app: 'a' }, annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': '2026-11-26T00:00:00Z' } },
      spec: { nodeName: 'node-a', containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 80 }] }] },
      status: { phase: 'Running', podIP: '10.244.0.5' },
    });
  });
});
