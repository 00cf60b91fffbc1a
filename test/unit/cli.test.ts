import { expect } from 'chai';
import { execa } from 'execa';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = 'bin/proxyctl.js';
const run = (args: string[], input?: string) => execa('node', [BIN, ...args], { reject: false, input, timeout: 30_000 });

describe('proxyctl render (CLI process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'proxyctl-cli-'));
  const good = join(dir, 'good.json');
  writeFileSync(good, JSON.stringify({
    apiVersion: 'v1', kind: 'List', items: [
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: '10.96.0.10', ports: [{ port: 80 }] } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'broken', namespace: 'shop' }, spec: { clusterIP: 'nope', ports: [{ port: 80 }] } },
    ],
  }));

  it('prints only the ruleset on stdout and warnings naming file/object/field on stderr, exit 0', async () => {
    const r = await run(['render', '--dry-run', '-f', good, '--node-name', 'node-a', '--node-ip', '192.168.56.10']);
    expect(r.exitCode).to.equal(0);
    expect(r.stdout).to.match(/^add table ip proxyctl\n/);
    expect(r.stdout).to.contain('10.96.0.10 . tcp . 80 comment "default/web/tcp/80" : goto reject-service');
    expect(r.stderr).to.contain(`warning: ${good}: Service shop/broken: field spec.clusterIP: invalid IP address "nope"; object skipped`);
  });

  it('reads stdin with -f - and renders iptables', async () => {
    const r = await run(['render', '--dry-run', '-f', '-', '--node-name', 'node-a', '--backend', 'iptables'], '{"kind":"Service","apiVersion":"v1","metadata":{"name":"a"},"spec":{"clusterIP":"10.96.0.1","ports":[{"port":443}]}}');
    expect(r.exitCode).to.equal(0);
    expect(r.stdout).to.match(/^\*nat\n/);
    expect(r.stdout).to.contain('"default/a/tcp/443 has no endpoints" -j REJECT --reject-with tcp-reset');
  });

  it('exits 2 with a message when the input cannot be read at all', async () => {
    const r = await run(['render', '--dry-run', '-f', join(dir, 'missing.yaml'), '--node-name', 'node-a']);
    expect(r.exitCode).to.equal(2);
    expect(r.stdout).to.equal('');
    expect(r.stderr).to.contain('missing.yaml: no such file or directory');
  });

  it('exits 2 when every input is malformed, naming the file and line', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'kind: Service\nmetadata: [unclosed\n');
    const r = await run(['render', '--dry-run', '-f', bad, '--node-name', 'node-a']);
    expect(r.exitCode).to.equal(2);
    expect(r.stdout).to.equal('');
    expect(r.stderr).to.match(/bad\.yaml: malformed YAML\/JSON \(line \d+, column \d+\)/);
  });

  it('exits 2 on an invalid flag value or a missing --node-name', async () => {
    const r1 = await run(['render', '--dry-run', '-f', good, '--node-name', 'node-a', '--cluster-cidr', '10.0.0.0/99']);
    expect(r1.exitCode).to.equal(2);
    expect(r1.stderr).to.contain('--cluster-cidr: invalid value "10.0.0.0/99"');
    const r2 = await run(['render', '--dry-run', '-f', good]);
    expect(r2.exitCode).to.equal(2);
    expect(r2.stderr).to.contain('--node-name');
  });

  it('--example renders the bundled cluster with the seeds\' NodePorts', async () => {
    const r = await run(['render', '--dry-run', '--example']);
    expect(r.exitCode).to.equal(0);
    expect(r.stdout).to.contain('tcp . 31608 comment "default/nginx-service/tcp/80"');
    expect(r.stdout).to.contain('tcp . 31080 comment "default/wordpress/tcp/80"');
  });
});
