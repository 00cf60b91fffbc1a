import { expect } from 'chai';
import { renderPolicyIptables, groupChain, groupSet, namedSet, netSet, peerSet, policyChain, staticSet } from '../../src/backends/iptables/policy/index.js';
import { groupKey } from '../../src/backends/nftables/policy/groups.js';
import type { PolicyRenderOptions } from '../../src/backends/nftables/policy/options.js';
import { compile, netpol, pod } from '../policy/fixtures.js';
import { groupId, namedId, webPlan } from './helpers.js';

const ALLOW: PolicyRenderOptions = { unknownPods: 'allow', podCIDRs: ['10.244.0.0/24', 'fd00:10:244::/64'] };
const DENY: PolicyRenderOptions = { ...ALLOW, unknownPods: 'deny' };

const WEB = ['prod/deny-all', 'prod/web'];

/** ipset restore text → set name → { type, members }. */
function ipsets(text: string): Map<string, { type: string; members: string[] }> {
  const out = new Map<string, { type: string; members: string[] }>();
  for (const line of text.split('\n').filter(Boolean)) {
    const [verb, name, arg] = line.split(' ');
    if (verb === 'create') out.set(name, { type: arg, members: [] });
    else if (verb === 'add') out.get(name)!.members.push(arg);
  }
  return out;
}

function chainRules(rules: string, chain: string): string[] {
  return rules.split('\n').filter((l) => l.startsWith(`-A ${chain} `)).map((l) => l.slice(`-A ${chain} `.length));
}

describe('policy render: iptables layout', () => {
  it('renders nothing when nothing is isolated and unknown pods are allowed', () => {
    const plan = compile([pod('a/x', { ips: ['10.244.0.2'] })]);
    expect(renderPolicyIptables(plan, 'ipv4', ALLOW)).to.deep.equal({ ipset: '', rules: '', setNames: [] });
    expect(renderPolicyIptables(plan, 'ipv4', DENY).rules).to.include('-j DROP');
  });

  it('declares only our chains, hooks FORWARD and INPUT, and references only declared chains and sets', () => {
    for (const family of ['ipv4', 'ipv6'] as const) {
      const r = renderPolicyIptables(webPlan(), family, DENY);
      const lines = r.rules.split('\n');
      expect(lines[0]).to.equal('*filter');
      expect(lines.at(-2)).to.equal('COMMIT');
      const declared = lines.filter((l) => l.startsWith(':')).map((l) => l.slice(1).split(' ')[0]);
      for (const c of declared) {
        expect(c).to.match(/^(PROXYCTL-POLICY-|PXP-)/);
        expect(c.length, c).to.be.at.most(28);
      }
      expect(lines.filter((l) => /^-A (FORWARD|INPUT|OUTPUT) /.test(l)).map((l) => l.split(' -j ')[1])).to.deep.equal(['PROXYCTL-POLICY-FORWARD', 'PROXYCTL-POLICY-INPUT']);
      for (const target of r.rules.matchAll(/ -j ([A-Z][A-Z0-9-]+)/g)) {
        if (!['ACCEPT', 'DROP', 'RETURN'].includes(target[1])) expect(declared, target[1]).to.include(target[1]);
      }
      const sets = ipsets(r.ipset);
      for (const name of sets.keys()) expect(name.length, name).to.be.at.most(31);
      for (const used of r.rules.matchAll(/--match-set (\S+)/g)) expect([...sets.keys()], used[1]).to.include(used[1]);
      expect(r.setNames).to.deep.equal([...sets.keys()]);
    }
  });

  it('dispatches a policy group by its members set to one chain: node first, policies, default deny', () => {
    const r = renderPolicyIptables(webPlan(), 'ipv4', ALLOW);
    const inChain = groupChain('ingress', groupKey('ingress', WEB));
    expect(inChain).to.match(/^PXP-IN-[A-Z2-7]{16}$/);
    expect(ipsets(r.ipset).get(groupSet(groupKey('ingress', WEB), 'ipv4'))).to.deep.equal({ type: 'hash:ip', members: ['10.244.0.2', '10.244.0.3'] });
    expect(chainRules(r.rules, 'PROXYCTL-POLICY-INGRESS')).to.include(
      `-m set --match-set ${groupSet(groupKey('ingress', WEB), 'ipv4')} dst -m comment --comment "ingress of pods selected by prod/deny-all, prod/web" -j ${inChain}`,
    );
    expect(chainRules(r.rules, inChain)).to.deep.equal([
      '-m conntrack --ctstate INVALID -m comment --comment "not part of any connection" -j DROP',
      `-m set --match-set ${staticSet('node-ips', 'ipv4')} src -m comment --comment "from this node" -j ACCEPT`,
      `-m comment --comment "prod/deny-all" -j ${policyChain('prod/deny-all', 'ingress')}`,
      `-m comment --comment "prod/web" -j ${policyChain('prod/web', 'ingress')}`,
      '-m comment --comment "default deny ingress" -j DROP',
    ]);
    expect(ipsets(r.ipset).get(staticSet('node-ips', 'ipv4'))!.members).to.deep.equal(['192.168.56.10']);
  });

  it('forward: replies accepted, egress groups by source, then ingress; an egress allow continues to ingress', () => {
    const r = renderPolicyIptables(webPlan(), 'ipv4', ALLOW);
    const fwd = chainRules(r.rules, 'PROXYCTL-POLICY-FORWARD');
    expect(fwd[0]).to.equal('-m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment "replies of allowed connections" -j ACCEPT');
    expect(fwd.at(-1)).to.equal('-j PROXYCTL-POLICY-INGRESS');
    expect(chainRules(r.rules, 'PROXYCTL-POLICY-ALLOWED')).to.deep.equal(['-j PROXYCTL-POLICY-INGRESS', '-m comment --comment "allowed by egress and ingress policy" -j ACCEPT']);
    for (const rule of chainRules(r.rules, policyChain('prod/web', 'egress'))) expect(rule).to.match(/-j PROXYCTL-POLICY-ALLOWED$/);
    for (const rule of chainRules(r.rules, policyChain('prod/web', 'ingress'))) expect(rule).to.match(/-j ACCEPT$/);
    const input = chainRules(r.rules, 'PROXYCTL-POLICY-INPUT');
    expect(input[0]).to.equal('-m conntrack --ctstate RELATED,ESTABLISHED -j RETURN');
    expect(input.slice(1).every((l) => l.includes(' src -m comment') && l.includes('-j PXP-EG-'))).to.equal(true);
  });

  it('policy rules: (peer group | nets) × (port alternatives | named ports); named ports in a hash:ip,port set matched dst,dst', () => {
    const plan = webPlan();
    const r = renderPolicyIptables(plan, 'ipv4', ALLOW);
    const sets = ipsets(r.ipset);
    const db = peerSet(groupId(plan, 'pods {app In (db)} in namespace prod'), 'ipv4');
    const nets = netSet(plan.policies.find((p) => p.id === 'prod/web')!.ingress[0].peers.nets.ipv4, 'ipv4');
    const http = namedSet(namedId(plan, 'targets', 'http'), 'ipv4');
    expect(chainRules(r.rules, policyChain('prod/web', 'ingress'))).to.deep.equal([
      `-m set --match-set ${db} src -p tcp -m multiport --dports 9000:9010 -m comment --comment "prod/web ingress[0]" -j ACCEPT`,
      `-m set --match-set ${db} src -m set --match-set ${http} dst,dst -m comment --comment "prod/web ingress[0]" -j ACCEPT`,
      `-m set --match-set ${nets} src -p tcp -m multiport --dports 9000:9010 -m comment --comment "prod/web ingress[0]" -j ACCEPT`,
      `-m set --match-set ${nets} src -m set --match-set ${http} dst,dst -m comment --comment "prod/web ingress[0]" -j ACCEPT`,
      // ingress[1] has only an IPv6 ipBlock: no IPv4 rule.
    ]);
    expect(sets.get(db)).to.deep.equal({ type: 'hash:ip', members: ['10.244.1.4'] });
    expect(sets.get(nets)!.type).to.equal('hash:net');
    expect(sets.get(nets)!.members).to.include('10.245.0.0/16');
    expect(sets.get(http)).to.deep.equal({ type: 'hash:ip,port', members: ['10.244.0.2,tcp:8080', '10.244.0.3,tcp:8081'] });
    const v6 = renderPolicyIptables(plan, 'ipv6', ALLOW);
    expect(ipsets(v6.ipset).get(netSet(['fd00:192:168::/48'], 'ipv6'))!.members).to.deep.equal(['fd00:192:168::/48']);
    expect(chainRules(v6.rules, policyChain('prod/web', 'ingress')).at(-1)).to.equal(
      `-m set --match-set ${netSet(['fd00:192:168::/48'], 'ipv6')} src -p udp -m comment --comment "prod/web ingress[1]" -j ACCEPT`,
    );
    expect(v6.ipset).to.include('family inet6');
  });

  it('egress matches the remote end as destination; a named port pairs with the peer group only', () => {
    const plan = webPlan();
    const r = renderPolicyIptables(plan, 'ipv4', ALLOW);
    expect(chainRules(r.rules, policyChain('prod/web', 'egress'))).to.deep.equal([
      `-m set --match-set ${peerSet(groupId(plan, 'pods {app In (db)} in namespace prod'), 'ipv4')} dst -m set --match-set ${namedSet(namedId(plan, 'pods', 'sql'), 'ipv4')} dst,dst -m comment --comment "prod/web egress[0]" -j PROXYCTL-POLICY-ALLOWED`,
      '-p udp -m multiport --dports 53 -m comment --comment "prod/web egress[1]" -j PROXYCTL-POLICY-ALLOWED',
    ]);
    expect(chainRules(r.rules, policyChain('prod/web', 'egress'))[0]).to.match(/^-m set --match-set pxc-[a-z2-7]{16}-peers4 dst /);
  });

  it('an ipBlock of 0.0.0.0/0 or ::/0 is split in halves (hash:net holds no /0)', () => {
    const plan = compile([pod('x/a', { ips: ['10.244.0.2', 'fd00::2'] }), netpol('x/p', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }] }] })]);
    expect(ipsets(renderPolicyIptables(plan, 'ipv4', ALLOW).ipset).get(netSet(['0.0.0.0/0'], 'ipv4'))!.members).to.deep.equal(['0.0.0.0/1', '128.0.0.0/1']);
    expect(ipsets(renderPolicyIptables(plan, 'ipv6', ALLOW).ipset).get(netSet(['::/0'], 'ipv6'))!.members).to.deep.equal(['::/1', '8000::/1']);
  });

  it('rules naming the same peers or named port share one ipset', () => {
    const objects = [
      pod('x/a', { labels: { app: 'a', tier: 'web' }, ips: ['10.244.0.2'], ports: [{ name: 'http', containerPort: 8080 }] }),
      pod('x/b', { labels: { app: 'b', tier: 'web' }, ips: ['10.244.0.3'], ports: [{ name: 'http', containerPort: 8081 }] }),
      netpol('x/p1', { podSelector: { matchLabels: { app: 'a' } }, ingress: [{ from: [{ podSelector: { matchLabels: { tier: 'web' } } }], ports: [{ port: 'http' }] }] }),
      netpol('x/p2', { podSelector: { matchLabels: { app: 'b' } }, ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['web'] }] } }], ports: [{ port: 'http' }] }] }),
    ];
    const r = renderPolicyIptables(compile(objects), 'ipv4', ALLOW);
    const shared = [...ipsets(r.ipset)].filter(([name]) => /-(peers|named)4$/.test(name)).map(([, s]) => `${s.type} ${s.members.join(' ')}`);
    expect(shared.sort()).to.deep.equal(['hash:ip 10.244.0.2 10.244.0.3', 'hash:ip,port 10.244.0.2,tcp:8080 10.244.0.3,tcp:8081']);
  });

  it('multiport chunks at 15 ports (a range counts two); a protocol without port is just -p', () => {
    const ports = [...Array.from({ length: 14 }, (_, i) => ({ port: 1000 + 2 * i })), { port: 2000, endPort: 2010 }, { protocol: 'UDP' }, { protocol: 'UDP', port: 53 }];
    const plan = compile([pod('x/a', { ips: ['10.244.0.2'] }), netpol('x/p', { podSelector: {}, ingress: [{ ports }] })]);
    const rules = chainRules(renderPolicyIptables(plan, 'ipv4', ALLOW).rules, policyChain('x/p', 'ingress'));
    expect(rules.map((l) => l.replace(/ -m comment.*/, ''))).to.deep.equal([
      '-p tcp -m multiport --dports 1000,1002,1004,1006,1008,1010,1012,1014,1016,1018,1020,1022,1024,1026',
      '-p tcp -m multiport --dports 2000:2010',
      '-p udp',
    ]);
  });

  it('unknownPods deny: pod CIDR and known pod sets, drops in forward (both ends) and input (non-local source)', () => {
    const r = renderPolicyIptables(webPlan(), 'ipv4', { ...DENY, localPods: ['10.244.0.9'] });
    const sets = ipsets(r.ipset);
    expect(sets.get('pxc-pod-cidrs4')).to.deep.equal({ type: 'hash:net', members: ['10.244.0.0/24'] });
    expect(sets.get('pxc-known-pods4')!.members).to.deep.equal(['10.244.0.2', '10.244.0.3', '10.244.0.7', '10.244.0.9']);
    const fwd = chainRules(r.rules, 'PROXYCTL-POLICY-FORWARD');
    expect(fwd.slice(1, 3)).to.deep.equal([
      '-m set --match-set pxc-pod-cidrs4 src -m set ! --match-set pxc-known-pods4 src -m comment --comment "unknown pod address" -j DROP',
      '-m set --match-set pxc-pod-cidrs4 dst -m set ! --match-set pxc-known-pods4 dst -m comment --comment "unknown pod address" -j DROP',
    ]);
    expect(chainRules(r.rules, 'PROXYCTL-POLICY-INPUT')[1]).to.include('-m addrtype ! --src-type LOCAL');
  });

  it('IPv6 input lets neighbour discovery through before judging pods', () => {
    const input = chainRules(renderPolicyIptables(webPlan(), 'ipv6', DENY).rules, 'PROXYCTL-POLICY-INPUT');
    expect(input.slice(1, 4).map((l) => l.split(' -m comment')[0])).to.deep.equal([
      '-p ipv6-icmp -m icmp6 --icmpv6-type router-solicitation',
      '-p ipv6-icmp -m icmp6 --icmpv6-type neighbour-solicitation',
      '-p ipv6-icmp -m icmp6 --icmpv6-type neighbour-advertisement',
    ]);
  });
});
