import { expect } from 'chai';
import { cleanupRules } from '../../src/run/cleanup.js';
import { diffNftables } from '../../src/run/diff.js';
import { renderObjects } from '../../src/pipeline.js';
import { realExecutor } from '../../src/sync/exec.js';
import { nsRun } from '../kernel/exec.js';
import { describeKernel } from '../kernel/kernel-gate.js';
import { namespacePerTest } from '../kernel/netns.js';
import { NODES, service, slice } from '../unit/fixtures.js';

const OBJECTS = [...NODES, service({ name: 'web', clusterIP: '10.96.0.10' }), slice('web', [{ ip: '10.244.0.2', node: 'node-a' }])];
const OPTS = { nodeName: 'node-a', clusterCIDRs: ['10.244.0.0/16'] };

describeKernel('proxyctl cleanup and diff @kernel', () => {
  let ns: string;
  namespacePerTest('maint', (created) => (ns = created));

  it('cleanup removes our tables and chains (and with --kube-proxy, kube-proxy\'s), leaving other rules alone', async () => {
    await nsRun(ns, 'nft', ['-f', '-'], { input: renderObjects(OBJECTS, { ...OPTS, backend: 'nftables', output: 'text', ipFamily: 'ipv4' }).output });
    await nsRun(ns, 'iptables-restore', ['--noflush'], { input: renderObjects(OBJECTS, { ...OPTS, backend: 'iptables', output: 'text', ipFamily: 'ipv4' }).output });
    await nsRun(ns, 'nft', ['add', 'table', 'ip', 'kube-proxy']);
    await nsRun(ns, 'nft', ['add', 'table', 'ip6', 'proxyctl-policy']);
    await nsRun(ns, 'iptables', ['-t', 'nat', '-N', 'KUBE-SERVICES']);
    await nsRun(ns, 'iptables', ['-t', 'nat', '-A', 'PREROUTING', '-j', 'KUBE-SERVICES']);
    await nsRun(ns, 'iptables', ['-t', 'nat', '-N', 'SOMEONE-ELSE']);
    await nsRun(ns, 'iptables', ['-t', 'nat', '-A', 'PREROUTING', '-j', 'SOMEONE-ELSE']);
    const exec = realExecutor(['ip', 'netns', 'exec', ns]);

    const done = await cleanupRules(exec, { kubeProxy: false });
    expect(done).to.include('deleted nftables table ip proxyctl');
    expect(done).to.include('deleted nftables table ip6 proxyctl-policy');
    let nat = (await nsRun(ns, 'iptables-save', ['-t', 'nat'])).stdout;
    expect(nat).not.to.match(/PROXYCTL-|PXC-/);
    expect(nat).to.contain('-A PREROUTING -j KUBE-SERVICES');
    expect((await nsRun(ns, 'nft', ['list', 'tables'])).stdout).to.contain('table ip kube-proxy');

    await cleanupRules(exec, { kubeProxy: true });
    nat = (await nsRun(ns, 'iptables-save', ['-t', 'nat'])).stdout;
    expect(nat).not.to.contain('KUBE-');
    expect(nat).to.contain('-A PREROUTING -j SOMEONE-ELSE');
    expect((await nsRun(ns, 'nft', ['list', 'tables'])).stdout).not.to.contain('kube-proxy');
  });

  it('diff is empty after applying the render, and names the element someone deleted', async () => {
    await nsRun(ns, 'nft', ['-f', '-'], { input: renderObjects(OBJECTS, { ...OPTS, backend: 'nftables', output: 'text', ipFamily: 'ipv4' }).output });
    const exec = realExecutor(['ip', 'netns', 'exec', ns]);
    const desired = JSON.parse(renderObjects(OBJECTS, { ...OPTS, backend: 'nftables', output: 'json', ipFamily: 'ipv4' }).output);
    expect(await diffNftables(exec, desired)).to.deep.equal([]);
    await nsRun(ns, 'nft', ['delete', 'element', 'ip', 'proxyctl', 'endpoints', '{ 10.96.0.10 . tcp . 80 . 0 }']);
    expect(await diffNftables(exec, desired)).to.deep.equal(['+ element ip proxyctl endpoints { 10.96.0.10 . tcp . 80 . 0 : 10.244.0.2 . 8080 }']);
  });
});
