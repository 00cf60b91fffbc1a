import { expect } from 'chai';
import { hash16 } from '../../src/policy/hash.js';
import type { CompiledRule, PolicyPlan } from '../../src/policy/types.js';
import { compile, expectFlows, namespace, netpol, pod } from './fixtures.js';

/** Shared peer groups and named-port groups: one object per selection, whatever rules use it. */

const objects: unknown[] = [
  namespace('x', { team: 'a' }),
  namespace('y', { team: 'a' }),
  namespace('z', { team: 'b' }),
  pod('x/a', { labels: { app: 'a', tier: 'web' }, ips: ['10.0.0.1', 'fd00::1'], ports: [{ name: 'http', containerPort: 8080 }] }),
  pod('x/b', { labels: { app: 'b', tier: 'web' }, ips: ['10.0.0.2'], ports: [{ name: 'http', containerPort: 8081 }] }),
  pod('x/c', { labels: { app: 'c' }, ips: ['10.0.0.3'], ports: [{ name: 'http', containerPort: 8082 }] }),
  pod('y/d', { labels: { tier: 'web' }, ips: ['10.0.1.4'], node: 'node-2', ports: [{ name: 'http', containerPort: 9090 }] }),
  pod('z/e', { labels: { tier: 'web' }, ips: ['10.0.2.5'], node: 'node-2' }),
  netpol('x/p1', { podSelector: { matchLabels: { app: 'a' } }, ingress: [
    { from: [{ podSelector: { matchLabels: { tier: 'web' } } }], ports: [{ port: 'http' }] },
    { from: [{ podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['web'] }] } }, { namespaceSelector: { matchLabels: { team: 'a' } } }] },
  ] }),
  netpol('x/p2', { podSelector: { matchLabels: { app: 'b' } }, policyTypes: ['Ingress', 'Egress'],
    ingress: [{ from: [{ podSelector: { matchLabels: { tier: 'web' } } }], ports: [{ port: 'http' }] }],
    egress: [{ to: [{ namespaceSelector: { matchLabels: { team: 'a' } }, podSelector: {} }], ports: [{ port: 'http' }] }],
  }),
  netpol('y/p3', { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { tier: 'web' } } }] }] }),
];

const rules = (plan: PolicyPlan): Record<string, CompiledRule> =>
  Object.fromEntries(plan.policies.flatMap((p) => [...p.ingress, ...p.egress].map((r) => [r.source, r])));

describe('policy/groups: shared selections', () => {
  const plan = compile(objects, null);
  const r = rules(plan);

  it('equal selectors (matchLabels or In, any policy) are one group object, named by the hash of their identity', () => {
    const web = r['x/p1 ingress[0]'].peers.groups[0];
    expect(web.selector).to.equal('pods {tier In (web)} in namespace x');
    expect(web.id).to.equal(hash16(web.selector));
    expect(r['x/p1 ingress[1]'].peers.groups).to.include(web);
    expect(r['x/p2 ingress[0]'].peers.groups[0]).to.equal(web);
    expect(web.pods).to.deep.equal({ ipv4: ['10.0.0.1', '10.0.0.2'], ipv6: ['fd00::1'] });
  });

  it('the same podSelector in another namespace is another group; an absent or empty podSelector with a namespaceSelector are one', () => {
    expect(r['y/p3 ingress[0]'].peers.groups[0].selector).to.equal('pods {tier In (web)} in namespace y');
    const team = r['x/p1 ingress[1]'].peers.groups.find((g) => g.selector.includes('namespaces'))!;
    expect(team.selector).to.equal('pods {*} in namespaces {team In (a)}');
    expect(r['x/p2 egress[0]'].peers.groups[0]).to.equal(team);
    expect(team.pods.ipv4).to.deep.equal(['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.1.4']);
  });

  it('a rule\'s pods are its groups\' union (the group\'s own set when it has one group); groups sorted by id', () => {
    const one = r['x/p1 ingress[0]'].peers;
    expect(one.pods).to.equal(one.groups[0].pods);
    const two = r['x/p1 ingress[1]'].peers;
    expect(two.groups.map((g) => g.id)).to.deep.equal([...two.groups.map((g) => g.id)].sort());
    expect(two.pods.ipv4).to.deep.equal(['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.1.4']);
  });

  it('named ports: ingress groups resolve on every target, egress groups on every pod; the rule\'s own list stays exact', () => {
    const ingress = r['x/p1 ingress[0]'].ports;
    expect(ingress.namedGroups).to.have.length(1);
    expect(ingress.namedGroups[0]).to.include({ scope: 'targets', name: 'http', protocol: 'TCP', id: hash16('targets http/TCP') });
    // Targets on every node (nodeName null): x/a, x/b and y's pods.
    expect(ingress.namedGroups[0].entries.map((e) => `${e.address}:${e.port}`)).to.deep.equal(['10.0.0.1:8080', '10.0.0.2:8081', '10.0.1.4:9090', 'fd00::1:8080']);
    expect(ingress.named.map((e) => `${e.address}:${e.port}`)).to.deep.equal(['10.0.0.1:8080', 'fd00::1:8080']);
    expect(r['x/p2 ingress[0]'].ports.namedGroups[0]).to.equal(ingress.namedGroups[0]);
    const egress = r['x/p2 egress[0]'].ports;
    expect(egress.namedGroups[0]).to.include({ scope: 'pods', name: 'http', protocol: 'TCP' });
    expect(egress.namedGroups[0].entries.map((e) => `${e.address}:${e.port}`)).to.deep.equal(['10.0.0.1:8080', '10.0.0.2:8081', '10.0.0.3:8082', '10.0.1.4:9090', 'fd00::1:8080']);
    expect(egress.named.map((e) => e.address)).to.deep.equal(['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.1.4', 'fd00::1']);
  });

  it('semantics are the evaluator\'s as before', () => {
    expectFlows(plan, objects,
      ['x/b -> x/a:8080', 'y/d -> x/a:1234', 'x/c -> x/a:80', 'x/a -> x/b:8081', 'x/b -> x/c:8082'],
      ['z/e -> x/a:8080', 'x/c -> x/b:8081', 'x/a -> x/b:8080', 'x/b -> x/c:8080', 'x/b -> z/e:8080', 'z/e -> y/d:1', 'x/b -> y/d:9090']);
  });

  it('localPods: every running pod-network pod on the node, isolated or not', () => {
    const here = compile([...objects, pod('x/host', { ips: ['192.168.1.1'], hostNetwork: true }), pod('x/pending', { ips: ['10.0.0.9'], phase: 'Pending' })], 'node-1');
    expect(here.localPods).to.deep.equal({ ipv4: ['10.0.0.1', '10.0.0.2', '10.0.0.3'], ipv6: ['fd00::1'] });
    expect(here.targets.map((t) => t.id)).to.deep.equal(['x/a', 'x/b']);
  });
});
