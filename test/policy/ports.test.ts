import { expect } from 'chai';
import { FieldError } from '../../src/model/diagnostics.js';
import { ipv4Value } from '../../src/policy/address-order.js';
import { addressSortKey } from '../../src/policy/cidr.js';
import type { PodInfo } from '../../src/policy/inventory.js';
import { namedPortSpecs, parsePolicyPort, portRanges, resolveNamedPorts, type PortSpec } from '../../src/policy/ports.js';

describe('policy/ports', () => {
  const valid: { name: string; raw: unknown; want: PortSpec }[] = [
    { name: 'protocol defaults to TCP', raw: { port: 80 }, want: { protocol: 'TCP', port: 80 } },
    { name: 'UDP and SCTP', raw: { port: 53, protocol: 'UDP' }, want: { protocol: 'UDP', port: 53 } },
    { name: 'protocol only: every port', raw: { protocol: 'SCTP' }, want: { protocol: 'SCTP' } },
    { name: 'endPort range', raw: { port: 32000, endPort: 32768 }, want: { protocol: 'TCP', port: 32000, endPort: 32768 } },
    { name: 'endPort equal to port collapses', raw: { port: 80, endPort: 80 }, want: { protocol: 'TCP', port: 80 } },
    { name: 'named port', raw: { port: 'http-alt' }, want: { protocol: 'TCP', name: 'http-alt' } },
    { name: 'null entry as {}', raw: {}, want: { protocol: 'TCP' } },
  ];
  for (const c of valid) {
    it(`parses ${c.name}`, () => expect(parsePolicyPort(c.raw, 'p')).to.deep.equal(c.want));
  }

  const invalid: { name: string; raw: unknown; field: string }[] = [
    { name: 'port 0', raw: { port: 0 }, field: 'p.port' },
    { name: 'port above 65535', raw: { port: 65536 }, field: 'p.port' },
    { name: 'fractional port', raw: { port: 80.5 }, field: 'p.port' },
    { name: 'endPort below port', raw: { port: 90, endPort: 80 }, field: 'p.endPort' },
    { name: 'endPort above 65535', raw: { port: 90, endPort: 70000 }, field: 'p.endPort' },
    { name: 'endPort with a named port', raw: { port: 'http', endPort: 90 }, field: 'p.endPort' },
    { name: 'endPort without port', raw: { endPort: 90 }, field: 'p.endPort' },
    { name: 'unknown protocol', raw: { port: 80, protocol: 'ICMP' }, field: 'p.protocol' },
    { name: 'lower-case protocol', raw: { port: 80, protocol: 'tcp' }, field: 'p.protocol' },
    { name: 'numeric string is not a port name', raw: { port: '80' }, field: 'p.port' },
    { name: 'port name too long', raw: { port: 'a-very-long-port-name' }, field: 'p.port' },
  ];
  for (const c of invalid) {
    it(`rejects ${c.name}`, () => {
      expect(() => parsePolicyPort(c.raw, 'p')).to.throw(FieldError).with.property('field', c.field);
    });
  }

  it('resolves a named port per destination pod and protocol, every address of the pod', () => {
    // Sortable integers as the inventory assigns them: an IPv4 address's value, an IPv6 address's rank.
    const v4 = (a: string) => ipv4Value(addressSortKey(a));
    const dest = (id: string, ipv4: string[], ipv6: string[], ports: PodInfo['namedPorts']): PodInfo =>
      ({ id, namespace: 'x', name: id, labels: {}, addresses: { ipv4, ipv6 }, ranks: { ipv4: ipv4.map(v4), ipv6: ipv6.map((_, i) => i) }, namedPorts: ports });
    const pods = [
      dest('b', ['10.0.0.2'], [], [{ name: 'http', protocol: 'TCP', port: 9090 }]),
      dest('a', ['10.0.0.1'], ['fd00::1'], [{ name: 'http', protocol: 'TCP', port: 8080 }, { name: 'http', protocol: 'UDP', port: 53 }]),
      dest('c', ['10.0.0.3'], [], []),
    ];
    const specs: PortSpec[] = [{ protocol: 'TCP', name: 'http' }, { protocol: 'UDP', port: 53 }, { protocol: 'UDP', port: 53 }, { protocol: 'TCP', name: 'http' }];
    expect(portRanges(specs)).to.deep.equal([{ protocol: 'UDP', port: 53 }]);
    expect(namedPortSpecs(specs)).to.deep.equal([{ name: 'http', protocol: 'TCP' }]);
    expect(resolveNamedPorts(namedPortSpecs(specs), pods)).to.deep.equal([
      { family: 'ipv4', address: '10.0.0.1', protocol: 'TCP', port: 8080 },
      { family: 'ipv4', address: '10.0.0.2', protocol: 'TCP', port: 9090 },
      { family: 'ipv6', address: 'fd00::1', protocol: 'TCP', port: 8080 },
    ]);
  });
});
