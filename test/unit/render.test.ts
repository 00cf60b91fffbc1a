import { expect } from 'chai';
import { NftJson } from '../../src/backends/nftables/schema.js';
import { hashName } from '../../src/backends/iptables/names.js';
import type { SourcedObject } from '../../src/model/convert.js';
import { renderObjects, type RenderOptions } from '../../src/pipeline.js';
import { NODES, service, slice } from './fixtures.js';

const OBJECTS: SourcedObject[] = [
  ...NODES,
  service({ name: 'web', clusterIP: '10.96.0.10', type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30080 }], extra: { sessionAffinity: 'ClientIP' } }),
  slice('web', [{ ip: '10.244.0.2', node: 'node-a' }, { ip: '10.244.1.2', node: 'node-b' }]),
  service({ ns: 'kube-system', name: 'dns', clusterIP: '10.96.0.53', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] }),
  slice('dns', [{ ip: '10.244.0.53', node: 'node-a' }], { ns: 'kube-system', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] }),
  service({ name: 'empty', clusterIP: '10.96.0.20' }),
];

const base = { nodeName: 'node-a', clusterCIDRs: ['10.244.0.0/16'] };
const variants: RenderOptions[] = [
  { ...base, backend: 'nftables', output: 'text', ipFamily: 'ipv4' },
  { ...base, backend: 'nftables', output: 'json', ipFamily: 'ipv4' },
  { ...base, backend: 'iptables', output: 'text', ipFamily: 'ipv4' },
  { ...base, backend: 'iptables', output: 'text', ipFamily: 'ipv6' },
];

function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe('renderers', () => {
  for (const v of variants) {
    it(`${v.backend}/${v.output}/${v.ipFamily}: same objects in any order give byte-identical output`, () => {
      const first = renderObjects(OBJECTS, v).output;
      for (let seed = 1; seed <= 5; seed++) expect(renderObjects(shuffled(OBJECTS, seed), v).output).to.equal(first);
    });
  }

  it('nftables: every service is map elements, chains exist only per endpoint count', () => {
    const text = renderObjects(OBJECTS, variants[0]).output;
    expect(text).to.contain('10.96.0.10 . tcp . 80 comment "default/web/tcp/80" : goto lb-2');
    expect(text).to.contain('tcp . 30080 comment "default/web/tcp/80" : goto nodeport-lb-2');
    expect(text).to.contain('10.96.0.53 . udp . 53 . 0 : 10.244.0.53 . 53');
    expect(text).to.contain('10.96.0.20 . tcp . 80 comment "default/empty/tcp/80" : goto reject-service');
    expect(text).to.match(/chain affinity-10800s \{/);
    const chains = [...text.matchAll(/^\tchain (\S+) \{/gm)].map((m) => m[1]);
    expect(chains.filter((c) => /^(lb|nodeport-lb)-\d+$/.test(c)).sort()).to.deep.equal(['lb-1', 'lb-2', 'nodeport-lb-2']);
    expect([...text.matchAll(/^table (\S+) (\S+) \{/gm)].map((m) => m[2])).to.deep.equal(['proxyctl', 'proxyctl']);
  });

  it('nftables JSON passes our schema and the schema rejects what we never emit', () => {
    const json = JSON.parse(renderObjects(OBJECTS, variants[1]).output);
    expect(() => NftJson.parse(json)).not.to.throw();
    const tampered = structuredClone(json);
    tampered.nftables.push({ rule: { family: 'ip', table: 'proxyctl', chain: 'services', expr: [{ queue: { num: 1 } }] } });
    expect(() => NftJson.parse(tampered)).to.throw();
  });

  it('iptables: only our prefixed chains plus jumps from built-in chains', () => {
    const text = renderObjects(OBJECTS, variants[2]).output;
    for (const line of text.split('\n').filter((l) => l.startsWith(':'))) expect(line).to.match(/^:(PROXYCTL|PXC)-/);
    for (const line of text.split('\n').filter((l) => l.startsWith('-A '))) {
      const chain = line.split(' ')[1];
      if (!/^(PROXYCTL|PXC)-/.test(chain)) expect(line).to.match(/-j PROXYCTL-/);
    }
    expect(text).to.contain('-d 10.96.0.20/32 -p tcp -m tcp --dport 80 -m comment --comment "default/empty/tcp/80 has no endpoints" -j REJECT --reject-with tcp-reset');
  });

  it('iptables chain names are stable, prefixed and within the 28-character limit', () => {
    const name = hashName('SEP', 'default/web/tcp/80|10.244.0.2|8080');
    expect(name).to.equal(hashName('SEP', 'default/web/tcp/80|10.244.0.2|8080'));
    expect(name).to.match(/^PXC-SEP-[A-Z2-7]{16}$/);
    expect(name.length).to.be.at.most(28);
    expect(hashName('SEP', 'default/web/tcp/80|10.244.0.3|8080')).not.to.equal(name);
  });
});

describe('conflicting service keys', () => {
  it('renders the first claimant of an address . port and warns about the second, leaving a loadable map', () => {
    const objects: SourcedObject[] = [
      ...NODES,
      service({ name: 'a', clusterIP: '10.96.0.10', extra: { externalIPs: ['203.0.113.7'] } }),
      slice('a', [{ ip: '10.244.0.2' }]),
      service({ name: 'b', clusterIP: '10.96.0.11', extra: { externalIPs: ['203.0.113.7'] } }),
      slice('b', [{ ip: '10.244.0.3' }, { ip: '10.244.0.4' }]),
    ];
    const r = renderObjects(objects, variants[0]);
    expect(r.output).to.contain('203.0.113.7 . tcp . 80 comment "default/a/tcp/80" : goto lb-1');
    // Index 0 is the winner's endpoint; the loser's extra index is unreachable behind lb-1.
    expect(r.output).to.contain('203.0.113.7 . tcp . 80 . 0 : 10.244.0.2 . 8080');
    expect(r.diagnostics.map((d) => d.message)).to.deep.equal(['203.0.113.7 tcp 80 is claimed by both default/a/tcp/80 and default/b/tcp/80; default/b/tcp/80 is not rendered there']);
  });
});

describe('IPv6 ClientIP affinity with the nftables backend', () => {
  it('is left out with a warning naming the service port, and the rest of the node still renders', () => {
    const objects: SourcedObject[] = [
      ...NODES,
      service({ name: 'sticky6', clusterIPs: ['fd00:96::12'], extra: { sessionAffinity: 'ClientIP' } }),
      slice('sticky6', [{ ip: 'fd00:244::2', node: 'node-a' }]),
      service({ name: 'sticky4', clusterIP: '10.96.0.12', extra: { sessionAffinity: 'ClientIP' } }),
      slice('sticky4', [{ ip: '10.244.0.2', node: 'node-a' }]),
    ];
    const r = renderObjects(objects, variants[0]);
    expect(r.diagnostics.map((d) => d.message)).to.deep.equal([
      'default/sticky6/tcp/80: sessionAffinity ClientIP is not applied to IPv6 with the nftables backend (nft 1.0.6 cannot update a map keyed by IPv6 concatenations); served without affinity',
    ]);
    const v6 = r.output.slice(r.output.indexOf('table ip6 proxyctl {'));
    expect(v6).not.to.match(/update @affinity/);
    expect(r.output).to.contain('10.96.0.12 . tcp . 80 comment "default/sticky4/tcp/80" : goto affinity-10800s');
  });
});
