import { expect } from 'chai';
import { convertObjects } from '../../src/model/convert.js';
import { compareIPs, ipSortKey, normalizeIP, sortByIP } from '../../src/model/ip.js';
import { buildNodeContext } from '../../src/model/context.js';
import { planServices } from '../../src/proxy/plan.js';
import { NODES, service, slice } from './fixtures.js';

/** Behaviour the render's fast paths must keep: full field paths, slice-split copies, address order. */
describe('model fast paths', () => {
  it('names the full path of a rejected field inside nested list items', () => {
    const bad = slice('web', [{ ip: '10.244.0.2' }, { ip: '10.244.0.3' }], { name: 'web-bad' });
    const endpoints = bad.object.endpoints as { addresses: unknown[]; conditions: Record<string, unknown> }[];
    endpoints[1].addresses = ['10.244.0.4', '10.244.0.999'];
    const badCondition = slice('web', [{ ip: '10.244.0.2' }], { name: 'web-cond' });
    (badCondition.object.endpoints as { conditions: Record<string, unknown> }[])[0].conditions.serving = 'yes';
    const badSlicePort = slice('web', [{ ip: '10.244.0.2' }], { name: 'web-port', ports: [{ name: 'http', port: 8080 }, { name: 'x', port: 0 }] });
    const badServicePort = service({ name: 'api', clusterIP: '10.96.0.11', ports: [{ port: 80 }, { port: 81, protocol: 'ICMP' }] });
    const conv = convertObjects([bad, badCondition, badSlicePort, badServicePort]);
    expect(conv.diagnostics.map((d) => `${d.name} ${d.field}: ${d.message}`)).to.deep.equal([
      'web-bad endpoints[1].addresses[1]: invalid IP address "10.244.0.999"; object skipped',
      'web-cond endpoints[0].conditions.serving: must be true or false, got "yes"; object skipped',
      'web-port ports[1].port: invalid port 0 (must be 1-65535); object skipped',
      'api spec.ports[1].protocol: unsupported protocol "ICMP" (TCP, UDP or SCTP); object skipped',
    ]);
  });

  it('names a list item itself when the item is not an object', () => {
    const bad = slice('web', [{ ip: '10.244.0.2' }], { name: 'web-bad' });
    (bad.object.endpoints as unknown[]).push('oops');
    const conv = convertObjects([bad]);
    expect(conv.diagnostics.map((d) => d.field)).to.deep.equal(['endpoints[1]']);
  });

  it('counts an address listed by two slices once, with its best condition, whatever the slice order', () => {
    const first = slice('web', [{ ip: '10.244.0.9', ready: false, serving: true, terminating: true, node: 'node-b' }, { ip: '10.244.0.2' }], { name: 'web-1' });
    const second = slice('web', [{ ip: '10.244.0.9', node: 'node-a' }, { ip: '10.244.0.10', ready: false }], { name: 'web-2' });
    for (const objects of [[first, second], [second, first]]) {
      const conv = convertObjects([...NODES, service({ name: 'web', clusterIP: '10.96.0.10' }), ...objects]);
      const { ctx } = buildNodeContext({ nodeName: 'node-a' }, conv.state);
      const port = planServices(conv.state, ctx).families[0].ports[0];
      expect(port.cluster).to.deep.equal([
        { ip: '10.244.0.2', port: 8080, local: false },
        { ip: '10.244.0.9', port: 8080, local: true },
      ]);
    }
  });

  it('accepts canonical IPv4 text as is and canonicalizes or rejects the rest', () => {
    expect(['0.0.0.0', '255.255.255.255', '10.0.0.1'].map(normalizeIP)).to.deep.equal(['0.0.0.0', '255.255.255.255', '10.0.0.1']);
    for (const bad of ['256.0.0.1', '1.2.3', '1.2.3.4.5', '1..2.3', '.1.2.3', '1.2.3.', '01.2.3.4', '1.2.3.4 x', '']) {
      expect(normalizeIP(bad), bad).to.equal(undefined);
    }
    expect(normalizeIP('::ffff:10.0.0.1')).to.equal('10.0.0.1');
    expect(normalizeIP('2001:DB8::1')).to.equal('2001:db8::1');
  });

  it('orders addresses numerically, IPv4 before IPv6', () => {
    const ips = ['2001:db8::10', '10.0.0.10', '2001:db8::9', '10.0.0.9', '9.255.255.255', '255.0.0.0'];
    const sorted = ['9.255.255.255', '10.0.0.9', '10.0.0.10', '255.0.0.0', '2001:db8::9', '2001:db8::10'];
    expect([...ips].sort(compareIPs)).to.deep.equal(sorted);
    expect(sortByIP(ips, (ip) => ip)).to.deep.equal(sorted);
    expect([...ips].sort((a, b) => (ipSortKey(a) < ipSortKey(b) ? -1 : 1))).to.deep.equal(sorted);
  });
});
