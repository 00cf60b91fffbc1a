import { expect } from 'chai';
import { V1NetworkPolicy, V1NetworkPolicyIngressRule, V1NetworkPolicySpec } from '@kubernetes/client-node';
import { toWire } from '../../src/kube/wire.js';

describe('typed client-node objects back to wire JSON', () => {
  it('keeps a listed NetworkPolicy\'s `from` peers (the model calls them `_from`)', () => {
    const rule = new V1NetworkPolicyIngressRule();
    rule._from = [{ podSelector: { matchLabels: { app: 'web' } } }];
    rule.ports = [{ port: 5432 }];
    const spec = new V1NetworkPolicySpec();
    spec.podSelector = {};
    spec.ingress = [rule];
    const policy = new V1NetworkPolicy();
    policy.metadata = { name: 'db', namespace: 'shop', creationTimestamp: new Date('2026-01-02T03:04:05Z') };
    policy.spec = spec;
    const wire = toWire(policy) as { spec: { ingress: Record<string, unknown>[] }; metadata: { creationTimestamp: string } };
    expect(wire.spec.ingress[0]).to.deep.equal({ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 5432 }] });
    expect(wire.metadata.creationTimestamp).to.equal('2026-01-02T03:04:05.000Z');
  });
});
