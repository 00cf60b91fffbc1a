import { expect } from 'chai';
import type { ProxyEngine, SyncOutcome } from '../../src/sync/engine.js';
import { SyncLoop } from '../../src/sync/loop.js';
import { ClusterStore } from '../../src/sync/store.js';
import { CTX, sliceObject, svcObject } from './helpers.js';

const OUTCOME: SyncOutcome = { mode: 'partial', transaction: '', elements: 0, chains: 0, counts: [] };

function fakeEngine(behaviour: { failTimes?: number; delayMs?: number } = {}) {
  const calls: { services: string[]; full: boolean }[] = [];
  let failures = behaviour.failTimes ?? 0;
  let distrusted = 0;
  const engine: ProxyEngine = {
    async sync(_store, _ctx, dirty, full) {
      calls.push({ services: [...dirty].sort(), full });
      await new Promise((r) => setTimeout(r, behaviour.delayMs ?? 0));
      if (failures-- > 0) throw new Error('nft: Could not process rule');
      return OUTCOME;
    },
    async verify() {
      return true;
    },
    distrust() {
      distrusted++;
    },
  };
  return { engine, calls, distrusted: () => distrusted };
}

const TIMING = { coalesceMs: 0, minSyncPeriodMs: 0, syncPeriodMs: 60_000, verifyPeriodMs: 60_000, backoffMinMs: 10, backoffMaxMs: 40 };
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('sync loop', () => {
  it('does not sync a half-listed store: events before start() only fill it', async () => {
    const store = new ClusterStore('node-a');
    const { engine, calls } = fakeEngine();
    const loop = new SyncLoop(store, engine, TIMING, { context: () => CTX });
    store.upsert(svcObject(1));
    loop.notify();
    await wait(30);
    expect(calls).to.deep.equal([]);
    store.upsert(sliceObject(1, 1));
    loop.start();
    await loop.firstSync;
    expect(calls[0]).to.deep.equal({ services: ['ns/svc-1'], full: true });
    await loop.stop();
  });

  it('absorbs a burst of 1,000 changes in a handful of transactions while one is in flight', async () => {
    const store = new ClusterStore('node-a');
    const { engine, calls } = fakeEngine({ delayMs: 20 });
    const loop = new SyncLoop(store, engine, TIMING, { context: () => CTX });
    loop.start();
    await loop.firstSync;
    for (let i = 0; i < 1000; i++) {
      store.upsert(sliceObject(i, 2));
      loop.notify();
      if (i % 100 === 0) await wait(5);
    }
    await wait(200);
    await loop.stop();
    const partials = calls.slice(1);
    expect(partials.flatMap((c) => c.services)).to.have.length(1000);
    expect(partials.length).to.be.at.most(15);
  });

  it('after a failure retries with a full sync and backoff, and reports the failure', async () => {
    const store = new ClusterStore('node-a');
    const { engine, calls, distrusted } = fakeEngine({ failTimes: 2 });
    const failures: number[] = [];
    const loop = new SyncLoop(store, engine, TIMING, { context: () => CTX, onFailed: (_e, n) => failures.push(n) });
    loop.start();
    await loop.firstSync;
    await loop.stop();
    expect(failures).to.deep.equal([1, 2]);
    expect(calls.map((c) => c.full)).to.deep.equal([true, true, true]);
    expect(distrusted()).to.equal(2);
  });
});

describe('sync loop concurrency', () => {
  it('never runs two syncs at once, even with a resync period shorter than a sync', async () => {
    const store = new ClusterStore('node-a');
    let running = 0;
    let maxRunning = 0;
    let syncs = 0;
    const engine: ProxyEngine = {
      async sync() {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await wait(30);
        running--;
        syncs++;
        return OUTCOME;
      },
      async verify() {
        return false; // every check asks for a repair too
      },
      distrust() {},
    };
    const loop = new SyncLoop(store, engine, { ...TIMING, syncPeriodMs: 5, verifyPeriodMs: 7 }, { context: () => CTX });
    loop.start();
    for (let i = 0; i < 20; i++) {
      store.upsert(sliceObject(i, 1));
      loop.notify();
      await wait(3);
    }
    await wait(100);
    await loop.stop();
    expect(syncs).to.be.greaterThan(2);
    expect(maxRunning).to.equal(1);
  });
});
