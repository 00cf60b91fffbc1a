import { expect } from 'chai';
import { renderNftables } from '../../src/backends/nftables/render.js';
import { convertObjects } from '../../src/model/convert.js';
import { buildNodeContext } from '../../src/model/context.js';
import { planServices } from '../../src/proxy/plan.js';
import { diffTable } from '../../src/sync/nft-table-diff.js';
import { replaceTableText } from '../../src/sync/nft-transaction.js';
import { nsRun } from '../kernel/exec.js';
import { describeKernel } from '../kernel/kernel-gate.js';
import { addNamespace, createLab, destroyLab, type Lab } from '../kernel/netns.js';
import { NODES, service, slice } from '../unit/fixtures.js';
import type { SourcedObject } from '../../src/model/convert.js';

function tables(objects: SourcedObject[]) {
  const conv = convertObjects([...NODES, ...objects]);
  const { ctx } = buildNodeContext({ nodeName: 'node-a' }, conv.state);
  return renderNftables(planServices(conv.state, ctx), 'node-a').tables;
}

describeKernel('generic nftables table diff @kernel', () => {
  let lab: Lab;
  let ns: string;
  before(async () => {
    lab = createLab();
    ns = await addNamespace(lab, 'tdiff');
  });
  after(async () => destroyLab(lab));

  it('turns one committed table into another: the result lists exactly like a fresh load', async () => {
    const a = tables([
      service({ name: 'a', clusterIP: '10.96.0.1', extra: { sessionAffinity: 'ClientIP' } }), slice('a', [{ ip: '10.244.0.2' }, { ip: '10.244.0.3' }]),
      service({ name: 'b', clusterIP: '10.96.0.2' }), slice('b', [{ ip: '10.244.0.4' }]),
    ]);
    const b = tables([
      service({ name: 'a', clusterIP: '10.96.0.1' }), slice('a', [{ ip: '10.244.0.2' }, { ip: '10.244.0.3' }, { ip: '10.244.0.9' }]),
      service({ name: 'c', clusterIP: '10.96.0.3', type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30080 }] }), slice('c', [{ ip: '10.244.1.4', node: 'node-b' }]),
    ]);
    await nsRun(ns, 'nft', ['-f', '-'], { input: a.map(replaceTableText).join('') });
    const transaction = a.map((t, i) => diffTable(t, b[i])).join('');
    expect(transaction).not.to.contain('delete table');
    await nsRun(ns, 'nft', ['-f', '-'], { input: transaction });
    const viaDiff = (await nsRun(ns, 'nft', ['list', 'ruleset'])).stdout;
    await nsRun(ns, 'nft', ['-f', '-'], { input: b.map(replaceTableText).join('') });
    const fresh = (await nsRun(ns, 'nft', ['list', 'ruleset'])).stdout;
    const sorted = (t: string) => t.split('\n').map((l) => l.trim().replace(/,$/, '')).sort().join('\n');
    expect(sorted(viaDiff)).to.equal(sorted(fresh));
    expect(diffTable(b[0], b[0])).to.equal('');
  });
});

describeKernel('table transactions name their own table @kernel', () => {
  let lab: Lab;
  let ns: string;
  before(async () => {
    lab = createLab();
    ns = await addNamespace(lab, 'tname');
  });
  after(async () => destroyLab(lab));

  it('replacing one table never touches another of ours (services vs policy)', async () => {
    const services = tables([service({ name: 'a', clusterIP: '10.96.0.1' }), slice('a', [{ ip: '10.244.0.2' }])]);
    await nsRun(ns, 'nft', ['-f', '-'], { input: services.map(replaceTableText).join('') });
    const other = { ...services[0], name: 'proxyctl-policy', sets: [], chains: [] };
    const text = diffTable(undefined, other);
    expect(text).to.match(/^add table ip proxyctl-policy\ndelete table ip proxyctl-policy\n/);
    await nsRun(ns, 'nft', ['-f', '-'], { input: text + text });
    expect((await nsRun(ns, 'nft', ['list', 'map', 'ip', 'proxyctl', 'service-ips'])).stdout).to.contain('10.96.0.1 . tcp . 80');
  });
});
