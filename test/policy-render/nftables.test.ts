import { expect } from 'chai';
import { policyChain, policyTablesJson, renderPolicyNftables, ruleSet, type PolicyRenderOptions } from '../../src/backends/nftables/policy/index.js';
import { groupChain } from '../../src/backends/nftables/policy/names.js';
import { groupKey } from '../../src/backends/nftables/policy/groups.js';
import { NftJson } from '../../src/backends/nftables/schema.js';
import { tablesText } from '../../src/backends/nftables/text.js';
import { ruleText } from '../../src/backends/nftables/ast.js';
import { compile, namespace, netpol, pod } from '../policy/fixtures.js';
import { chain, elements, set, table, webPlan } from './helpers.js';

const ALLOW: PolicyRenderOptions = { unknownPods: 'allow', podCIDRs: ['10.244.0.0/24', 'fd00:10:244::/64'] };
const DENY: PolicyRenderOptions = { ...ALLOW, unknownPods: 'deny' };

const WEB_IN = groupChain('ingress', groupKey('ingress', ['prod/deny-all', 'prod/web']));
const WEB_EG = groupChain('egress', groupKey('egress', ['prod/deny-all', 'prod/web']));
const TOOLS_IN = groupChain('ingress', groupKey('ingress', ['prod/deny-all']));

const rulesOf = (t: ReturnType<typeof table>, name: string) => chain(t, name).rules.map(ruleText);

describe('policy render: nftables layout', () => {
  it('renders no table when nothing is isolated and unknown pods are allowed', () => {
    const plan = compile([pod('a/x', { ips: ['10.244.0.2'] })]);
    expect(renderPolicyNftables(plan, ALLOW)).to.deep.equal([]);
    const tables = renderPolicyNftables(plan, DENY);
    expect(tables.map((t) => `${t.family} ${t.name}`)).to.deep.equal(['ip proxyctl-policy', 'ip6 proxyctl-policy']);
  });

  it('hooks forward (egress at filter - 5, then ingress at filter - 4) and input (egress to the node)', () => {
    const t = table(renderPolicyNftables(webPlan(), ALLOW), 'ip');
    const bases = t.chains.filter((c) => c.base).map((c) => `${c.name} ${c.base!.hook} ${c.base!.priority} ${c.base!.prio}`);
    expect(bases).to.deep.equal(['forward-egress forward filter - 5 -5', 'forward-ingress forward filter - 4 -4', 'input-egress input filter - 5 -5']);
    expect(rulesOf(t, 'forward-egress')).to.deep.equal([
      'ct state { established, related } accept comment "replies of allowed connections"',
      'ip saddr vmap @egress-pods comment "egress-isolated local pods"',
    ]);
    expect(rulesOf(t, 'forward-ingress')[1]).to.equal('ip daddr vmap @ingress-pods comment "ingress-isolated local pods"');
    expect(rulesOf(t, 'input-egress')[1]).to.equal('ip saddr vmap @egress-pods comment "egress-isolated local pods reaching the node"');
  });

  it('dispatches each isolated pod address to the chain of its policy group; replicas share one chain', () => {
    const t = table(renderPolicyNftables(webPlan(), ALLOW), 'ip');
    expect(elements(set(t, 'ingress-pods'))).to.deep.equal([`10.244.0.2 : jump ${WEB_IN}`, `10.244.0.3 : jump ${WEB_IN}`, `10.244.0.7 : jump ${TOOLS_IN}`]);
    expect(set(t, 'ingress-pods').elements.map((e) => e.comment)).to.deep.equal(['prod/web-1', 'prod/web-2', 'prod/tools']);
    expect(elements(set(t, 'egress-pods'))).to.have.length(3);
    const t6 = table(renderPolicyNftables(webPlan(), ALLOW), 'ip6');
    expect(elements(set(t6, 'ingress-pods'))).to.deep.equal([`fd00:10:244::2 : jump ${WEB_IN}`, `fd00:10:244::3 : jump ${WEB_IN}`]);
  });

  it('a group chain lets the node in, tries each policy, then drops; comments name the policies', () => {
    const t = table(renderPolicyNftables(webPlan(), ALLOW), 'ip');
    expect(WEB_IN).to.match(/^ingress-[a-z2-7]{16}$/);
    expect(chain(t, WEB_IN).comment).to.equal('ingress of pods selected by prod/deny-all, prod/web');
    expect(rulesOf(t, WEB_IN)).to.deep.equal([
      'ct state invalid drop comment "not part of any connection"',
      'ip saddr @node-ips accept comment "from this node"',
      `jump ${policyChain('prod/deny-all', 'ingress')} comment "prod/deny-all"`,
      `jump ${policyChain('prod/web', 'ingress')} comment "prod/web"`,
      'drop comment "default deny ingress"',
    ]);
    expect(rulesOf(t, WEB_EG).some((r) => r.includes('node-ips'))).to.equal(false);
    expect(rulesOf(t, WEB_EG).at(-1)).to.equal('drop comment "default deny egress"');
    expect(elements(set(t, 'node-ips'))).to.deep.equal(['192.168.56.10']);
  });

  it('a policy chain per used direction, named by hash, commented with the policy', () => {
    const t = table(renderPolicyNftables(webPlan(), ALLOW), 'ip');
    const pc = chain(t, policyChain('prod/web', 'ingress'));
    expect(pc.name).to.match(/^policy-[a-z2-7]{16}-ingress$/);
    expect(pc.comment).to.equal('prod/web ingress');
    expect(chain(t, policyChain('prod/deny-all', 'egress')).rules).to.deep.equal([]);
    expect(t.chains.filter((c) => c.name.startsWith('policy-')).map((c) => c.comment)).to.deep.equal([
      'prod/deny-all ingress', 'prod/deny-all egress', 'prod/web ingress', 'prod/web egress',
    ]);
  });

  const cases: { name: string; family: 'ip' | 'ip6'; set: [string, 'ingress' | 'egress', number, 'pods' | 'nets' | 'ports']; want: string[] }[] = [
    { name: 'peer pods of a podSelector (on any node)', family: 'ip', set: ['prod/web', 'ingress', 0, 'pods'], want: ['10.244.1.4'] },
    { name: 'ipBlock with except, flattened into disjoint nets', family: 'ip', set: ['prod/web', 'ingress', 0, 'nets'], want: ['10.0.0.0/9', '10.128.0.0/10', '10.192.0.0/11', '10.224.0.0/12', '10.240.0.0/14', '10.245.0.0/16', '10.246.0.0/15', '10.248.0.0/13'] },
    { name: 'ingress ports: a range for any daddr, named ports per local pod', family: 'ip', set: ['prod/web', 'ingress', 0, 'ports'], want: ['0.0.0.0/0 . tcp . 9000-9010', '10.244.0.2 . tcp . 8080', '10.244.0.3 . tcp . 8081'] },
    { name: 'IPv6 named ports use the pods\' IPv6 addresses', family: 'ip6', set: ['prod/web', 'ingress', 0, 'ports'], want: ['::/0 . tcp . 9000-9010', 'fd00:10:244::2 . tcp . 8080', 'fd00:10:244::3 . tcp . 8081'] },
    { name: 'a protocol without port is the whole port range', family: 'ip6', set: ['prod/web', 'ingress', 1, 'ports'], want: ['::/0 . udp . 0-65535'] },
    { name: 'IPv6 ipBlock lands in the ip6 table', family: 'ip6', set: ['prod/web', 'ingress', 1, 'nets'], want: ['fd00:192:168::/48'] },
    { name: 'egress named port resolves on the peer pod', family: 'ip', set: ['prod/web', 'egress', 0, 'ports'], want: ['10.244.1.4 . tcp . 3306'] },
    { name: 'egress single port', family: 'ip', set: ['prod/web', 'egress', 1, 'ports'], want: ['0.0.0.0/0 . udp . 53'] },
  ];
  for (const c of cases) {
    it(`set contents: ${c.name}`, () => {
      const t = table(renderPolicyNftables(webPlan(), ALLOW), c.family);
      const s = set(t, ruleSet(...c.set));
      expect(elements(s)).to.deep.equal(c.want);
      expect(s.comment).to.include(`${c.set[0]} ${c.set[1]}[${c.set[2]}]`);
    });
  }

  it('rules: peer set(s) AND the port set → accept, one per peer kind, commented with the rule source', () => {
    const t = table(renderPolicyNftables(webPlan(), ALLOW), 'ip');
    const n = (kind: 'pods' | 'nets' | 'ports', i = 0) => `@${ruleSet('prod/web', 'ingress', i, kind)}`;
    expect(rulesOf(t, policyChain('prod/web', 'ingress'))).to.deep.equal([
      `ip saddr ${n('pods')} ip daddr . meta l4proto . th dport ${n('ports')} accept comment "prod/web ingress[0]"`,
      `ip saddr ${n('nets')} ip daddr . meta l4proto . th dport ${n('ports')} accept comment "prod/web ingress[0]"`,
      // ingress[1] has only an IPv6 ipBlock: its pods set stays (empty) so a pod never changes rules.
      `ip saddr ${n('pods', 1)} ip daddr . meta l4proto . th dport ${n('ports', 1)} accept comment "prod/web ingress[1]"`,
    ]);
    const eg = (kind: 'pods' | 'ports', i: number) => `@${ruleSet('prod/web', 'egress', i, kind)}`;
    expect(rulesOf(t, policyChain('prod/web', 'egress'))).to.deep.equal([
      `ip daddr ${eg('pods', 0)} ip daddr . meta l4proto . th dport ${eg('ports', 0)} accept comment "prod/web egress[0]"`,
      `ip daddr . meta l4proto . th dport ${eg('ports', 1)} accept comment "prod/web egress[1]"`,
    ]);
  });

  const shapes: { name: string; rule: unknown; want: string[] }[] = [
    { name: 'empty rule {} allows everything', rule: {}, want: ['accept comment "x/p ingress[0]"'] },
    { name: 'ports only: no peer match', rule: { ports: [{ port: 80 }] }, want: [`ip daddr . meta l4proto . th dport @${ruleSet('x/p', 'ingress', 0, 'ports')} accept comment "x/p ingress[0]"`] },
    { name: 'peers only: no port match', rule: { from: [{ podSelector: {} }] }, want: [`ip saddr @${ruleSet('x/p', 'ingress', 0, 'pods')} accept comment "x/p ingress[0]"`] },
    // A broken peer list leaves a rule whose pods set is empty: it allows nothing (fail closed).
    { name: 'every peer broken: empty peer set', rule: { from: [{ ipBlock: { cidr: 'nonsense' } }] }, want: [`ip saddr @${ruleSet('x/p', 'ingress', 0, 'pods')} accept comment "x/p ingress[0]"`] },
  ];
  for (const c of shapes) {
    it(`rule shape: ${c.name}`, () => {
      const plan = compile([pod('x/a', { ips: ['10.244.0.2'] }), netpol('x/p', { podSelector: {}, ingress: [c.rule] })]);
      const t = table(renderPolicyNftables(plan, ALLOW), 'ip');
      expect(rulesOf(t, policyChain('x/p', 'ingress'))).to.deep.equal(c.want);
      if (c.name.startsWith('every peer broken')) expect(set(t, ruleSet('x/p', 'ingress', 0, 'pods')).elements).to.deep.equal([]);
    });
  }

  it('every port broken: an empty port set allows nothing', () => {
    const plan = compile([pod('x/a', { ips: ['10.244.0.2'] }), netpol('x/p', { podSelector: {}, ingress: [{ ports: [{ port: 'no_such!' }] }] })]);
    const t = table(renderPolicyNftables(plan, ALLOW), 'ip');
    expect(set(t, ruleSet('x/p', 'ingress', 0, 'ports')).elements).to.deep.equal([]);
    expect(rulesOf(t, policyChain('x/p', 'ingress'))).to.have.length(1);
  });

  it('merges overlapping ranges and drops named ports a range covers (the kernel rejects overlaps)', () => {
    const plan = compile([
      pod('x/a', { ips: ['10.244.0.2'], ports: [{ name: 'web', containerPort: 85 }, { name: 'alt', containerPort: 7000 }, { name: 'dns', containerPort: 53, protocol: 'UDP' }] }),
      netpol('x/p', { podSelector: {}, ingress: [{ ports: [{ port: 80, endPort: 90 }, { port: 88, endPort: 100 }, { port: 101 }, { port: 'web' }, { port: 'alt' }, { protocol: 'UDP', port: 'dns' }, { protocol: 'SCTP' }] }] }),
    ]);
    const t = table(renderPolicyNftables(plan, ALLOW), 'ip');
    expect(elements(set(t, ruleSet('x/p', 'ingress', 0, 'ports')))).to.deep.equal([
      '0.0.0.0/0 . tcp . 80-101', '0.0.0.0/0 . sctp . 0-65535', '10.244.0.2 . tcp . 7000', '10.244.0.2 . udp . 53',
    ]);
  });

  it('unknownPods deny: pod-cidrs and known-pods sets and a drop in every base chain', () => {
    const plan = webPlan();
    const t = table(renderPolicyNftables(plan, { ...DENY, podCIDRs: ['10.244.0.0/25', '10.244.0.128/25', 'bogus', 'fd00:10:244::/64'], localPods: ['10.244.0.9', 'fd00:10:244::9', 'nope'] }), 'ip');
    expect(elements(set(t, 'pod-cidrs'))).to.deep.equal(['10.244.0.0/24']);
    expect(elements(set(t, 'known-pods'))).to.deep.equal(['10.244.0.2', '10.244.0.3', '10.244.0.7', '10.244.0.9']);
    expect(rulesOf(t, 'forward-egress')[1]).to.equal('ip saddr @pod-cidrs ip saddr != @known-pods drop comment "unknown pod address"');
    expect(rulesOf(t, 'forward-ingress')[1]).to.equal('ip daddr @pod-cidrs ip daddr != @known-pods drop comment "unknown pod address"');
    expect(rulesOf(t, 'input-egress')[1]).to.equal('ip saddr @pod-cidrs ip saddr != @known-pods fib saddr type != local drop comment "unknown pod address"');
    const allow = table(renderPolicyNftables(plan, ALLOW), 'ip');
    expect(allow.sets.map((s) => s.name)).to.not.include.members(['pod-cidrs', 'known-pods']);
  });

  it('IPv6: the same dispatch with ip6 fields, and neighbour discovery passes input before pod rules', () => {
    const t = table(renderPolicyNftables(webPlan(), DENY), 'ip6');
    expect(rulesOf(t, 'forward-egress')[2]).to.equal('ip6 saddr vmap @egress-pods comment "egress-isolated local pods"');
    expect(rulesOf(t, 'input-egress').slice(1, 2)).to.deep.equal(['icmpv6 type { nd-router-solicit, nd-neighbor-solicit, nd-neighbor-advert } accept comment "IPv6 neighbour discovery"']);
    expect(elements(set(t, 'pod-cidrs'))).to.deep.equal(['fd00:10:244::/64']);
    expect(set(t, 'egress-pods').keyType).to.deep.equal(['ipv6_addr']);
  });

  it('text starts by replacing both tables; JSON passes the schema with ranges, chains before sets', () => {
    const tables = renderPolicyNftables(webPlan(), DENY);
    expect(tablesText(tables).split('\n').slice(0, 4)).to.deep.equal([
      'add table ip proxyctl-policy', 'delete table ip proxyctl-policy', 'add table ip6 proxyctl-policy', 'delete table ip6 proxyctl-policy',
    ]);
    const json = policyTablesJson(tables);
    NftJson.parse(json);
    const text = JSON.stringify(json);
    expect(text).to.include('{"range":[9000,9010]}');
    expect(text).to.not.include('"9000-9010"');
    // Per table: table, chains, sets and maps, rules (a map element may jump to any chain).
    const plural: Record<string, string> = { chain: 'chains', set: 'sets', map: 'sets', rule: 'rules' };
    const kinds = json.nftables.map((i) => Object.keys(i as object)[0]).map((k) => plural[k] ?? k).filter((k, i, all) => k !== all[i - 1]).join(' ');
    expect(kinds).to.equal('metainfo table chains sets rules table chains sets rules');
  });

  it('clips long comments to nft\'s 128 bytes', () => {
    const long = 'p'.repeat(200);
    const plan = compile([namespace('x'), pod('x/a', { ips: ['10.244.0.2'] }), netpol(`x/${long}`, { podSelector: {}, ingress: [{}] })]);
    const t = table(renderPolicyNftables(plan, ALLOW), 'ip');
    const comments = [...t.chains.flatMap((c) => [c.comment, ...c.rules.map((r) => r.comment)]), ...t.sets.map((s) => s.comment)].filter(Boolean) as string[];
    for (const c of comments) expect(c.length).to.be.at.most(128);
    NftJson.parse(policyTablesJson([t]));
  });
});
