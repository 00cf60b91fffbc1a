import { expect } from 'chai';
import { hasSideJobs, staleUdp, type ServiceFacts } from '../../src/run/service-facts.js';

const facts = (endpoints: string[]): ServiceFacts => ({ namespace: 'ns', name: 'dns', nodePorts: [], udp: [{ port: 53, ips: ['10.96.0.10'], endpoints }] });

describe('stale UDP conntrack decisions', () => {
  it('clears flows to a removed endpoint', () => {
    expect(staleUdp(facts(['10.244.0.2', '10.244.0.3']), facts(['10.244.0.3']))).to.deep.equal([
      { ips: ['10.96.0.10'], port: 53, nodePort: undefined, gainedFirstEndpoint: false, removedEndpointIPs: ['10.244.0.2'] },
    ]);
  });

  it('clears cached rejects when a port we saw without endpoints gets its first one', () => {
    expect(staleUdp(facts([]), facts(['10.244.0.3']))[0]).to.include({ gainedFirstEndpoint: true });
  });

  it('leaves healthy flows alone on the first sync after a start (nothing known before)', () => {
    expect(staleUdp(undefined, facts(['10.244.0.3']))).to.deep.equal([]);
  });

  it('a service without NodePorts, UDP ports or health check is not kept: it decides nothing an absent one would not', () => {
    const tcpOnly: ServiceFacts = { namespace: 'ns', name: 'web', nodePorts: [], udp: [] };
    expect(hasSideJobs(tcpOnly)).to.equal(false);
    expect(hasSideJobs(facts([]))).to.equal(true);
    expect(hasSideJobs({ ...tcpOnly, nodePorts: [{ protocol: 'TCP', port: 30080 }] })).to.equal(true);
    expect(hasSideJobs({ ...tcpOnly, healthCheck: { port: 32000, localEndpoints: 0 } })).to.equal(true);
    for (const [before, after] of [[tcpOnly, undefined], [undefined, tcpOnly]] as const) {
      expect(staleUdp(before, after)).to.deep.equal(staleUdp(undefined, undefined));
    }
  });
});
