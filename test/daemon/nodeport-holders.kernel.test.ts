// "All addresses" mode binds wildcard sockets, so it runs in a child process inside a namespace.
import { expect } from 'chai';
import { execa, type ResultPromise } from 'execa';
import { fileURLToPath } from 'node:url';
import { createNamespace, deleteNamespace, describeKernel, nsRun } from './kernel.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/hold-ports.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));

describeKernel('@kernel daemon/nodeport-holders on every address of a namespace', ['ip', 'ss', 'socat'], function () {
  this.timeout(60_000);
  let ns: string | undefined;
  let child: ResultPromise | undefined;
  let report: { held: { protocol: string; port: number; address: string }[]; warnings: Record<string, unknown>[] };

  before(async function () {
    ns = await createNamespace('hold');
    await nsRun(ns, 'ip', ['link', 'add', 'name', 'va', 'type', 'veth', 'peer', 'name', 'vb']);
    await nsRun(ns, 'ip', ['link', 'set', 'va', 'up']);
    await nsRun(ns, 'ip', ['link', 'set', 'vb', 'up']);
    await nsRun(ns, 'ip', ['addr', 'add', '10.1.0.1/24', 'dev', 'va']);
    await nsRun(ns, 'ip', ['addr', 'add', 'fd01::1/64', 'dev', 'va', 'nodad']);
    // Another process owns 30082 before we start.
    const blocker = execa('ip', ['netns', 'exec', ns, 'socat', 'TCP-LISTEN:30082,reuseaddr,fork', 'SYSTEM:true'], { reject: false, timeout: 60_000 });
    blocker.catch(() => undefined);
    for (let i = 0; i < 50 && !(await nsRun(ns, 'ss', ['-tlnH', 'sport = :30082'])).stdout.trim(); i++) await new Promise((r) => setTimeout(r, 50));
    child = execa('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', FIXTURE, 'TCP/30080', 'UDP/30081', 'TCP/30082', 'SCTP/30083'], { cwd: REPO, reject: false, timeout: 60_000, stdin: 'pipe' });
    child.catch(() => undefined);
    report = await firstLine(child, 30_000);
  });

  after(async function () {
    child?.stdin?.end();
    child?.kill();
    if (ns) await deleteNamespace(ns); // kills the socat blocker too
  });

  it('holds TCP and UDP on the dual-stack wildcard; the taken port is reported, SCTP skipped', function () {
    expect(report.held).to.deep.equal([{ protocol: 'TCP', port: 30080, address: '' }, { protocol: 'UDP', port: 30081, address: '' }]);
    expect(report.warnings).to.have.length(1);
    expect(report.warnings[0]).to.deep.include({ protocol: 'TCP', port: 30082, code: 'EADDRINUSE' });
  });

  it('ss shows the wildcard sockets', async function () {
    const tcp = (await nsRun(ns as string, 'ss', ['-tlnH', 'sport = :30080'])).stdout;
    const udp = (await nsRun(ns as string, 'ss', ['-ulnH', 'sport = :30081'])).stdout;
    expect(tcp).to.match(/\*:30080|\[::\]:30080/);
    expect(udp).to.match(/\*:30081|\[::\]:30081/);
  });

  it('resets TCP connections to the held port on an IPv4 and an IPv6 node address', async function () {
    for (const target of ['TCP4:10.1.0.1:30080', 'TCP6:[fd01::1]:30080']) {
      // socat reports the reset as a warning and still exits 0.
      const { stderr } = await nsRun(ns as string, 'socat', ['-d', '-d', '-u', target, 'STDOUT'], { check: false });
      expect(stderr, target).to.match(/successfully connected/);
      expect(stderr, target).to.match(/Connection reset by peer/);
    }
    const closeWait = (await nsRun(ns as string, 'ss', ['-tanH', 'state', 'close-wait'])).stdout.trim();
    expect(closeWait).to.equal('');
  });
});

/** The child's first stdout line as JSON; bounded in time. */
function firstLine<T>(child: ResultPromise, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`no output from the holder process in ${timeoutMs} ms`)), timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const newline = buffer.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      resolve(JSON.parse(buffer.slice(0, newline)) as T);
    });
    child.then((r) => {
      clearTimeout(timer);
      reject(new Error(`holder process exited early (${r.exitCode}): ${String(r.stderr)}`));
    }, reject);
  });
}
