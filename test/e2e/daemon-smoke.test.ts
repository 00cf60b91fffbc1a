import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiServerProcess } from '../apiserver/process.js';
import { nsRun, REPO_ROOT } from '../kernel/exec.js';
import { describeKernel } from '../kernel/kernel-gate.js';
import { addNamespace, createLab, destroyLab, type Lab } from '../kernel/netns.js';
import { sliceObject, svcObject } from '../sync/helpers.js';

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

describeKernel('proxyctl run: daemon smoke test in a namespace @kernel', function () {
  this.timeout(90_000);
  let lab: Lab;
  let ns: string;
  let api: ApiServerProcess;
  let daemon: ChildProcess | undefined;
  let logs = '';
  const dir = mkdtempSync(join(tmpdir(), 'proxyctl-e2e-'));

  before(async () => {
    lab = createLab();
    ns = await addNamespace(lab, 'node');
    const node = { kind: 'Node', apiVersion: 'v1', metadata: { name: 'node-a' }, spec: { podCIDRs: ['10.244.0.0/24'] }, status: { addresses: [{ type: 'InternalIP', address: '192.168.56.10' }] } };
    writeFileSync(join(dir, 'cluster.json'), JSON.stringify({ kind: 'List', apiVersion: 'v1', items: [node, svcObject(1), sliceObject(1, 2), svcObject(2), sliceObject(2, 1)] }));
    api = await ApiServerProcess.spawn({ host: '127.0.0.1', prefix: ['ip', 'netns', 'exec', ns], loadFile: join(dir, 'cluster.json'), kubeconfigPath: join(dir, 'kubeconfig') });
    daemon = spawn('ip', ['netns', 'exec', ns, process.execPath, join(REPO_ROOT, 'bin/proxyctl.js'), 'run', '--kubeconfig', join(dir, 'kubeconfig'), '--node-name', 'node-a',
      '--healthz-bind-address', '127.0.0.1:10256', '--metrics-bind-address', '127.0.0.1:10249', '--log-level', 'debug'], { stdio: ['ignore', 'pipe', 'pipe'] });
    daemon.stdout!.on('data', (c: Buffer) => (logs += c.toString()));
    daemon.stderr!.on('data', (c: Buffer) => (logs += c.toString()));
  });

  after(async () => {
    daemon?.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    daemon?.kill('SIGKILL');
    await api?.stop().catch(() => {});
    await destroyLab(lab);
  });

  const map = async () => (await nsRun(ns, 'nft', ['list', 'map', 'ip', 'proxyctl', 'service-ips'], { check: false })).stdout;

  it('programs existing services, follows changes, reports health and metrics, survives SIGTERM with rules intact', async () => {
    await until('initial rules', async () => ((await map()).includes('10.96.0.2 . tcp . 80') ? true : undefined)).catch((e) => {
      throw new Error(`${e}\n--- daemon log ---\n${logs}`);
    });
    await api.create(svcObject(3) as never);
    await api.create(sliceObject(3, 3) as never);
    await until('service 3', async () => ((await map()).includes('10.96.0.3 . tcp . 80 comment "ns/svc-3/tcp/80" : goto lb-3') ? true : undefined));
    await api.delete({ apiVersion: 'v1', kind: 'Service', namespace: 'ns', name: 'svc-1' });
    await until('service 1 gone', async () => (!(await map()).includes('10.96.0.1 .') ? true : undefined));

    const healthz = await nsRun(ns, 'curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', 'http://127.0.0.1:10256/healthz'], { check: false });
    if (healthz.exitCode === 0) expect(healthz.stdout).to.equal('200');
    const metrics = await nsRun(ns, process.execPath, ['-e', 'fetch("http://127.0.0.1:10249/metrics").then(r=>r.text()).then(t=>process.stdout.write(t))']);
    expect(metrics.stdout).to.match(/proxyctl_sync_proxy_rules_duration_seconds_count\{kind="partial"\} [1-9]/);

    daemon!.kill('SIGTERM');
    await until('daemon exit', async () => (daemon!.exitCode !== null ? true : undefined), 10_000);
    expect(daemon!.exitCode).to.equal(0);
    expect(await map()).to.contain('10.96.0.3 . tcp . 80');
  });
});
