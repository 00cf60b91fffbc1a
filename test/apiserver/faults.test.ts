// How client-node 1.4 informers behave under each injected fault. These tests document the
// observed behaviour the daemon has to live with (see DESIGN.md, "Facts measured").

import { setTimeout as sleep } from 'node:timers/promises';
import type { V1Service } from '@kubernetes/client-node';
import { expect } from 'chai';
import { service } from './fixtures.js';
import { type Harness, type TestInformer, startHarness } from './harness.js';
import { type Recorder, cacheLines, record } from './recorder.js';
import type { TestApiServerOptions } from './server.js';
import { waitFor } from './wait.js';

interface Started {
  informer: TestInformer<V1Service>;
  rec: Recorder;
}

function errorCode(err: unknown): unknown {
  return (err as { code?: unknown }).code;
}

describe('apiserver: informer behaviour under faults', function () {
  this.timeout(15000);
  let h: Harness;

  async function setup(options: TestApiServerOptions = {}): Promise<Started> {
    h = await startHarness(options);
    h.server.create(service('ns1', 'a'));
    h.server.create(service('ns1', 'b'));
    const informer = h.informer<V1Service>('/api/v1/services', () => h.core.listServiceForAllNamespaces());
    const rec = record(informer);
    await informer.start();
    rec.events.length = 0;
    return { informer, rec };
  }

  function serverLines(): string[] {
    return h.server
      .list('v1', 'Service')
      .map((o) => `${o.metadata.namespace}/${o.metadata.name} ${o.metadata.resourceVersion}`)
      .sort();
  }

  /** Changes made while the informer is not watching: one update, one delete, one add. */
  function changeWhileAway(): void {
    h.server.update(service('ns1', 'a', 8080));
    h.server.delete({ apiVersion: 'v1', kind: 'Service', namespace: 'ns1', name: 'b' });
    h.server.create(service('ns1', 'c'));
  }

  afterEach(async () => {
    await h.close();
  });

  it('a cleanly ended watch (server timeout) is resumed by the informer itself, without relisting', async () => {
    const { informer, rec } = await setup();
    const lists = h.server.stats.lists;

    expect(h.server.endWatches()).to.equal(1);
    await waitFor('a new watch', () => h.server.stats.watches === 2 && h.server.openWatches === 1);
    h.server.create(service('ns1', 'c'));

    await waitFor('add c', () => rec.events.length === 1);
    expect(rec.events).to.deep.equal(['add ns1/c 3']);
    expect(rec.errors).to.deep.equal([]);
    expect(rec.connects).to.equal(2);
    expect(h.server.stats.lists).to.equal(lists);
    expect(h.server.stats.recent.at(-2)).to.equal('GET /api/v1/services?watch=true&resourceVersion=2');
    expect(cacheLines(informer)).to.deep.equal(serverLines());
  });

  it('a dropped watch calls the error handler (Premature close) and stops; start() resumes from the last version', async () => {
    const { informer, rec } = await setup();

    expect(h.server.dropWatches()).to.equal(1);
    await waitFor('error handler', () => rec.errors.length === 1);
    expect(errorCode(rec.errors[0])).to.equal('ERR_STREAM_PREMATURE_CLOSE');
    expect((rec.errors[0] as Error).message).to.equal('Premature close');

    // Stopped: no new watch, and changes are not seen.
    changeWhileAway();
    await sleep(200);
    expect(h.server.openWatches).to.equal(0);
    expect(h.server.stats.watches).to.equal(1);
    expect(rec.events).to.deep.equal([]);

    // Restart: the informer keeps its resourceVersion, so it re-watches and gets the missed events from history.
    const lists = h.server.stats.lists;
    await informer.start();
    await waitFor('replayed events', () => rec.events.length === 3);
    expect(rec.events).to.deep.equal(['update ns1/a 3', 'delete ns1/b 4', 'add ns1/c 5']);
    expect(h.server.stats.lists).to.equal(lists);
    expect(rec.errors).to.have.length(1);
    expect(cacheLines(informer)).to.deep.equal(serverLines());
  });

  it('after expireHistory a resumed watch gets 410 in-stream, and the informer relists by itself without an error', async () => {
    const { informer, rec } = await setup();
    const lists = h.server.stats.lists;

    h.server.expireHistory();
    h.server.endWatches();

    await waitFor('relist and new watch', () => h.server.stats.lists === lists + 1 && h.server.openWatches === 1);
    expect(h.server.stats.expiredWatches).to.equal(1);
    expect(rec.errors).to.deep.equal([]);
    expect(h.server.stats.recent.slice(-3)).to.deep.equal([
      'GET /api/v1/services?watch=true&resourceVersion=2',
      'GET /api/v1/services',
      'GET /api/v1/services?watch=true&resourceVersion=3',
    ]);
    // Nothing changed, so the relist reports nothing (same resourceVersions).
    expect(rec.events).to.deep.equal([]);

    h.server.create(service('ns1', 'c'));
    await waitFor('add c', () => rec.events.length === 1);
    expect(cacheLines(informer)).to.deep.equal(serverLines());
  });

  it('a restart after expired history relists and reports what changed meanwhile, deletes included', async () => {
    const { informer, rec } = await setup();
    h.server.dropWatches();
    await waitFor('error handler', () => rec.errors.length === 1);
    changeWhileAway();
    h.server.expireHistory();

    await informer.start();

    await waitFor('relist', () => h.server.stats.lists === 2 && h.server.openWatches === 1);
    expect(h.server.stats.expiredWatches).to.equal(1);
    // The relist diff: deleteItems() fires first for objects gone from the list, then add/update.
    expect(rec.events).to.deep.equal(['delete ns1/b 2', 'update ns1/a 3', 'add ns1/c 5']);
    expect(rec.errors).to.have.length(1);
    expect(cacheLines(informer)).to.deep.equal(serverLines());
  });

  it('a history window shorter than the outage also forces a relist', async () => {
    const { informer, rec } = await setup({ historyLimit: 2 });
    h.server.dropWatches();
    await waitFor('error handler', () => rec.errors.length === 1);
    changeWhileAway();

    await informer.start();

    await waitFor('relist', () => h.server.stats.lists === 2 && h.server.openWatches === 1);
    expect(h.server.stats.expiredWatches).to.equal(1);
    expect(cacheLines(informer)).to.deep.equal(serverLines());
  });

  it('refused connections surface as errors: Premature close for the open watch, ECONNREFUSED on restart', async () => {
    const { informer, rec } = await setup();
    const url = h.server.url;

    await h.server.refuseConnections(true);
    await waitFor('error for the cut watch', () => rec.errors.length === 1);
    expect(errorCode(rec.errors[0])).to.equal('ERR_STREAM_PREMATURE_CLOSE');

    // The informer still has a resourceVersion, so start() goes straight to the watch request.
    await informer.start();
    await waitFor('error for the refused watch', () => rec.errors.length === 2);
    expect((rec.errors[1] as Error).name).to.equal('FetchError');
    expect(errorCode(rec.errors[1])).to.equal('ECONNREFUSED');
    expect(h.server.openWatches).to.equal(0);

    changeWhileAway();
    await h.server.refuseConnections(false);
    expect(h.server.url).to.equal(url);
    await informer.start();
    await waitFor('replayed events', () => rec.events.length === 3);
    expect(rec.errors).to.have.length(2);
    expect(cacheLines(informer)).to.deep.equal(serverLines());
  });

  it('an informer started while connections are refused reports the failed list and stays stopped', async () => {
    h = await startHarness();
    h.server.create(service('ns1', 'a'));
    await h.server.refuseConnections(true);
    const informer = h.informer<V1Service>('/api/v1/services', () => h.core.listServiceForAllNamespaces());
    const rec = record(informer);

    await informer.start();

    expect(rec.errors).to.have.length(1);
    expect(errorCode(rec.errors[0])).to.equal('ECONNREFUSED');
    expect(rec.connects).to.equal(1);
    expect(informer.list()).to.deep.equal([]);

    await h.server.refuseConnections(false);
    await informer.start();
    expect(cacheLines(informer)).to.deep.equal(serverLines());
    expect(rec.errors).to.have.length(1);
  });

  it('HTTP errors stop the informer: the list rejects with ApiException code 503, a watch with statusCode 503', async () => {
    const { informer, rec } = await setup();
    h.server.failRequests(503);

    // Watch request fails with a non-200 status.
    h.server.endWatches();
    await waitFor('watch error', () => rec.errors.length === 1);
    expect((rec.errors[0] as { statusCode?: number }).statusCode).to.equal(503);
    expect((rec.errors[0] as Error).message).to.equal('Service Unavailable');

    // The list function rejects too (seen on a fresh informer, which has to list first).
    const fresh = h.informer<V1Service>('/api/v1/services', () => h.core.listServiceForAllNamespaces());
    const freshRec = record(fresh);
    await fresh.start();
    expect(freshRec.errors).to.have.length(1);
    expect((freshRec.errors[0] as { code?: number }).code).to.equal(503);

    h.server.failRequests(undefined);
    await informer.start();
    await fresh.start();
    expect(cacheLines(informer)).to.deep.equal(serverLines());
    expect(cacheLines(fresh)).to.deep.equal(serverLines());
  });

  it('stop() makes the error handler fire once more, with an AbortError, after stop() resolved', async () => {
    const { informer, rec } = await setup();

    await informer.stop();
    await waitFor('abort error', () => rec.errors.length === 1);
    expect((rec.errors[0] as Error).name).to.equal('AbortError');
    await sleep(100);
    expect(rec.errors).to.have.length(1);
    expect(h.server.openWatches).to.equal(0);
  });

  it('start() on a running informer replaces its watch and reports an AbortError for the old one', async () => {
    const { informer, rec } = await setup();

    await informer.start();

    await waitFor('abort error', () => rec.errors.length === 1);
    expect((rec.errors[0] as Error).name).to.equal('AbortError');
    // A restart-on-error loop that does not ignore AbortError would restart forever here.
    await waitFor('one watch', () => h.server.openWatches === 1);
    h.server.create(service('ns1', 'c'));
    await waitFor('add c', () => rec.events.length === 1);
    expect(h.server.stats.watches).to.equal(2);
    expect(rec.errors).to.have.length(1);
  });

  it('latency delays the list and the watch headers, so start() takes at least twice as long', async () => {
    h = await startHarness();
    h.server.setLatency(150);
    const informer = h.informer<V1Service>('/api/v1/services', () => h.core.listServiceForAllNamespaces());
    const began = Date.now();
    await informer.start();
    expect(Date.now() - began).to.be.at.least(300);
    h.server.setLatency(0);
  });
});
