import { expect } from 'chai';
import { parseCIDR } from '../../src/policy/cidr.js';
import { isAllowed } from '../../src/policy/evaluate.js';
import { compile, namespace, netpol, pod, shuffled } from './fixtures.js';

/** Same objects in any order → deep-equal plan; and the flattened nets agree with the evaluator. */

function cluster(): unknown[] {
  const objects: unknown[] = [namespace('web', { team: 'a' }), namespace('db', { team: 'b' }), namespace('ops')];
  for (let i = 0; i < 12; i++) {
    const ns = ['web', 'db', 'ops'][i % 3];
    objects.push(pod(`${ns}/p${i}`, {
      labels: { app: `app${i % 4}`, ...(i % 2 ? { tier: 'back' } : {}) },
      node: i % 2 ? 'node-1' : 'node-2',
      ips: [`10.2.${i % 3}.${20 - i}`, `fd00:2::${(20 - i).toString(16)}`],
      ports: [{ name: 'http', containerPort: 8000 + (i % 3) }],
      ...(i === 5 ? { phase: 'Pending' } : {}),
    }));
  }
  objects.push(
    netpol('web/a', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'b' } } }, { ipBlock: { cidr: '172.16.0.0/12', except: ['172.16.9.0/24', '172.16.1.0/24'] } }], ports: [{ port: 'http' }, { port: 443 }, { protocol: 'UDP' }] }] }),
    netpol('web/b', { podSelector: { matchLabels: { tier: 'back' } }, policyTypes: ['Egress', 'Ingress'], egress: [{ to: [{ podSelector: {}, namespaceSelector: {} }], ports: [{ port: 'http' }] }, { to: [{ ipBlock: { cidr: 'fd00:2::/64', except: ['fd00:2::10/124'] } }] }] }),
    netpol('db/a', { podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['app1', 'app2'] }] }, ingress: [{ from: [{ podSelector: { matchLabels: { tier: 'back' } } }, { ipBlock: { cidr: 'bad' } }] }] }),
    netpol('ops/a', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    { kind: 'Pod', metadata: { namespace: 'web' } },
  );
  return objects;
}

describe('policy/determinism', () => {
  const objects = cluster();
  const reference = compile(objects, 'node-1');

  it('the reference plan is not trivial', () => {
    expect(reference.targets.length).to.be.greaterThan(2);
    expect(reference.policies.map((p) => p.id)).to.deep.equal(['db/a', 'ops/a', 'web/a', 'web/b']);
    expect(reference.diagnostics).to.have.length(2);
  });

  for (const seed of [1, 2, 3, 42, 1234, 99991]) {
    it(`shuffled input (seed ${seed}) yields a deep-equal plan`, () => {
      expect(compile(shuffled(objects, seed), 'node-1')).to.deep.equal(reference);
    });
  }

  it('duplicates resolve the same way in either order', () => {
    const one = netpol('web/dup', { podSelector: {}, ingress: [{}] });
    const two = netpol('web/dup', { podSelector: {}, ingress: [] });
    expect(compile([...objects, one, two], 'node-1')).to.deep.equal(compile([two, ...objects, one], 'node-1'));
  });

  it('flattened nets match ipBlock/except semantics on sampled addresses', () => {
    const rule = reference.policies.find((p) => p.id === 'web/a')!.ingress[0];
    const inNets = (ip: string) => rule.peers.nets.ipv4.some((c) => {
      const r = parseCIDR(c)!;
      const v = parseCIDR(`${ip}/32`)!.start;
      return r.start <= v && v <= r.end;
    });
    const target = reference.targets.find((t) => t.ingressPolicies.includes('web/a'))!;
    for (let i = 0; i < 400; i++) {
      const ip = `172.${14 + (i % 5)}.${(i * 7) % 12}.${(i * 13) % 256}`;
      expect(isAllowed(reference, ip, target.addresses.ipv4[0], 443, 'TCP'), ip).to.equal(inNets(ip));
    }
  });
});
