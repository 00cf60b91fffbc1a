import { expect } from 'chai';
import { clearStaleUDP, conntrackDeleteArgs, deletedCount, type StaleUDPService } from '../../src/daemon/conntrack.js';
import type { ExecResult, Executor } from '../../src/sync/exec.js';
import { createMetrics } from '../../src/daemon/metrics.js';
import { recordingLog } from './helpers.js';

/** Records commands; answers from a function of the args. */
function recorder(answer: (args: string[]) => ExecResult = () => ({ exitCode: 0, stdout: '', stderr: 'conntrack v1.4.7 (conntrack-tools): 1 flow entries have been deleted.\n' })): { exec: Executor; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    exec: {
      run: async (cmd, args) => {
        calls.push([cmd, ...args].join(' '));
        return answer(args);
      },
    },
  };
}

const NONE_DELETED: ExecResult = { exitCode: 1, stdout: '', stderr: 'conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted.\n' };

describe('daemon/conntrack', function () {
  describe('conntrackDeleteArgs', function () {
    const cases: [string, StaleUDPService[], string[]][] = [
      ['first endpoint: entries to each service IP:port (the cached reject)', [{ ips: ['10.96.0.10', '203.0.113.7'], port: 53, gainedFirstEndpoint: true }], [
        '-D -p udp --orig-dst 10.96.0.10 --orig-port-dst 53',
        '-D -p udp --orig-dst 203.0.113.7 --orig-port-dst 53',
      ]],
      ['first endpoint with a NodePort: also every entry to that port on the node', [{ ips: ['10.96.0.10'], port: 53, nodePort: 30053, gainedFirstEndpoint: true }], [
        '-D -p udp --orig-dst 10.96.0.10 --orig-port-dst 53',
        '-D -p udp --orig-port-dst 30053',
      ]],
      ['removed endpoint: entries DNATed to it, per service IP and NodePort', [{ ips: ['10.96.0.10'], port: 53, nodePort: 30053, removedEndpointIPs: ['10.244.1.5', '10.244.2.9'] }], [
        '-D -p udp --orig-dst 10.96.0.10 --orig-port-dst 53 --dst-nat 10.244.1.5',
        '-D -p udp --orig-dst 10.96.0.10 --orig-port-dst 53 --dst-nat 10.244.2.9',
        '-D -p udp --orig-port-dst 30053 --dst-nat 10.244.1.5',
        '-D -p udp --orig-port-dst 30053 --dst-nat 10.244.2.9',
      ]],
      ['IPv6 uses -f ipv6; families never mix', [{ ips: ['10.96.0.10', 'fd00:96::a'], port: 53, nodePort: 30053, gainedFirstEndpoint: true, removedEndpointIPs: ['fd00:244::5'] }], [
        '-D -f ipv6 -p udp --orig-dst fd00:96::a --orig-port-dst 53',
        '-D -f ipv6 -p udp --orig-dst fd00:96::a --orig-port-dst 53 --dst-nat fd00:244::5',
        '-D -f ipv6 -p udp --orig-port-dst 30053',
        '-D -f ipv6 -p udp --orig-port-dst 30053 --dst-nat fd00:244::5',
        '-D -p udp --orig-dst 10.96.0.10 --orig-port-dst 53',
        '-D -p udp --orig-port-dst 30053',
      ]],
      ['duplicates collapse; invalid IPs are ignored', [
        { ips: ['10.96.0.10', 'not-an-ip'], port: 53, removedEndpointIPs: ['10.244.1.5', 'bogus'] },
        { ips: ['10.96.0.10'], port: 53, removedEndpointIPs: ['10.244.1.5'] },
      ], ['-D -p udp --orig-dst 10.96.0.10 --orig-port-dst 53 --dst-nat 10.244.1.5']],
      ['nothing changed: no command', [{ ips: ['10.96.0.10'], port: 53 }], []],
    ];
    for (const [name, changes, want] of cases) {
      it(name, function () {
        expect(conntrackDeleteArgs(changes).map((a) => a.join(' '))).to.deep.equal(want);
        expect(conntrackDeleteArgs([...changes].reverse()).map((a) => a.join(' ')), 'input order must not matter').to.deep.equal(want);
      });
    }
  });

  describe('clearStaleUDP', function () {
    const change: StaleUDPService = { ips: ['10.96.0.10'], port: 53, nodePort: 30053, removedEndpointIPs: ['10.244.1.5'] };

    it('runs conntrack through the executor and counts deleted entries', async function () {
      const { exec, calls } = recorder();
      const { metrics, registry } = createMetrics();
      const result = await clearStaleUDP([change], { exec, log: recordingLog().log, metrics });
      expect(calls).to.deep.equal([
        'conntrack -D -p udp --orig-dst 10.96.0.10 --orig-port-dst 53 --dst-nat 10.244.1.5',
        'conntrack -D -p udp --orig-port-dst 30053 --dst-nat 10.244.1.5',
      ]);
      expect(result).to.deep.equal({ deleted: 2, failed: 0 });
      expect(await registry.metrics()).to.include('proxyctl_conntrack_cleanup_entries_total 2');
    });

    it('exit 1 with "0 flow entries have been deleted" is not an error', async function () {
      const { exec } = recorder(() => NONE_DELETED);
      const { log, lines } = recordingLog();
      expect(await clearStaleUDP([change], { exec, log })).to.deep.equal({ deleted: 0, failed: 0 });
      expect(lines.filter((l) => l.level === 'warn')).to.deep.equal([]);
    });

    it('a real failure is logged with the command and the others still run', async function () {
      const { exec, calls } = recorder((args) => (args.includes('--orig-dst') ? { exitCode: 1, stdout: '', stderr: 'conntrack v1.4.7 (conntrack-tools): Operation failed: invalid parameters\n' } : { exitCode: 0, stdout: '', stderr: '3 flow entries have been deleted.' }));
      const { log, lines } = recordingLog();
      expect(await clearStaleUDP([change], { exec, log })).to.deep.equal({ deleted: 3, failed: 1 });
      expect(calls).to.have.length(2);
      const warn = lines.find((l) => l.level === 'warn');
      expect(warn?.meta).to.deep.include({ args: '-D -p udp --orig-dst 10.96.0.10 --orig-port-dst 53 --dst-nat 10.244.1.5', exitCode: 1 });
      expect(String(warn?.meta.stderr)).to.match(/invalid parameters/);
    });

    it('a missing conntrack binary (exit -1) counts as a failure', async function () {
      const { exec } = recorder(() => ({ exitCode: -1, stdout: '', stderr: 'spawn conntrack ENOENT' }));
      expect(await clearStaleUDP([change], { exec, log: recordingLog().log })).to.deep.equal({ deleted: 0, failed: 2 });
    });

    it('deletedCount reads conntrack\'s summary line', function () {
      expect(deletedCount('conntrack v1.4.7 (conntrack-tools): 12 flow entries have been deleted.')).to.equal(12);
      expect(deletedCount('something else')).to.equal(undefined);
    });
  });
});
