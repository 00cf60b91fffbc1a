import { expect } from 'chai';
import { portMatches } from '../../src/backends/iptables/policy/port-match.js';
import { portIntervals } from '../../src/backends/nftables/policy/ports.js';
import type { PortRange } from '../../src/policy/types.js';

describe('policy render: port intervals', () => {
  const cases: { name: string; ranges: PortRange[]; want: string[]; ipt: string[] }[] = [
    { name: 'single ports stay points', ranges: [{ protocol: 'TCP', port: 80 }, { protocol: 'TCP', port: 443 }], want: ['tcp 80-80', 'tcp 443-443'], ipt: ['-p tcp -m multiport --dports 80,443'] },
    { name: 'overlapping ranges merge', ranges: [{ protocol: 'TCP', port: 80, endPort: 90 }, { protocol: 'TCP', port: 85, endPort: 100 }], want: ['tcp 80-100'], ipt: ['-p tcp -m multiport --dports 80:100'] },
    { name: 'adjacent ranges merge', ranges: [{ protocol: 'UDP', port: 1, endPort: 9 }, { protocol: 'UDP', port: 10 }], want: ['udp 1-10'], ipt: ['-p udp -m multiport --dports 1:10'] },
    { name: 'a port inside a range disappears', ranges: [{ protocol: 'TCP', port: 81 }, { protocol: 'TCP', port: 80, endPort: 90 }], want: ['tcp 80-90'], ipt: ['-p tcp -m multiport --dports 80:90'] },
    { name: 'no port is the whole protocol and absorbs the rest', ranges: [{ protocol: 'SCTP' }, { protocol: 'SCTP', port: 5 }], want: ['sctp 0-65535'], ipt: ['-p sctp'] },
    { name: 'protocols stay apart, tcp udp sctp order', ranges: [{ protocol: 'SCTP', port: 9 }, { protocol: 'UDP', port: 9 }, { protocol: 'TCP', port: 9 }], want: ['tcp 9-9', 'udp 9-9', 'sctp 9-9'], ipt: ['-p tcp -m multiport --dports 9', '-p udp -m multiport --dports 9', '-p sctp -m multiport --dports 9'] },
    { name: 'nothing', ranges: [], want: [], ipt: [] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const intervals = portIntervals(c.ranges);
      expect(intervals.map((i) => `${i.protocol} ${i.start}-${i.end}`)).to.deep.equal(c.want);
      expect(portMatches(intervals)).to.deep.equal(c.ipt);
    });
  }
});
