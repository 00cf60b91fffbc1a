import { expect } from 'chai';
import { renderIptables } from '../../src/backends/iptables/render.js';
import { planServices } from '../../src/proxy/plan.js';
import { realExecutor } from '../../src/sync/exec.js';
import { IptEngine } from '../../src/sync/ipt-engine.js';
import { ClusterStore } from '../../src/sync/store.js';
import { nsRun } from '../kernel/exec.js';
import { describeKernel } from '../kernel/kernel-gate.js';
import { namespacePerTest } from '../kernel/netns.js';
import { tablesOf } from './ipt-fake.js';
import { CTX, sliceObject, svcObject } from './helpers.js';

/** Chain → rule count of our chains, as the kernel lists them. */
async function ourChains(ns: string): Promise<Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, number>> = {};
  for (const table of ['nat', 'filter']) {
    const saved = (await nsRun(ns, 'iptables-save', ['-t', table])).stdout;
    const counts: Record<string, number> = {};
    for (const line of saved.split('\n')) {
      if (line.startsWith(':PXC-') || line.startsWith(':PROXYCTL-')) counts[line.slice(1, line.indexOf(' '))] ??= 0;
      const m = /^-A ((?:PXC|PROXYCTL)-\S+) /.exec(line);
      if (m) counts[m[1]] = (counts[m[1]] ?? 0) + 1;
    }
    out[table] = Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : 1)));
  }
  return out;
}

function expectedChains(transaction: string): Record<string, Record<string, number>> {
  const tables = tablesOf(transaction);
  const out: Record<string, Record<string, number>> = {};
  for (const [t, chains] of Object.entries(tables)) out[t] = Object.fromEntries(Object.entries(chains).map(([c, r]) => [c, r.length]));
  return out;
}

/** Chain → rule count of a fresh render of the store (IPv4). */
function renderedRestore(store: ClusterStore): string {
  const state = { services: [...store.services.values()], slices: store.allServiceKeys().flatMap((k) => store.slicesOf(k)), nodes: [] };
  return renderIptables(planServices(state, CTX).families.find((f) => f.family === 'ipv4')!, CTX.nodeName);
}

function renderedChains(store: ClusterStore): Record<string, Record<string, number>> {
  return expectedChains(renderedRestore(store));
}

describeKernel('iptables engine at scale against the kernel @kernel', () => {
  let ns: string;
  namespacePerTest('iptscale', (created) => (ns = created));

  it('large full syncs (listed first) and a dispatch-chain rewrite load, and the kernel holds exactly our chains', async () => {
    const store = new ClusterStore('node-a');
    for (let i = 1; i <= 1500; i++) {
      store.upsert(svcObject(i));
      store.upsert(sliceObject(i, 4));
    }
    const engine = new IptEngine(realExecutor(['ip', 'netns', 'exec', ns]), ['ipv4']);
    const first = await engine.sync(store, CTX, store.takeDirty().services, true);
    expect(first.transaction.split('\n')).to.include('-S');
    expect(await ourChains(ns)).to.deep.equal(expectedChains(first.transaction));

    store.remove(svcObject(3)); // its dispatch lines deleted (-D), its chain removed
    const partial = await engine.sync(store, CTX, store.takeDirty().services, false);
    expect(partial.mode).to.equal('partial');
    expect(partial.transaction).to.match(/^-D PROXYCTL-SERVICES /m);
    expect(await ourChains(ns)).to.deep.equal(renderedChains(store));

    store.upsert(svcObject(3)); // and back (-I where the full render puts it)
    store.upsert(svcObject(1501, { type: 'NodePort', ports: [{ name: 'http', port: 80, targetPort: 8080, nodePort: 31501 }] }));
    store.upsert(sliceObject(1501, 3));
    const back = await engine.sync(store, CTX, store.takeDirty().services, false);
    expect(back.transaction).to.match(/^-I PROXYCTL-SERVICES [1-9]\d* /m);
    expect(await ourChains(ns)).to.deep.equal(renderedChains(store));
    const dispatch = (await nsRun(ns, 'iptables', ['-t', 'nat', '-S', 'PROXYCTL-SERVICES'])).stdout.trim().split('\n');
    expect(dispatch.at(-1)).to.contain('-j PROXYCTL-NODEPORTS');
    // The kernel's dispatch chain reads line for line as the full render writes it.
    const rendered = renderedRestore(store).split('\n').filter((l) => l.startsWith('-A PROXYCTL-SERVICES '));
    expect(dispatch.filter((l) => l.startsWith('-A '))).to.deep.equal(rendered);

    const again = await engine.sync(store, CTX, new Set(), true); // into the loaded table
    expect(await ourChains(ns)).to.deep.equal(expectedChains(again.transaction));
    expect(Object.keys((await ourChains(ns)).nat).filter((c) => c.startsWith('PXC-SVC-'))).to.have.length(1501);
  });
});
