import { expect } from 'chai';
import { realExecutor } from '../../src/sync/exec.js';
import { IptEngine, splitArgs } from '../../src/sync/ipt-engine.js';
import { hashName } from '../../src/backends/iptables/names.js';
import { ClusterStore } from '../../src/sync/store.js';
import { nsRun } from '../kernel/exec.js';
import { describeKernel } from '../kernel/kernel-gate.js';
import { addNamespace, createLab, destroyLab, type Lab } from '../kernel/netns.js';
import { CTX, sliceObject, svcObject } from './helpers.js';

describe('iptables engine helpers', () => {
  it('splits rules like iptables-restore, keeping quoted comments whole', () => {
    expect(splitArgs('PREROUTING -m comment --comment "proxyctl service portals" -j PROXYCTL-SERVICES'))
      .to.deep.equal(['PREROUTING', '-m', 'comment', '--comment', 'proxyctl service portals', '-j', 'PROXYCTL-SERVICES']);
  });
});

describeKernel('iptables engine against the kernel @kernel', () => {
  let lab: Lab;
  let ns: string;
  const save = async (table: string) => (await nsRun(ns, 'iptables-save', ['-t', table])).stdout;

  beforeEach(async () => {
    lab = createLab();
    ns = await addNamespace(lab, 'ipt');
  });
  afterEach(async () => destroyLab(lab));

  it('full then partial syncs: only changed chains are sent, hooks exist once, stale chains are removed', async () => {
    const store = new ClusterStore('node-a');
    for (let i = 1; i <= 20; i++) {
      store.upsert(svcObject(i));
      store.upsert(sliceObject(i, 2));
    }
    const engine = new IptEngine(realExecutor(['ip', 'netns', 'exec', ns]), ['ipv4']);
    await engine.sync(store, CTX, store.takeDirty().services, true);
    await engine.sync(store, CTX, new Set(), true); // a second full sync must not duplicate hooks
    const nat = await save('nat');
    expect(nat.match(/-A PREROUTING .*-j PROXYCTL-SERVICES/g)).to.have.length(1);
    expect(nat).to.contain('-d 10.96.0.7/32 -p tcp -m tcp --dport 80');

    store.upsert(sliceObject(7, 3));
    store.remove(svcObject(8));
    const partial = await engine.sync(store, CTX, store.takeDirty().services, false);
    expect(partial.mode).to.equal('partial');
    const svcChains = partial.transaction.split('\n').filter((l) => l.startsWith(':PXC-'));
    expect(svcChains.length).to.be.lessThan(8); // svc-7's chains and svc-8's stale ones, not all 20 services
    const after = await save('nat');
    expect(after).not.to.contain('-d 10.96.0.8/32');
    const svc7 = hashName('SVC', 'ns/svc-7/tcp/80');
    expect(after.split('\n').filter((l) => l.startsWith(`-A ${svc7} `))).to.have.length(3);
  });

  it('notices `iptables -t nat -F` and restores the rules with a full sync', async () => {
    const store = new ClusterStore('node-a');
    store.upsert(svcObject(1));
    store.upsert(sliceObject(1, 1));
    const engine = new IptEngine(realExecutor(['ip', 'netns', 'exec', ns]), ['ipv4']);
    await engine.sync(store, CTX, store.takeDirty().services, true);
    expect(await engine.verify()).to.equal(true);
    await nsRun(ns, 'iptables', ['-t', 'nat', '-F']);
    expect(await engine.verify()).to.equal(false);
    engine.distrust();
    await engine.sync(store, CTX, new Set(), true);
    expect(await engine.verify()).to.equal(true);
    expect(await save('nat')).to.contain('-d 10.96.0.1/32 -p tcp -m tcp --dport 80');
  });
});
