import { expect } from 'chai';
import { parseAddress, parseCIDR, rangesToCIDRs, sortAddresses, subtractRanges } from '../../src/policy/cidr.js';

describe('policy/cidr', () => {
  const cidrs: { text: unknown; want: string | undefined }[] = [
    { text: '10.0.0.0/8', want: '10.0.0.0/8' },
    { text: '10.1.2.3/16', want: '10.1.0.0/16' },
    { text: '0.0.0.0/0', want: '0.0.0.0/0' },
    { text: '2001:DB8:0:0::1/64', want: '2001:db8::/64' },
    { text: '10.0.0.0/33', want: undefined },
    { text: '10.0.0.0', want: undefined },
    { text: '010.0.0.0/8', want: undefined },
    { text: '10.0.0.0/08', want: undefined },
    { text: 'fe80::1%eth0/64', want: undefined },
    { text: 42, want: undefined },
  ];
  for (const c of cidrs) {
    it(`parses CIDR ${JSON.stringify(c.text)} → ${c.want ?? 'invalid'}`, () => expect(parseCIDR(c.text)?.cidr).to.equal(c.want));
  }

  it('parses addresses strictly, IPv4-mapped IPv6 as IPv4', () => {
    expect(parseAddress('10.0.0.1')).to.deep.include({ family: 'ipv4', address: '10.0.0.1' });
    expect(parseAddress('FD00:0::1')).to.deep.include({ family: 'ipv6', address: 'fd00::1' });
    expect(parseAddress('::ffff:10.0.0.1')).to.deep.include({ family: 'ipv4', address: '10.0.0.1' });
    expect(parseAddress('256.0.0.1')).to.equal(undefined);
    expect(parseAddress('10.0.0.01')).to.equal(undefined);
    expect(parseAddress('')).to.equal(undefined);
  });

  it('sort keys order addresses numerically, IPv4 before IPv6', () => {
    const sorted = sortAddresses(['fd00::10', '10.0.0.10', 'fd00::9', '10.0.0.9', '9.255.255.255', '10.0.0.9']);
    expect(sorted).to.deep.equal(['9.255.255.255', '10.0.0.9', '10.0.0.10', 'fd00::9', 'fd00::10']);
  });

  it('subtracts except ranges and re-covers the rest with the fewest CIDRs', () => {
    const block = parseCIDR('192.168.0.0/22')!;
    const holes = [parseCIDR('192.168.1.0/24')!, parseCIDR('192.168.2.128/25')!];
    expect(rangesToCIDRs('ipv4', subtractRanges(block, holes))).to.deep.equal(['192.168.0.0/24', '192.168.2.0/25', '192.168.3.0/24']);
  });

  it('merges overlapping and adjacent ranges', () => {
    const ranges = ['10.0.0.0/25', '10.0.0.128/25', '10.0.0.0/26', '10.0.1.0/24'].map((c) => parseCIDR(c)!);
    expect(rangesToCIDRs('ipv4', ranges)).to.deep.equal(['10.0.0.0/23']);
    expect(rangesToCIDRs('ipv6', ranges)).to.deep.equal([]);
  });

  it('covers the whole IPv6 space minus one address', () => {
    const all = parseCIDR('::/0')!;
    const out = rangesToCIDRs('ipv6', subtractRanges(all, [parseCIDR('::1/128')!]));
    expect(out).to.have.length(128);
    expect(out[0]).to.equal('::/128');
    expect(out[out.length - 1]).to.equal('8000::/1');
  });
});
