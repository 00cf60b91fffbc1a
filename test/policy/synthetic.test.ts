import { expect } from 'chai';
import { isAllowed } from '../../src/policy/evaluate.js';
import { compile } from './fixtures.js';
import { syntheticPolicyCluster } from './synthetic.js';

/** The scale fixture: deterministic, and compiling to the shared groups its shape implies. */

describe('policy/synthetic cluster', () => {
  const opts = { pods: 600, namespaces: 20, policies: 60 };
  const objects = syntheticPolicyCluster(opts);

  it('is deterministic and has the requested objects', () => {
    expect(syntheticPolicyCluster(opts)).to.deep.equal(objects);
    const kinds = objects.map((o) => o.kind);
    expect(kinds.filter((k) => k === 'Namespace')).to.have.length(20);
    expect(kinds.filter((k) => k === 'Pod')).to.have.length(600);
    expect(kinds.filter((k) => k === 'NetworkPolicy')).to.have.length(60);
  });

  it('compiles to one group per distinct selector, shared by every rule that names it', () => {
    const plan = compile(objects, 'node-a');
    expect(plan.diagnostics).to.deep.equal([]);
    // Namespaces of even index live on node-a: their 30 policies each select 6 of the 30 pods of
    // their namespace, 18 per namespace (3 policies, 3 apps).
    expect(plan.policies).to.have.length(30);
    expect(plan.targets).to.have.length(180);
    const groups = new Set(plan.policies.flatMap((p) => p.ingress.flatMap((r) => r.peers.groups)));
    // tier=web in each of 10 namespaces, plus team t0, t2, t4, t6, t8.
    expect(groups.size).to.equal(15);
    const named = new Set(plan.policies.flatMap((p) => p.ingress.flatMap((r) => r.ports.namedGroups)));
    expect(named.size).to.equal(1);
  });

  it('allows what the policies say', () => {
    const plan = compile(objects, 'node-a');
    // pod-0: ns-0, app-0, tier web, node-a, 10.100.0.1; selected by policy-0 (team t0: ns-0, ns-10).
    const ip = (i: number) => `10.${100 + (i % 2)}.${(Math.floor(i / 2) + 1) >> 8}.${(Math.floor(i / 2) + 1) & 255}`;
    expect(isAllowed(plan, ip(10), ip(0), 8080, 'TCP')).to.equal(true); // ns-10, team t0
    expect(isAllowed(plan, ip(1), ip(0), 8080, 'TCP')).to.equal(false); // ns-1, team t1, tier api
    expect(isAllowed(plan, ip(3), ip(0), 8080, 'TCP')).to.equal(false); // ns-3, tier web but another namespace and team
    expect(isAllowed(plan, ip(20), ip(0), 8080, 'TCP')).to.equal(true); // ns-0 itself
    expect(isAllowed(plan, ip(10), ip(0), 8081, 'TCP')).to.equal(false);
  });
});
