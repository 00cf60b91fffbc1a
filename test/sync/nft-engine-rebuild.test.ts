import { expect } from 'chai';
import { NftEngine } from '../../src/sync/nft-engine.js';
import { ClusterStore } from '../../src/sync/store.js';
import { CTX, recorder, sliceObject, svcObject } from './helpers.js';

/** The first sync builds its state in one pass; it must equal what service-by-service changes build. */
describe('nftables engine rebuild', () => {
  const objects = () => {
    const out: Record<string, unknown>[] = [];
    // Endpoint counts 1..4, a shared ClusterIP (a conflict) and shared endpoint addresses (hairpin).
    for (let i = 0; i < 12; i++) out.push(svcObject(i), sliceObject(i, (i % 4) + 1));
    out.push(svcObject(99, { clusterIP: '10.96.0.3' }), sliceObject(99, 2));
    return out;
  };

  it('holds the same elements and chains as a store filled one change at a time', async () => {
    const full = new ClusterStore('node-a');
    for (const o of objects()) full.upsert(o);
    const rebuilt = new NftEngine(recorder().exec);
    await rebuilt.sync(full, CTX, full.takeDirty().services, true);

    const stepwise = new ClusterStore('node-a');
    const incremental = new NftEngine(recorder().exec);
    await incremental.sync(stepwise, CTX, stepwise.takeDirty().services, true);
    for (const o of objects()) {
      stepwise.upsert(o);
      await incremental.sync(stepwise, CTX, stepwise.takeDirty().services, false);
    }

    const a = await rebuilt.sync(full, CTX, new Set(), true);
    const b = await incremental.sync(stepwise, CTX, new Set(), true);
    expect(a.mode).to.equal('refresh');
    expect(a.transaction).to.equal(b.transaction);
    expect(a.elements).to.equal(b.elements);
    expect(a.transaction).to.contain('chain lb-4');
  });

  it('counts chain targets during the rebuild: the last user of a chain going away deletes it', async () => {
    const store = new ClusterStore('node-a');
    for (const o of objects()) store.upsert(o);
    const engine = new NftEngine(recorder().exec);
    await engine.sync(store, CTX, store.takeDirty().services, true);
    for (const i of [3, 7, 11]) store.remove(svcObject(i)); // every service with 4 endpoints
    const out = await engine.sync(store, CTX, store.takeDirty().services, false);
    expect(out.mode).to.equal('partial');
    expect(out.transaction).to.contain('delete chain ip proxyctl lb-4');
    expect(out.transaction).not.to.contain('delete chain ip proxyctl lb-3');
  });
});
