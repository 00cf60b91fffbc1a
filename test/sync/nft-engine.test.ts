import { expect } from 'chai';
import { NftEngine } from '../../src/sync/nft-engine.js';
import { ClusterStore } from '../../src/sync/store.js';
import { CTX, recorder, sliceObject, svcObject } from './helpers.js';

function bigStore(n: number): ClusterStore {
  const store = new ClusterStore('node-a');
  for (let i = 0; i < n; i++) {
    store.upsert(svcObject(i));
    store.upsert(sliceObject(i, 10));
  }
  store.takeDirty();
  return store;
}

describe('nftables engine (incremental transactions)', () => {
  it('one endpoint change among 10,000 services sends only that service\'s elements', async () => {
    const store = bigStore(10_000);
    const { exec, calls } = recorder();
    const engine = new NftEngine(exec);
    const first = await engine.sync(store, CTX, new Set(), true);
    expect(first.mode).to.equal('replace');
    expect(first.elements).to.be.greaterThan(100_000);

    store.upsert(sliceObject(4242, 9)); // one endpoint gone
    const batch = store.takeDirty();
    expect([...batch.services]).to.deep.equal(['ns/svc-4242']);
    const out = await engine.sync(store, CTX, batch.services, false);
    expect(out.mode).to.equal('partial');
    const lines = out.transaction.trim().split('\n');
    for (const line of lines) expect(line).to.match(/10\.96\.16\.146 |10\.244\.\d+\.\d+ \. 10\.244|^(add|delete) chain ip proxyctl (lb-9|lb-10)$|^add rule ip proxyctl lb-9 /);
    expect(out.transaction).to.contain('add element ip proxyctl service-ips { 10.96.16.146 . tcp . 80 comment "ns/svc-4242/tcp/80" : goto lb-9 }');
    expect(out.transaction).to.contain('delete element ip proxyctl endpoints { 10.96.16.146 . tcp . 80 . 9 }');
    expect(lines.length).to.be.lessThan(20);
    expect(calls.at(-1)).to.deep.include({ cmd: 'nft', args: ['-f', '-'] });
  });

  it('a new endpoint count adds its chain before the elements that jump to it, and drops unused ones after', async () => {
    const store = new ClusterStore('node-a');
    store.upsert(svcObject(1));
    store.upsert(sliceObject(1, 2));
    const engine = new NftEngine(recorder().exec);
    await engine.sync(store, CTX, store.takeDirty().services, true);
    store.upsert(sliceObject(1, 3));
    const out = await engine.sync(store, CTX, store.takeDirty().services, false);
    const text = out.transaction;
    expect(text.indexOf('add chain ip proxyctl lb-3')).to.be.lessThan(text.indexOf('goto lb-3'));
    expect(text.indexOf('delete element ip proxyctl service-ips')).to.be.lessThan(text.indexOf('delete chain ip proxyctl lb-2'));
  });

  it('a deleted service removes its elements; nothing changed sends nothing', async () => {
    const store = new ClusterStore('node-a');
    store.upsert(svcObject(1));
    store.upsert(sliceObject(1, 1));
    const { exec, calls } = recorder();
    const engine = new NftEngine(exec);
    await engine.sync(store, CTX, store.takeDirty().services, true);
    store.upsert(svcObject(1)); // same content again
    const same = await engine.sync(store, CTX, store.takeDirty().services, false);
    expect(same.transaction).to.equal('');
    expect(calls).to.have.length(1);
    store.remove(svcObject(1));
    const gone = await engine.sync(store, CTX, store.takeDirty().services, false);
    expect(gone.transaction).to.contain('delete element ip proxyctl service-ips { 10.96.0.1 . tcp . 80 }');
    expect(gone.transaction).to.contain('delete chain ip proxyctl lb-1');
  });

  it('after a failed apply the next sync replaces the tables whole; periodic syncs refresh and keep affinity', async () => {
    const store = new ClusterStore('node-a');
    store.upsert(svcObject(1));
    store.upsert(sliceObject(1, 1));
    let fail = false;
    const { exec } = recorder(() => (fail ? { exitCode: 1, stderr: '/dev/stdin:3:1-20: Error: Could not process rule' } : { exitCode: 0 }));
    const engine = new NftEngine(exec);
    await engine.sync(store, CTX, store.takeDirty().services, true);
    const refresh = await engine.sync(store, CTX, new Set(), true);
    expect(refresh.mode).to.equal('refresh');
    expect(refresh.transaction).not.to.match(/flush map ip proxyctl affinity$/m);
    expect(refresh.transaction).to.match(/flush map ip proxyctl affinity-services$/m);
    expect(refresh.transaction).not.to.contain('delete table');
    fail = true;
    store.upsert(sliceObject(1, 2));
    let error: unknown;
    await engine.sync(store, CTX, store.takeDirty().services, false).catch((e) => (error = e));
    expect(String(error)).to.contain('Could not process rule');
    fail = false;
    const retry = await engine.sync(store, CTX, new Set(), false);
    expect(retry.mode).to.equal('replace');
    expect(retry.transaction).to.contain('delete table ip proxyctl');
  });
});
