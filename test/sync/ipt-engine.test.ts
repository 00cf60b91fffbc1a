import { expect } from 'chai';
import { renderIptables } from '../../src/backends/iptables/render.js';
import { hashName } from '../../src/backends/iptables/names.js';
import { IptEngine } from '../../src/sync/ipt-engine.js';
import { planServices } from '../../src/proxy/plan.js';
import { ClusterStore } from '../../src/sync/store.js';
import { applyRestore, sorted, tablesOf, type Tables } from './ipt-fake.js';
import { CTX, recorder, sliceObject, svcObject } from './helpers.js';

const SERVICES = 3000;

function bigStore(): ClusterStore {
  const store = new ClusterStore('node-a');
  for (let i = 1; i <= SERVICES; i++) {
    store.upsert(svcObject(i, i % 10 === 0 ? { type: 'NodePort', ports: [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30000 + i / 10 }] } : {}));
    store.upsert(sliceObject(i, 4));
  }
  return store;
}

/** What a fresh render of the store gives for IPv4 (the `render --dry-run` path). */
function rendered(store: ClusterStore): string {
  const state = { services: [...store.services.values()], slices: store.allServiceKeys().flatMap((k) => store.slicesOf(k)), nodes: [] };
  return renderIptables(planServices(state, CTX).families.find((f) => f.family === 'ipv4')!, CTX.nodeName);
}

const restores = (calls: { cmd: string; input?: string }[]) => calls.filter((c) => c.cmd.endsWith('tables-restore'));
const declared = (input: string) => input.split('\n').filter((l) => l.startsWith(':')).map((l) => l.slice(1, l.indexOf(' ')));

describe('iptables engine: full and partial syncs', () => {
  it('a full sync writes exactly the rendered ruleset (hooks aside) and lists the table first when large', async () => {
    const store = bigStore();
    const { exec, calls } = recorder();
    const engine = new IptEngine(exec, ['ipv4']);
    const outcome = await engine.sync(store, CTX, store.takeDirty().services, true);
    expect(outcome.mode).to.equal('replace'); // the first sync: nothing trusted yet
    const [restore] = restores(calls);
    expect(restore.cmd).to.equal('iptables-restore');
    expect(restore.input!.split('\n').filter((l) => l === '-S')).to.have.length(2); // nat and filter
    expect(tablesOf(restore.input!)).to.deep.equal(tablesOf(rendered(store)));
    expect(restore.input!).not.to.match(/^-A (PREROUTING|OUTPUT|POSTROUTING|INPUT|FORWARD) /m);
    expect(declared(restore.input!)).to.deep.equal(declared(rendered(store)));
    expect(declared(restore.input!).filter((c) => c.startsWith('PXC-SVC-'))).to.have.length(SERVICES);
    expect(declared(restore.input!).filter((c) => c.startsWith('PXC-EXT-'))).to.have.length(SERVICES / 10);
    expect(outcome.counts[0].chains).to.equal(declared(restore.input!).length);
    expect(outcome.counts[0].rules).to.equal(restore.input!.split('\n').filter((l) => l.startsWith('-A ')).length + 3 + 9);
  });

  it('a full sync deletes our chains that are no longer wanted and leaves other chains alone', async () => {
    const store = new ClusterStore('node-a');
    store.upsert(svcObject(1));
    store.upsert(sliceObject(1, 2));
    const { exec, calls } = recorder((cmd, args) => (cmd === 'iptables-save' && args[1] === 'nat'
      ? { exitCode: 0, stdout: '*nat\n:PREROUTING ACCEPT [0:0]\n:KUBE-SERVICES - [0:0]\n:PXC-SVC-GONEGONEGONEGONE - [0:0]\n:PROXYCTL-POLICY-X - [0:0]\nCOMMIT\n' }
      : { exitCode: 0 }));
    await new IptEngine(exec, ['ipv4']).sync(store, CTX, store.takeDirty().services, false);
    const input = restores(calls)[0].input!;
    expect(input).to.contain('\n:PXC-SVC-GONEGONEGONEGONE - [0:0]\n');
    expect(input).to.contain('\n-X PXC-SVC-GONEGONEGONEGONE\n');
    expect(input).not.to.contain('KUBE-SERVICES');
    expect(input).not.to.contain('PROXYCTL-POLICY-X');
    expect(input).not.to.contain('\n-S\n'); // small: no need to list first
  });

  it('lists the kernel\'s chains when it cannot trust its memory, not on a periodic refresh', async () => {
    const store = new ClusterStore('node-a');
    store.upsert(svcObject(1));
    store.upsert(sliceObject(1, 2));
    const { exec, calls } = recorder();
    const engine = new IptEngine(exec, ['ipv4']);
    const saves = () => calls.filter((c) => c.cmd === 'iptables-save').length;
    await engine.sync(store, CTX, store.takeDirty().services, true);
    expect(saves()).to.equal(2); // nat and filter
    const refresh = await engine.sync(store, CTX, new Set(), true);
    expect(refresh.mode).to.equal('refresh');
    expect(saves()).to.equal(2);
    expect(restores(calls)[1].input).to.equal(restores(calls)[0].input); // still every chain
    engine.distrust();
    expect((await engine.sync(store, CTX, new Set(), true)).mode).to.equal('replace');
    expect(saves()).to.equal(4);
  });

  it('one endpoint change among thousands of services sends only that service\'s chains, for its family only', async () => {
    const store = bigStore();
    const { exec, calls } = recorder();
    const engine = new IptEngine(exec, ['ipv4', 'ipv6']);
    await engine.sync(store, CTX, store.takeDirty().services, true);
    calls.length = 0;

    store.upsert(sliceObject(7, 5)); // a fifth endpoint, on node-a, at an address other services' endpoints already use
    const outcome = await engine.sync(store, CTX, store.takeDirty().services, false);
    expect(outcome.mode).to.equal('partial');
    expect(calls.map((c) => c.cmd)).to.deep.equal(['iptables-restore']); // nothing for IPv6, no listing, no hooks
    const input = calls[0].input!;
    const svc7 = hashName('SVC', 'ns/svc-7/tcp/80');
    expect(declared(input)).to.deep.equal([svc7]);
    expect(input.split('\n').filter((l) => l.startsWith('-A '))).to.deep.equal([
      `-A ${svc7} -m statistic --mode random --probability 0.2000000000 -p tcp -j DNAT --to-destination 10.244.0.51:8080`,
      `-A ${svc7} -m statistic --mode random --probability 0.2500000000 -p tcp -j DNAT --to-destination 10.244.0.53:8080`,
      `-A ${svc7} -m statistic --mode random --probability 0.3333333333 -p tcp -j DNAT --to-destination 10.244.0.55:8080`,
      `-A ${svc7} -m statistic --mode random --probability 0.5000000000 -p tcp -j DNAT --to-destination 10.244.1.52:8080`,
      `-A ${svc7} -p tcp -j DNAT --to-destination 10.244.1.54:8080`,
    ]);
    expect(input.split('\n')).not.to.include('-S');
  });

  it('a local endpoint at a new address rewrites only its /24 hairpin chain; a new /24 also the dispatch chain', async () => {
    const store = bigStore();
    const { exec, calls } = recorder();
    const engine = new IptEngine(exec, ['ipv4']);
    await engine.sync(store, CTX, store.takeDirty().services, true);
    calls.length = 0;
    const svc7 = hashName('SVC', 'ns/svc-7/tcp/80');
    const at = (ip: string) => {
      const slice = sliceObject(7, 1) as { endpoints: { addresses: string[] }[] };
      slice.endpoints[0].addresses = [ip];
      return slice;
    };
    const sync = async () => {
      await engine.sync(store, CTX, store.takeDirty().services, false);
      return restores(calls).at(-1)!.input!;
    };
    const group0 = hashName('HP', '10.244.0.0/24');
    const group9 = hashName('HP', '10.244.9.0/24');

    store.upsert(at('10.244.0.253')); // unused address, in the /24 other local endpoints use
    let input = await sync();
    expect(declared(input)).to.deep.equal([svc7, group0]);
    expect(input).to.contain(`\n-A ${group0} -s 10.244.0.253/32 -d 10.244.0.253/32 -j PROXYCTL-MARK-MASQ\n`);
    const group0Rules = input.split('\n').filter((l) => l.startsWith(`-A ${group0} `));
    expect(new Set(group0Rules).size).to.equal(group0Rules.length);

    store.upsert(at('10.244.9.9')); // a /24 of its own: leaves group 0, a new group and its jump
    input = await sync();
    expect(declared(input)).to.deep.equal([svc7, group0, group9, 'PROXYCTL-HAIRPIN']);
    expect(input).to.contain(`\n-A PROXYCTL-HAIRPIN -s 10.244.9.0/24 -j ${group9}\n`);
    expect(input.split('\n').filter((l) => l.startsWith(`-A ${group0} `))).to.have.length(group0Rules.length - 1);

    store.upsert(sliceObject(7, 4)); // back to addresses others use: group 9 goes
    input = await sync();
    expect(declared(input)).to.deep.equal([svc7, 'PROXYCTL-HAIRPIN', group9]);
    expect(input).to.contain(`\n-X ${group9}\n`);
    expect(input).not.to.contain('10.244.9.');
  });

  it('a service that goes or comes back edits only its own lines of the dispatch chain', async () => {
    const store = bigStore();
    const { exec, calls } = recorder();
    const engine = new IptEngine(exec, ['ipv4']);
    await engine.sync(store, CTX, store.takeDirty().services, true);
    calls.length = 0;
    store.remove(svcObject(12));
    await engine.sync(store, CTX, store.takeDirty().services, false);
    const input = restores(calls)[0].input!;
    // Its dispatch lines are deleted, not the whole chain rewritten; its local endpoints' addresses are
    // other services' too, so the hairpin chains stay.
    const svc12 = hashName('SVC', 'ns/svc-12/tcp/80');
    expect(declared(input)).to.deep.equal([svc12]);
    expect(input.split('\n').filter((l) => !l.startsWith(':'))).to.deep.equal([
      '*nat',
      '-D PROXYCTL-SERVICES -d 10.96.0.12/32 -p tcp -m tcp --dport 80 -j PROXYCTL-OFF-CLUSTER',
      `-D PROXYCTL-SERVICES -d 10.96.0.12/32 -p tcp -m tcp --dport 80 -m comment --comment "ns/svc-12/tcp/80 cluster IP" -j ${svc12}`,
      `-X ${svc12}`,
      'COMMIT',
      '',
    ]);

    store.upsert(svcObject(12)); // back, with its endpoints: inserted where the full render puts them
    await engine.sync(store, CTX, store.takeDirty().services, false);
    const back = restores(calls)[1].input!;
    expect(declared(back)).to.deep.equal([svc12]);
    const full = tablesOf(rendered(store)).nat['PROXYCTL-SERVICES'];
    const at = full.indexOf('-A PROXYCTL-SERVICES -d 10.96.0.12/32 -p tcp -m tcp --dport 80 -j PROXYCTL-OFF-CLUSTER') + 1;
    expect(at).to.be.greaterThan(1);
    expect(back.split('\n').filter((l) => l.startsWith('-I ') || l.startsWith('-D '))).to.deep.equal([
      `-I PROXYCTL-SERVICES ${at} -d 10.96.0.12/32 -p tcp -m tcp --dport 80 -j PROXYCTL-OFF-CLUSTER`,
      `-I PROXYCTL-SERVICES ${at + 1} -d 10.96.0.12/32 -p tcp -m tcp --dport 80 -m comment --comment "ns/svc-12/tcp/80 cluster IP" -j ${svc12}`,
    ]);
    expect(back.split('\n')).not.to.include('-S');
  });

  it('after any series of partial syncs the kernel holds what a fresh render gives', async () => {
    const store = bigStore();
    const { exec, calls } = recorder();
    const engine = new IptEngine(exec, ['ipv4']);
    const kernel: Tables = new Map();
    const replay = () => {
      for (const c of restores(calls)) applyRestore(kernel, c.input!);
      calls.length = 0;
    };
    await engine.sync(store, CTX, store.takeDirty().services, true);
    replay();
    const steps: (() => void)[] = [
      () => store.upsert(sliceObject(3, 1)),
      () => store.remove(sliceObject(4, 4)),
      () => store.upsert(sliceObject(4, 2)),
      () => store.remove(svcObject(5)),
      () => store.upsert(svcObject(SERVICES + 1, { type: 'NodePort', ports: [{ name: 'http', port: 80, targetPort: 8080, nodePort: 32000 }] })),
      () => store.upsert(sliceObject(SERVICES + 1, 3)),
      () => store.upsert(svcObject(9, { sessionAffinity: 'ClientIP' })),
      () => store.upsert(svcObject(5)),
      () => store.remove(sliceObject(10, 4)), // a NodePort service loses its endpoints: rejects instead
    ];
    for (const step of steps) {
      step();
      const outcome = await engine.sync(store, CTX, store.takeDirty().services, false);
      expect(outcome.mode).to.equal('partial');
      replay();
      // Line for line, dispatch chains included: partial syncs insert lines where the full render puts them.
      expect(sorted(kernel)).to.deep.equal(tablesOf(rendered(store)));
      const services = kernel.get('nat')!.get('PROXYCTL-SERVICES')!;
      expect(services.at(-1)).to.contain('-j PROXYCTL-NODEPORTS'); // NodePort dispatch stays last
      services.forEach((line, i) => {
        if (line.endsWith('-j PROXYCTL-OFF-CLUSTER')) expect(services[i + 1]).to.contain(`${line.slice(0, -'-j PROXYCTL-OFF-CLUSTER'.length)}-m comment`);
      });
    }
  });
});
