// Proves the harness itself: namespaces, veth, v4/v6 addresses, echo server, probe outcomes.
import { expect } from 'chai';
import { describeKernel } from './kernel-gate.js';
import { nsRun, run } from './exec.js';
import { addAddress, addNamespace, addVeth, createLab, destroyLab, type Lab } from './netns.js';
import { probe } from './probe.js';
import { startEchoServer } from './servers.js';

const DROP_RULES = `table inet pxt_selftest {
  chain input {
    type filter hook input priority 0; policy accept;
    tcp dport 7002 drop
    udp dport 7002 drop
  }
}
`;

describeKernel('@kernel harness self-test', function () {
  this.timeout(30_000);
  let lab: Lab;
  let client: string;
  let server: string;

  before(async function () {
    lab = createLab();
    client = await addNamespace(lab, 'client');
    server = await addNamespace(lab, 'server');
    await addVeth({ ns: client, dev: 'eth0' }, { ns: server, dev: 'eth0' });
    await addAddress(client, 'eth0', '10.99.0.1/24');
    await addAddress(server, 'eth0', '10.99.0.2/24');
    await addAddress(client, 'eth0', 'fd00:99::1/64');
    await addAddress(server, 'eth0', 'fd00:99::2/64');
    await Promise.all([
      startEchoServer(lab, server, { name: 'srv', port: 7000, proto: 'tcp' }),
      startEchoServer(lab, server, { name: 'srv', port: 7000, proto: 'udp' }),
      startEchoServer(lab, server, { name: 'srv', port: 7002, proto: 'tcp' }),
      startEchoServer(lab, server, { name: 'srv', port: 7002, proto: 'udp' }),
    ]);
    await nsRun(server, 'nft', ['-f', '-'], { input: DROP_RULES });
  });

  after(async function () {
    if (!lab) return;
    await destroyLab(lab);
    const left = await run('ip', ['netns', 'list']);
    expect(left.stdout, 'namespaces left behind').not.to.include(lab.prefix);
  });

  for (const proto of ['tcp', 'udp'] as const) {
    it(`${proto} over IPv4: echo answers with its name and the client's address`, async function () {
      expect(await probe(client, { proto, host: '10.99.0.2', port: 7000 })).to.deep.equal({ kind: 'reply', text: 'srv 10.99.0.1' });
    });

    it(`${proto} over IPv6: echo answers with its name and the client's address`, async function () {
      expect(await probe(client, { proto, host: 'fd00:99::2', port: 7000 })).to.deep.equal({ kind: 'reply', text: 'srv fd00:99::1' });
    });

    it(`${proto} to a closed port is refused (RST / ICMP port unreachable)`, async function () {
      expect(await probe(client, { proto, host: '10.99.0.2', port: 7001 })).to.deep.equal({ kind: 'refused' });
    });

    it(`${proto} to a port dropped by an nft rule times out`, async function () {
      expect(await probe(client, { proto, host: '10.99.0.2', port: 7002, timeoutMs: 500 })).to.deep.equal({ kind: 'timeout' });
    });

    it(`${proto} to an address without a route is unreachable`, async function () {
      const outcome = await probe(client, { proto, host: '10.98.0.1', port: 7000, timeoutMs: 500 });
      expect(outcome.kind).to.equal('unreachable');
    });
  }
});
