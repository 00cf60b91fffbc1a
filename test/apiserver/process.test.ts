// The server as a separate process (how e2e suites run it inside a network namespace),
// driven over stdin/stdout, with a real informer reading from it.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig, type V1Service, makeInformer } from '@kubernetes/client-node';
import { expect } from 'chai';
import { node, service } from './fixtures.js';
import { ApiServerProcess } from './process.js';
import { record } from './recorder.js';
import { rejection, waitFor } from './wait.js';

describe('apiserver: as a child process', function () {
  this.timeout(30000);
  let dir: string;
  let proc: ApiServerProcess | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'apiserver-'));
  });
  afterEach(async () => {
    await proc?.stop();
    proc = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('loads a List file, writes a kubeconfig, serves an informer and obeys fault commands', async () => {
    const list = join(dir, 'cluster.json');
    await writeFile(list, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [node('node1'), service('ns1', 'a')] }));
    const kubeconfig = join(dir, 'kubeconfig');
    proc = await ApiServerProcess.spawn({ host: '127.0.0.1', loadFile: list, kubeconfigPath: kubeconfig });
    expect(proc.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);

    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    const core = kc.makeApiClient(CoreV1Api);
    const informer = makeInformer<V1Service>(kc, '/api/v1/services', () => core.listServiceForAllNamespaces());
    const rec = record(informer);
    await informer.start();
    expect(rec.events).to.deep.equal(['add ns1/a 2']);

    await proc.create(service('ns1', 'b'));
    await waitFor('add b', () => rec.events.length === 2);
    expect(await proc.dropWatches()).to.equal(1);
    await waitFor('error handler', () => rec.errors.length === 1);
    await proc.expireHistory();
    await informer.start();
    const running = proc;
    await waitFor('relist', async () => (await running.stats()).openWatches === 1);
    const stats = await running.stats();
    expect([stats.lists, stats.watches, stats.expiredWatches]).to.deep.equal([2, 3, 1]);
    expect(informer.list().map((s) => s.metadata?.name)).to.deep.equal(['a', 'b']);

    expect((await rejection(running.update(service('ns1', 'zz')))).message).to.equal('services "zz" not found');
    await informer.stop();
  });
});
