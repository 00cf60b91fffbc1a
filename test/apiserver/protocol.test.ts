// The wire protocol, checked with plain fetch: list shape, versions, watch replay, 410,
// bookmarks, timeouts, selectors, pagination, writes and auth.

import { expect } from 'chai';
import { endpointSlice, namespace, node, service } from './fixtures.js';
import { getJson, readWatch } from './rawclient.js';
import { TestApiServer } from './server.js';

describe('apiserver: protocol', function () {
  this.timeout(10000);
  let server: TestApiServer;
  const get = (path: string, init?: RequestInit) => getJson(server.url + path, server.token, init);
  const watch = (path: string, enough: Parameters<typeof readWatch>[2], timeoutMs?: number) =>
    readWatch(server.url + path, server.token, enough, timeoutMs);

  beforeEach(async () => {
    server = await TestApiServer.start({ bookmarkIntervalMs: 50 });
  });
  afterEach(async () => {
    await server.stop();
  });

  it('lists like the real server: XList kind, list resourceVersion, items without kind/apiVersion', async () => {
    server.create(service('ns1', 'b'));
    server.create(service('ns1', 'a'));
    server.create(node('node-a'));

    const { status, body } = await get('/api/v1/services');

    expect(status).to.equal(200);
    expect(body.kind).to.equal('ServiceList');
    expect(body.apiVersion).to.equal('v1');
    expect(body.metadata).to.deep.equal({ resourceVersion: '3' });
    expect(body.items.map((i: any) => i.metadata.name)).to.deep.equal(['a', 'b']);
    expect(body.items[0].kind).to.equal(undefined);
    expect(body.items[0].metadata.uid).to.match(/^[0-9a-f-]{36}$/);
    expect(body.items[0].metadata.resourceVersion).to.equal('2');
    expect(body.items[0].metadata.creationTimestamp).to.be.a('string');
    const slices = await get('/apis/discovery.k8s.io/v1/namespaces/ns1/endpointslices');
    expect(slices.body).to.deep.include({ kind: 'EndpointSliceList', apiVersion: 'discovery.k8s.io/v1', items: [] });
  });

  it('keeps one global, strictly increasing resourceVersion across kinds and verbs', () => {
    const versions = [
      server.create(service('ns1', 'a')),
      server.create(node('node-a')),
      server.update(service('ns1', 'a', 81)),
      server.delete({ apiVersion: 'v1', kind: 'Service', namespace: 'ns1', name: 'a' }),
      server.create(service('ns1', 'a')),
    ].map((o) => Number(o.metadata.resourceVersion));
    expect(versions).to.deep.equal([1, 2, 3, 4, 5]);
    expect(server.resourceVersion).to.equal('5');
  });

  it('gets single objects, including namespaces, with Status bodies for misses', async () => {
    server.create(namespace('ns1'));
    server.create(service('ns1', 'a'));

    expect((await get('/api/v1/namespaces/ns1')).body.metadata.name).to.equal('ns1');
    expect((await get('/api/v1/namespaces/ns1/services/a')).body.kind).to.equal('Service');
    const missing = await get('/api/v1/namespaces/ns1/services/zz');
    expect(missing.status).to.equal(404);
    expect(missing.body).to.deep.include({ kind: 'Status', reason: 'NotFound', code: 404 });
    expect((await get('/api/v1/widgets')).status).to.equal(404);
  });

  it('requires the bearer token', async () => {
    const { status, body } = await getJson(`${server.url}/api/v1/services`, undefined);
    expect(status).to.equal(401);
    expect(body.reason).to.equal('Unauthorized');
  });

  it('replays history after the requested resourceVersion, then streams live events', async () => {
    server.create(service('ns1', 'a'));
    server.create(node('node-a'));
    server.update(service('ns1', 'a', 81));
    server.delete({ apiVersion: 'v1', kind: 'Service', namespace: 'ns1', name: 'a' });
    setTimeout(() => server.create(service('ns1', 'b')), 50);

    const { status, events } = await watch('/api/v1/services?watch=true&resourceVersion=1', (e) => e.length >= 3);

    expect(status).to.equal(200);
    expect(events.map((e) => `${e.type} ${e.object.metadata?.name} ${e.object.metadata?.resourceVersion}`)).to.deep.equal([
      'MODIFIED a 3',
      'DELETED a 4',
      'ADDED b 5',
    ]);
    expect(events[0].object.kind).to.equal('Service');
  });

  it('without a resourceVersion, starts with ADDED for every current object', async () => {
    server.create(service('ns1', 'a'));
    server.create(service('ns2', 'b'));

    const { events } = await watch('/api/v1/namespaces/ns2/services?watch=true', (e) => e.length >= 1, 300);

    expect(events.map((e) => `${e.type} ${e.object.metadata?.name}`)).to.deep.equal(['ADDED b']);
  });

  it('answers a resume from before the history window with an in-stream 410 Expired, then ends the stream', async () => {
    server.create(service('ns1', 'a'));
    server.expireHistory();

    const result = await watch('/api/v1/services?watch=true&resourceVersion=1', () => false);

    expect(result.status).to.equal(200);
    expect(result.ended).to.equal(true);
    expect(result.events).to.have.length(1);
    expect(result.events[0].type).to.equal('ERROR');
    expect(result.events[0].object).to.deep.include({ kind: 'Status', code: 410, reason: 'Expired' });
    // Resuming from the version a fresh list returns works again.
    const { body } = await get('/api/v1/services');
    const resumed = await watch(`/api/v1/services?watch=true&resourceVersion=${body.metadata.resourceVersion}`, () => false, 200);
    expect(resumed.events).to.deep.equal([]);
    expect(resumed.ended).to.equal(false);
    expect(server.stats.expiredWatches).to.equal(1);
  });

  it('sends periodic BOOKMARK events carrying the current resourceVersion when asked', async () => {
    server.create(service('ns1', 'a'));
    server.create(node('node-a'));

    const { events } = await watch('/api/v1/services?watch=true&resourceVersion=1&allowWatchBookmarks=true', (e) => e.length >= 2);

    expect(events.map((e) => e.type)).to.deep.equal(['BOOKMARK', 'BOOKMARK']);
    expect(events[0].object).to.deep.equal({ kind: 'Service', apiVersion: 'v1', metadata: { resourceVersion: '2' } });
    const plain = await watch('/api/v1/services?watch=true&resourceVersion=1', () => false, 200);
    expect(plain.events).to.deep.equal([]);
  });

  it('ends a watch cleanly after timeoutSeconds', async () => {
    const began = Date.now();
    const result = await watch('/api/v1/services?watch=true&resourceVersion=0&timeoutSeconds=1', () => false, 3000);
    expect(result.ended).to.equal(true);
    expect(Date.now() - began).to.be.within(900, 2500);
  });

  it('applies label and field selectors to lists, and turns selector exits into DELETED on watches', async () => {
    const a = server.create(service('ns1', 'a'));
    server.create(service('ns2', 'b'));

    const byField = await get('/api/v1/services?fieldSelector=metadata.namespace%3Dns2');
    expect(byField.body.items.map((i: any) => i.metadata.name)).to.deep.equal(['b']);
    const byLabel = await get('/api/v1/services?labelSelector=app%20in%20(a%2Cz)');
    expect(byLabel.body.items.map((i: any) => i.metadata.name)).to.deep.equal(['a']);

    setTimeout(() => {
      server.update({ ...a, metadata: { ...a.metadata, labels: { app: 'other' } } });
      server.update({ ...a, metadata: { ...a.metadata, resourceVersion: undefined, labels: { app: 'a' } } });
    }, 50);
    const { events } = await watch('/api/v1/services?watch=true&resourceVersion=2&labelSelector=app%3Da', (e) => e.length >= 2);
    expect(events.map((e) => `${e.type} ${e.object.metadata?.name} ${e.object.metadata?.resourceVersion}`)).to.deep.equal([
      'DELETED a 3',
      'ADDED a 4',
    ]);
    expect((await get('/api/v1/services?fieldSelector=bogus')).status).to.equal(400);
  });

  it('paginates with limit/continue from one snapshot; continue tokens expire with the history', async () => {
    for (const name of ['a', 'b', 'c', 'd', 'e']) server.create(service('ns1', name));

    const first = await get('/api/v1/services?limit=2');
    expect(first.body.items.map((i: any) => i.metadata.name)).to.deep.equal(['a', 'b']);
    expect(first.body.metadata.remainingItemCount).to.equal(3);
    server.create(service('ns1', 'f'));
    const second = await get(`/api/v1/services?limit=2&continue=${first.body.metadata.continue}`);
    const third = await get(`/api/v1/services?limit=2&continue=${second.body.metadata.continue}`);
    expect(second.body.items.map((i: any) => i.metadata.name)).to.deep.equal(['c', 'd']);
    expect(third.body.items.map((i: any) => i.metadata.name)).to.deep.equal(['e']);
    expect(third.body.metadata).to.deep.equal({ resourceVersion: '5' });

    const again = await get('/api/v1/services?limit=2');
    server.expireHistory();
    const expired = await get(`/api/v1/services?limit=2&continue=${again.body.metadata.continue}`);
    expect(expired.status).to.equal(410);
    expect(expired.body.reason).to.equal('Expired');
  });

  it('accepts writes over HTTP: POST, PUT with a resourceVersion precondition, DELETE', async () => {
    const created = await get('/apis/discovery.k8s.io/v1/namespaces/ns1/endpointslices', {
      method: 'POST',
      body: JSON.stringify(endpointSlice('ns1', 'web', ['10.0.0.1'])),
    });
    expect(created.status).to.equal(201);
    expect(created.body.metadata.resourceVersion).to.equal('1');
    const duplicate = await get('/apis/discovery.k8s.io/v1/namespaces/ns1/endpointslices', {
      method: 'POST',
      body: JSON.stringify(endpointSlice('ns1', 'web', ['10.0.0.1'])),
    });
    expect(duplicate.status).to.equal(409);

    const path = '/apis/discovery.k8s.io/v1/namespaces/ns1/endpointslices/web-abcde';
    const updated = await get(path, { method: 'PUT', body: JSON.stringify({ ...created.body, endpoints: [] }) });
    expect(updated.status).to.equal(200);
    const stale = await get(path, { method: 'PUT', body: JSON.stringify(created.body) });
    expect(stale.status).to.equal(409);
    expect(stale.body.reason).to.equal('Conflict');

    const deleted = await get(path, { method: 'DELETE' });
    expect(deleted.status).to.equal(200);
    expect(deleted.body.metadata.resourceVersion).to.equal('3');
    expect(server.list('discovery.k8s.io/v1', 'EndpointSlice')).to.deep.equal([]);
  });

  it('ends every watch after maxWatchMs', async () => {
    const short = await TestApiServer.start({ maxWatchMs: 100 });
    try {
      const result = await readWatch(`${short.url}/api/v1/nodes?watch=true`, short.token, () => false, 2000);
      expect(result.ended).to.equal(true);
    } finally {
      await short.stop();
    }
  });

  it('loads kubectl List documents and answers health checks', async () => {
    server.load({ apiVersion: 'v1', kind: 'List', metadata: { name: '' }, items: [node('n1'), node('n2'), service('x', 'y')] });
    expect(server.list('v1', 'Node').map((n) => n.metadata.name)).to.deep.equal(['n1', 'n2']);
    const res = await fetch(`${server.url}/readyz`, { headers: { authorization: `Bearer ${server.token}` } });
    expect(await res.text()).to.equal('ok');
  });
});
