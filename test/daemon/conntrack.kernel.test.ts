// Real UDP flows through DNAT inside a throwaway namespace; the cleanup must delete exactly
// the stale ones.
import { expect } from 'chai';
import { clearStaleUDP } from '../../src/daemon/conntrack.js';
import { realExecutor } from '../../src/sync/exec.js';
import { recordingLog } from './helpers.js';
import { createNamespace, deleteNamespace, describeKernel, nsRun } from './kernel.js';

const RULES = `table inet pxd {
  chain out {
    type nat hook output priority -100;
    ip daddr 10.96.0.10 udp dport 53 udp sport 5000 dnat ip to 10.244.1.5
    ip daddr 10.96.0.10 udp dport 53 udp sport 5001 dnat ip to 10.244.1.6
    ip daddr 10.96.0.20 udp dport 53 dnat ip to 10.244.1.5
    ip daddr 10.0.0.1 udp dport 30053 dnat ip to 10.244.1.5
    ip6 daddr fd00:96::10 udp dport 53 dnat ip6 to fd00:244::5
  }
}
`;

/** name -> [destination, destination port, source port] */
const FLOWS: Record<string, [string, number, number]> = {
  'svc A via dead endpoint': ['10.96.0.10', 53, 5000],
  'svc A via live endpoint': ['10.96.0.10', 53, 5001],
  'svc B, same pod as the dead endpoint': ['10.96.0.20', 53, 5002],
  'NodePort of svc A via dead endpoint': ['10.0.0.1', 30053, 5003],
  'svc C before its first endpoint': ['10.96.0.30', 53, 5004],
  'svc D, still without endpoints': ['10.96.0.40', 53, 5005],
  'svc A over IPv6 via dead endpoint': ['fd00:96::10', 53, 5006],
};

describeKernel('@kernel daemon/conntrack deletes stale UDP entries in a namespace', ['ip', 'nft', 'conntrack', 'socat'], function () {
  this.timeout(30_000);
  let ns: string | undefined;

  before(async function () {
    ns = await createNamespace('ct');
    const steps: string[][] = [
      ['link', 'add', 'name', 'va', 'type', 'veth', 'peer', 'name', 'vb'],
      ['link', 'set', 'va', 'up'],
      ['link', 'set', 'vb', 'up'],
      ['addr', 'add', '10.0.0.1/24', 'dev', 'va'],
      ['addr', 'add', 'fd00::1/64', 'dev', 'va', 'nodad'],
      ['addr', 'add', '10.244.1.5/32', 'dev', 'lo'],
      ['addr', 'add', '10.244.1.6/32', 'dev', 'lo'],
      ['addr', 'add', 'fd00:244::5/128', 'dev', 'lo', 'nodad'],
      ['route', 'add', '10.96.0.0/16', 'via', '10.0.0.2', 'dev', 'va', 'onlink'],
      ['-6', 'route', 'add', 'fd00:96::/64', 'via', 'fd00::2', 'dev', 'va', 'onlink'],
    ];
    for (const step of steps) await nsRun(ns, 'ip', step);
    await nsRun(ns, 'nft', ['-f', '-'], { input: RULES });
    for (const [dst, port, sport] of Object.values(FLOWS)) {
      const target = dst.includes(':') ? `UDP6-SENDTO:[${dst}]:${port}` : `UDP4-SENDTO:${dst}:${port}`;
      await nsRun(ns, 'socat', ['-u', '-', `${target},sourceport=${sport}`], { input: 'ping\n' });
    }
  });

  after(async function () {
    if (ns) await deleteNamespace(ns);
  });

  async function flowsPresent(): Promise<string[]> {
    const seen = new Set<string>();
    for (const family of ['ipv4', 'ipv6']) {
      const { stdout } = await nsRun(ns as string, 'conntrack', ['-L', '-f', family, '-p', 'udp']);
      for (const line of stdout.split('\n')) {
        const dst = /dst=(\S+)/.exec(line)?.[1];
        const sport = /sport=(\d+)/.exec(line)?.[1];
        const dport = /dport=(\d+)/.exec(line)?.[1];
        if (dst) seen.add(`${dst} ${dport} ${sport}`);
      }
    }
    return Object.entries(FLOWS).filter(([, [dst, port, sport]]) => seen.has(`${dst} ${port} ${sport}`)).map(([name]) => name);
  }

  it('creates every flow, then removes only the stale ones', async function () {
    expect(await flowsPresent(), 'every test flow has a conntrack entry').to.have.members(Object.keys(FLOWS));
    const exec = realExecutor(['ip', 'netns', 'exec', ns as string], 10_000);
    const { log, lines } = recordingLog();
    const result = await clearStaleUDP([
      { ips: ['10.96.0.10', 'fd00:96::10'], port: 53, nodePort: 30053, removedEndpointIPs: ['10.244.1.5', 'fd00:244::5'] },
      { ips: ['10.96.0.30'], port: 53, gainedFirstEndpoint: true },
    ], { exec, log });
    expect(lines.filter((l) => l.level === 'warn'), 'no conntrack command failed').to.deep.equal([]);
    expect(result).to.deep.equal({ deleted: 4, failed: 0 });
    expect(await flowsPresent()).to.have.members(['svc A via live endpoint', 'svc B, same pod as the dead endpoint', 'svc D, still without endpoints']);
  });

  it('running the same cleanup again finds nothing and is not an error', async function () {
    const exec = realExecutor(['ip', 'netns', 'exec', ns as string], 10_000);
    const result = await clearStaleUDP([{ ips: ['10.96.0.30'], port: 53, gainedFirstEndpoint: true }], { exec, log: recordingLog().log });
    expect(result).to.deep.equal({ deleted: 0, failed: 0 });
  });
});
