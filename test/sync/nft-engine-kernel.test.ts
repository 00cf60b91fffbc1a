import { expect } from 'chai';
import { realExecutor } from '../../src/sync/exec.js';
import { NftEngine } from '../../src/sync/nft-engine.js';
import { ClusterStore } from '../../src/sync/store.js';
import { nsRun } from '../kernel/exec.js';
import { describeKernel } from '../kernel/kernel-gate.js';
import { addNamespace, createLab, destroyLab, type Lab } from '../kernel/netns.js';
import { CTX, sliceObject, svcObject } from './helpers.js';

describeKernel('nftables engine against the kernel @kernel', () => {
  let lab: Lab;
  let ns: string;
  const nft = async (...args: string[]) => (await nsRun(ns, 'nft', args)).stdout;

  beforeEach(async () => {
    lab = createLab();
    ns = await addNamespace(lab, 'engine');
  });
  afterEach(async () => destroyLab(lab));

  function setup(n: number) {
    const store = new ClusterStore('node-a');
    for (let i = 1; i <= n; i++) {
      store.upsert(svcObject(i, i === 1 ? { sessionAffinity: 'ClientIP' } : {}));
      store.upsert(sliceObject(i, 2));
    }
    const engine = new NftEngine(realExecutor(['ip', 'netns', 'exec', ns]));
    return { store, engine };
  }

  it('applies full, partial and refresh transactions that the kernel accepts, keeping affinity entries', async () => {
    const { store, engine } = setup(50);
    await engine.sync(store, CTX, store.takeDirty().services, true);
    expect(await nft('list', 'map', 'ip', 'proxyctl', 'service-ips')).to.contain('10.96.0.7 . tcp . 80 comment "ns/svc-7/tcp/80" : goto lb-2');

    store.upsert(sliceObject(7, 3));
    store.remove(svcObject(8));
    const partial = await engine.sync(store, CTX, store.takeDirty().services, false);
    expect(partial.mode).to.equal('partial');
    const map = await nft('list', 'map', 'ip', 'proxyctl', 'service-ips');
    expect(map).to.contain('10.96.0.7 . tcp . 80 comment "ns/svc-7/tcp/80" : goto lb-3');
    expect(map).not.to.contain('10.96.0.8 ');
    expect(await nft('list', 'chain', 'ip', 'proxyctl', 'lb-3')).to.contain('numgen random mod 3');

    // An affinity entry the kernel learnt must survive the periodic refresh.
    await nft('add', 'element', 'ip', 'proxyctl', 'affinity', '{ 10.244.9.9 . 10.96.0.1 . tcp . 80 timeout 1h : 10.244.0.9 . 8080 }');
    const refresh = await engine.sync(store, CTX, new Set(), true);
    expect(refresh.mode).to.equal('refresh');
    expect(await nft('list', 'map', 'ip', 'proxyctl', 'affinity')).to.contain('10.244.9.9 . 10.96.0.1 . tcp . 80');
    expect(await engine.verify()).to.equal(true);
  });

  it('forgets affinity entries that point at a removed endpoint, and keeps the others', async () => {
    const { store, engine } = setup(3);
    await engine.sync(store, CTX, store.takeDirty().services, true);
    const eps = (await nft('list', 'map', 'ip', 'proxyctl', 'endpoints')).match(/10\.96\.0\.1 \. tcp \. 80 \. [01] : (\S+) \. 8080/g)!.map((l) => l.split(' : ')[1]);
    expect(eps).to.have.length(2);
    await nft('add', 'element', 'ip', 'proxyctl', 'affinity', `{ 10.244.9.1 . 10.96.0.1 . tcp . 80 timeout 1h : ${eps[0]}, 10.244.9.2 . 10.96.0.1 . tcp . 80 timeout 1h : ${eps[1]} }`);
    // svc-1 keeps only its first endpoint.
    const slice = sliceObject(1, 2) as { endpoints: unknown[] };
    slice.endpoints = slice.endpoints.filter((e) => JSON.stringify(e).includes(`"${eps[0].split(' ')[0]}"`));
    store.upsert(slice as Record<string, unknown>);
    await engine.sync(store, CTX, store.takeDirty().services, false);
    const affinity = await nft('list', 'map', 'ip', 'proxyctl', 'affinity');
    expect(affinity).to.contain('10.244.9.1 . 10.96.0.1 . tcp . 80');
    expect(affinity).not.to.contain('10.244.9.2 . 10.96.0.1');
  });

  it('notices a flushed ruleset or a flushed dispatch chain, and the next sync restores everything', async () => {
    const { store, engine } = setup(5);
    await engine.sync(store, CTX, store.takeDirty().services, true);
    await nft('flush', 'chain', 'ip', 'proxyctl', 'services');
    expect(await engine.verify()).to.equal(false);
    engine.distrust();
    await engine.sync(store, CTX, new Set(), true);
    expect(await engine.verify()).to.equal(true);

    await nft('flush', 'ruleset');
    expect(await engine.verify()).to.equal(false);
    engine.distrust();
    const repaired = await engine.sync(store, CTX, new Set(), true);
    expect(repaired.mode).to.equal('replace');
    expect(await nft('list', 'map', 'ip', 'proxyctl', 'service-ips')).to.contain('10.96.0.5 . tcp . 80');
  });

  it('a refused transaction leaves the previous rules in place', async () => {
    const { store, engine } = setup(3);
    await engine.sync(store, CTX, store.takeDirty().services, true);
    const before = await nft('list', 'table', 'ip', 'proxyctl');
    // A transaction the kernel refuses (a jump to a chain that does not exist) must change nothing.
    store.upsert(sliceObject(2, 1));
    const broken = new NftEngine({
      run: async (cmd, args, input) => realExecutor(['ip', 'netns', 'exec', ns]).run(cmd, args, input?.replace('goto lb-1', 'goto no-such-chain')),
    });
    let failed = false;
    await broken.sync(store, CTX, new Set(), true).catch(() => (failed = true));
    expect(failed).to.equal(true);
    expect(await nft('list', 'table', 'ip', 'proxyctl')).to.equal(before);
  });
});
