import { expect } from 'chai';
import { namedSet, netSet, peerSet, policyChain, policyTablesJson, portSet, renderPolicyNftables, type PolicyRenderOptions } from '../../src/backends/nftables/policy/index.js';
import { groupChain } from '../../src/backends/nftables/policy/names.js';
import { groupKey } from '../../src/backends/nftables/policy/groups.js';
import { NftJson } from '../../src/backends/nftables/schema.js';
import { tablesText } from '../../src/backends/nftables/text.js';
import { ruleText } from '../../src/backends/nftables/ast.js';
import { compile, namespace, netpol, pod } from '../policy/fixtures.js';
import { chain, elements, groupId, namedId, set, table, webPlan } from './helpers.js';

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

  // webPlan's shared sets, by what they hold.
  const DB = () => peerSet(groupId(webPlan(), 'pods {app In (db)} in namespace prod'));
  const HTTP = () => namedSet(namedId(webPlan(), 'targets', 'http'));
  const SQL = () => namedSet(namedId(webPlan(), 'pods', 'sql'));
  const NETS4 = ['10.0.0.0/9', '10.128.0.0/10', '10.192.0.0/11', '10.224.0.0/12', '10.240.0.0/14', '10.245.0.0/16', '10.246.0.0/15', '10.248.0.0/13'];
  const cases: { name: string; family: 'ip' | 'ip6'; set: () => string; want: string[]; comment: string }[] = [
    { name: 'peer pods of a podSelector (on any node)', family: 'ip', set: DB, want: ['10.244.1.4'], comment: 'peers: pods {app In (db)} in namespace prod' },
    { name: 'ipBlock with except, flattened into disjoint nets', family: 'ip', set: () => netSet(NETS4), want: NETS4, comment: 'ipBlocks 10.0.0.0/9' },
    { name: 'numeric ports: intervals of protocol . port', family: 'ip', set: () => portSet('tcp . 9000-9010'), want: ['tcp . 9000-9010'], comment: 'ports tcp 9000-9010' },
    { name: 'ingress named port: every isolated local pod\'s own port', family: 'ip', set: HTTP, want: ['10.244.0.2 . tcp . 8080', '10.244.0.3 . tcp . 8081'], comment: 'named port http/TCP of isolated local pods' },
    { name: 'IPv6 named ports use the pods\' IPv6 addresses', family: 'ip6', set: HTTP, want: ['fd00:10:244::2 . tcp . 8080', 'fd00:10:244::3 . tcp . 8081'], comment: 'named port http/TCP' },
    { name: 'a protocol without port is the whole port range', family: 'ip6', set: () => portSet('udp . 0-65535'), want: ['udp . 0-65535'], comment: 'ports udp 0-65535' },
    { name: 'IPv6 ipBlock lands in the ip6 table', family: 'ip6', set: () => netSet(['fd00:192:168::/48']), want: ['fd00:192:168::/48'], comment: 'ipBlocks fd00:192:168::/48' },
    { name: 'egress named port: every pod\'s own port (paired with the peer group)', family: 'ip', set: SQL, want: ['10.244.1.4 . tcp . 3306'], comment: 'named port sql/TCP of every pod' },
    { name: 'egress single port', family: 'ip', set: () => portSet('udp . 53'), want: ['udp . 53'], comment: 'ports udp 53' },
  ];
  for (const c of cases) {
    it(`set contents: ${c.name}`, () => {
      const t = table(renderPolicyNftables(webPlan(), ALLOW), c.family);
      const s = set(t, c.set());
      expect(elements(s)).to.deep.equal(c.want);
      expect(s.comment).to.include(c.comment);
    });
  }

  it('rules: (peer group | nets) × (port intervals | named ports) → accept, commented with the rule source', () => {
    const t = table(renderPolicyNftables(webPlan(), ALLOW), 'ip');
    const ports = `meta l4proto . th dport @${portSet('tcp . 9000-9010')}`;
    const http = `ip daddr . meta l4proto . th dport @${HTTP()}`;
    expect(rulesOf(t, policyChain('prod/web', 'ingress'))).to.deep.equal([
      `ip saddr @${DB()} ${ports} accept comment "prod/web ingress[0]"`,
      `ip saddr @${DB()} ${http} accept comment "prod/web ingress[0]"`,
      `ip saddr @${netSet(NETS4)} ${ports} accept comment "prod/web ingress[0]"`,
      `ip saddr @${netSet(NETS4)} ${http} accept comment "prod/web ingress[0]"`,
      // ingress[1] has only an IPv6 ipBlock: nothing to match in IPv4, so no rule.
    ]);
    expect(rulesOf(table(renderPolicyNftables(webPlan(), ALLOW), 'ip6'), policyChain('prod/web', 'ingress')).slice(-1)).to.deep.equal([
      `ip6 saddr @${netSet(['fd00:192:168::/48'])} meta l4proto . th dport @${portSet('udp . 0-65535')} accept comment "prod/web ingress[1]"`,
    ]);
    // Egress: a named port pairs with the peer group only, never with bare nets.
    expect(rulesOf(t, policyChain('prod/web', 'egress'))).to.deep.equal([
      `ip daddr @${DB()} ip daddr . meta l4proto . th dport @${SQL()} accept comment "prod/web egress[0]"`,
      `meta l4proto . th dport @${portSet('udp . 53')} accept comment "prod/web egress[1]"`,
    ]);
  });

  it('one set per peer group, named port, ipBlock list and port list, however many rules use it', () => {
    const objects = [
      namespace('x', { team: 'a' }), namespace('y', { team: 'a' }),
      pod('x/a', { labels: { app: 'a', tier: 'web' }, ips: ['10.244.0.2'], ports: [{ name: 'http', containerPort: 8080 }] }),
      pod('x/b', { labels: { app: 'b', tier: 'web' }, ips: ['10.244.0.3'], ports: [{ name: 'http', containerPort: 8081 }] }),
      pod('y/c', { labels: { app: 'c' }, ips: ['10.244.1.4'], node: 'node-2' }),
      // The same peers written three ways, in two policies and two rules.
      netpol('x/p1', { podSelector: { matchLabels: { app: 'a' } }, ingress: [
        { from: [{ podSelector: { matchLabels: { tier: 'web' } } }, { namespaceSelector: { matchLabels: { team: 'a' } } }], ports: [{ port: 'http' }, { port: 80 }] },
        { from: [{ podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['web'] }] } }, { ipBlock: { cidr: '192.0.2.0/24' } }], ports: [{ port: 80 }] },
      ] }),
      netpol('x/p2', { podSelector: { matchLabels: { app: 'b' } }, ingress: [
        { from: [{ podSelector: { matchLabels: { tier: 'web' } } }, { namespaceSelector: { matchLabels: { team: 'a' } }, podSelector: {} }, { ipBlock: { cidr: '192.0.2.0/24' } }], ports: [{ port: 80 }, { port: 'http' }] },
      ] }),
    ];
    const plan = compile(objects);
    const t = table(renderPolicyNftables(plan, ALLOW), 'ip');
    const shared = t.sets.filter((s) => /^(peers|named|nets|ports)-/.test(s.name)).map((s) => `${s.name.split('-')[0]} ${elements(s).join(' ')}`);
    expect(shared.sort()).to.deep.equal([
      'named 10.244.0.2 . tcp . 8080 10.244.0.3 . tcp . 8081',
      'nets 192.0.2.0/24',
      'peers 10.244.0.2 10.244.0.3',
      'peers 10.244.0.2 10.244.0.3 10.244.1.4',
      'ports tcp . 80',
    ]);
    const web = peerSet(groupId(plan, 'pods {tier In (web)} in namespace x'));
    for (const id of ['x/p1', 'x/p2']) expect(rulesOf(t, policyChain(id, 'ingress')).filter((r) => r.includes(`@${web} `))).to.have.length(id === 'x/p1' ? 3 : 2);
  });

  const shapes: { name: string; rule: unknown; want: string[] }[] = [
    { name: 'empty rule {} allows everything', rule: {}, want: ['accept comment "x/p ingress[0]"'] },
    { name: 'ports only: no peer match', rule: { ports: [{ port: 80 }] }, want: [`meta l4proto . th dport @${portSet('tcp . 80')} accept comment "x/p ingress[0]"`] },
    { name: 'peers only: no port match', rule: { from: [{ podSelector: {} }] }, want: [`ip saddr @${peerSet('$ALL_X')} accept comment "x/p ingress[0]"`] },
    // A broken peer list leaves a rule that allows nothing (fail closed): it gets no line at all.
    { name: 'every peer broken: no rule', rule: { from: [{ ipBlock: { cidr: 'nonsense' } }] }, want: [] },
  ];
  for (const c of shapes) {
    it(`rule shape: ${c.name}`, () => {
      const plan = compile([pod('x/a', { ips: ['10.244.0.2'] }), netpol('x/p', { podSelector: {}, ingress: [c.rule] })]);
      const t = table(renderPolicyNftables(plan, ALLOW), 'ip');
      const all = c.want.map((w) => w.replace('$ALL_X', plan.policies[0].ingress[0].peers.groups[0]?.id ?? ''));
      expect(rulesOf(t, policyChain('x/p', 'ingress'))).to.deep.equal(all);
      if (c.name.startsWith('peers only')) expect(plan.policies[0].ingress[0].peers.groups.map((g) => g.selector)).to.deep.equal(['pods {*} in namespace x']);
    });
  }

  it('every port broken: no rule, no set (allows nothing)', () => {
    const plan = compile([pod('x/a', { ips: ['10.244.0.2'] }), netpol('x/p', { podSelector: {}, ingress: [{ ports: [{ port: 'no_such!' }] }] })]);
    const t = table(renderPolicyNftables(plan, ALLOW), 'ip');
    expect(rulesOf(t, policyChain('x/p', 'ingress'))).to.deep.equal([]);
    expect(t.sets.filter((s) => s.name.startsWith('ports-'))).to.deep.equal([]);
  });

  it('merges overlapping ranges (the kernel rejects overlaps); each named port is its own set', () => {
    const plan = compile([
      pod('x/a', { ips: ['10.244.0.2'], ports: [{ name: 'web', containerPort: 85 }, { name: 'alt', containerPort: 7000 }, { name: 'dns', containerPort: 53, protocol: 'UDP' }] }),
      netpol('x/p', { podSelector: {}, ingress: [{ ports: [{ port: 80, endPort: 90 }, { port: 88, endPort: 100 }, { port: 101 }, { port: 'web' }, { port: 'alt' }, { protocol: 'UDP', port: 'dns' }, { protocol: 'SCTP' }] }] }),
    ]);
    const t = table(renderPolicyNftables(plan, ALLOW), 'ip');
    expect(elements(set(t, portSet('tcp . 80-101, sctp . 0-65535')))).to.deep.equal(['tcp . 80-101', 'sctp . 0-65535']);
    const named = (name: string, protocol = 'TCP') => elements(set(t, namedSet(namedId(plan, 'targets', name, protocol))));
    expect([named('web'), named('alt'), named('dns', 'UDP')]).to.deep.equal([['10.244.0.2 . tcp . 85'], ['10.244.0.2 . tcp . 7000'], ['10.244.0.2 . udp . 53']]);
    expect(rulesOf(t, policyChain('x/p', 'ingress'))).to.have.length(4);
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
