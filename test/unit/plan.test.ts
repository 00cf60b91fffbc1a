import { expect } from 'chai';
import { convertObjects, type SourcedObject } from '../../src/model/convert.js';
import { buildNodeContext } from '../../src/model/context.js';
import { planServices } from '../../src/proxy/plan.js';
import type { ServicePortPlan } from '../../src/proxy/plan-types.js';
import { NODES, service, slice } from './fixtures.js';

function plan(objects: SourcedObject[], flags: Record<string, unknown> = {}) {
  const conv = convertObjects([...NODES, ...objects]);
  const { ctx } = buildNodeContext({ nodeName: 'node-a', ...flags }, conv.state);
  const p = planServices(conv.state, ctx);
  const ports = (family: 'ipv4' | 'ipv6') => p.families.find((f) => f.family === family)!.ports;
  return { ...p, conv, ports, v4: ports('ipv4'), diagnostics: [...conv.diagnostics, ...p.diagnostics] };
}
const ips = (p: ServicePortPlan, list: 'cluster' | 'internal' | 'external') => p[list].map((e) => `${e.ip}:${e.port}`);

describe('service plan (pure semantics)', () => {
  it('uses ready endpoints only, sorted numerically', () => {
    const { v4 } = plan([service({ name: 'web', clusterIP: '10.96.0.10' }), slice('web', [
      { ip: '10.244.0.10', node: 'node-a' }, { ip: '10.244.0.9', node: 'node-a' }, { ip: '10.244.1.5', node: 'node-b', ready: false },
    ])]);
    expect(ips(v4[0], 'cluster')).to.deep.equal(['10.244.0.9:8080', '10.244.0.10:8080']);
  });

  it('falls back to serving+terminating endpoints when none is ready, never to non-serving ones', () => {
    const { v4 } = plan([service({ name: 'web', clusterIP: '10.96.0.10' }), slice('web', [
      { ip: '10.244.0.2', ready: false, serving: true, terminating: true },
      { ip: '10.244.0.3', ready: false, serving: false, terminating: true },
    ])]);
    expect(ips(v4[0], 'cluster')).to.deep.equal(['10.244.0.2:8080']);
  });

  it('resolves the endpoint port by service port name, per slice', () => {
    const { v4 } = plan([
      service({ name: 'web', clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80, targetPort: 'web' }] }),
      slice('web', [{ ip: '10.244.0.2' }], { name: 'web-1', ports: [{ name: 'http', port: 8080 }] }),
      slice('web', [{ ip: '10.244.1.2' }], { name: 'web-2', ports: [{ name: 'http', port: 9090 }] }),
    ]);
    expect(ips(v4[0], 'cluster')).to.deep.equal(['10.244.0.2:8080', '10.244.1.2:9090']);
  });

  it('splits internal and external endpoint lists by traffic policy', () => {
    const { v4 } = plan([
      service({ name: 'web', clusterIP: '10.96.0.10', type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30080 }], extra: { externalTrafficPolicy: 'Local', internalTrafficPolicy: 'Local' } }),
      slice('web', [{ ip: '10.244.0.2', node: 'node-a' }, { ip: '10.244.1.2', node: 'node-b' }]),
    ]);
    expect(v4[0].externalLocal).to.equal(true);
    expect(ips(v4[0], 'cluster')).to.have.length(2);
    expect(ips(v4[0], 'internal')).to.deep.equal(['10.244.0.2:8080']);
    expect(ips(v4[0], 'external')).to.deep.equal(['10.244.0.2:8080']);
  });

  it('warns about a nodePort outside the range, naming the service and field, and keeps the ClusterIP', () => {
    const r = plan([service({ name: 'nginx-service', clusterIP: '10.96.0.10', type: 'NodePort', ports: [{ port: 80, nodePort: 8090 }] })]);
    expect(r.v4[0].nodePort).to.equal(undefined);
    expect(r.diagnostics).to.have.length(1);
    expect(r.diagnostics[0]).to.include({ kind: 'Service', namespace: 'default', name: 'nginx-service', field: 'spec.ports[0].nodePort' });
    const custom = plan([service({ name: 'nginx-service', clusterIP: '10.96.0.10', type: 'NodePort', ports: [{ port: 80, nodePort: 8090 }] })], { nodePortRange: '8000-9000' });
    expect(custom.v4[0].nodePort).to.equal(8090);
  });

  it('renders each family of a dual-stack service from its own slices', () => {
    const r = plan([
      service({ name: 'web', clusterIPs: ['10.96.0.10', 'fd00:96::10'] }),
      slice('web', [{ ip: '10.244.0.2' }], { name: 'v4' }),
      slice('web', [{ ip: 'fd00:244::2' }], { name: 'v6' }),
    ]);
    expect(ips(r.ports('ipv4')[0], 'cluster')).to.deep.equal(['10.244.0.2:8080']);
    expect(ips(r.ports('ipv6')[0], 'cluster')).to.deep.equal(['fd00:244::2:8080']);
    expect(r.ports('ipv6')[0].clusterIP).to.equal('fd00:96::10');
  });

  it('leaves headless, ExternalName and other proxies\' services alone', () => {
    const r = plan([
      service({ name: 'headless', clusterIP: 'None' }),
      service({ name: 'ext', type: 'ExternalName', extra: { externalName: 'example.com' } }),
      service({ name: 'other', clusterIP: '10.96.0.11', labels: { 'service.kubernetes.io/service-proxy-name': 'cilium' } }),
      service({ name: 'ours', clusterIP: '10.96.0.12', labels: { 'service.kubernetes.io/service-proxy-name': 'proxyctl' } }),
    ]);
    expect(r.v4.map((p) => p.name)).to.deep.equal(['ours']);
    expect(r.diagnostics).to.deep.equal([]);
  });

  it('skips a broken object with a warning naming file, object and field, and keeps the rest', () => {
    const r = plan([
      service({ name: 'bad-ip', clusterIP: '10.96.0.300' }),
      service({ name: 'bad-port', clusterIP: '10.96.0.13', ports: [{ port: 70000 }] }),
      service({ name: 'good', clusterIP: '10.96.0.14' }),
    ]);
    expect(r.v4.map((p) => p.name)).to.deep.equal(['good']);
    expect(r.diagnostics.map((d) => `${d.file} ${d.kind} ${d.namespace}/${d.name} ${d.field}`)).to.deep.equal([
      'test.yaml Service default/bad-ip spec.clusterIPs[0]',
      'test.yaml Service default/bad-port spec.ports[0].port',
    ]);
  });

  it('keeps valid LB source ranges and ignores only the broken one (fail closed)', () => {
    const r = plan([service({
      name: 'lb', clusterIP: '10.96.0.10', type: 'LoadBalancer', ports: [{ port: 80, nodePort: 30080 }],
      extra: { loadBalancerSourceRanges: ['198.51.100.0/24', 'not-a-cidr'] },
      status: { loadBalancer: { ingress: [{ ip: '203.0.113.5' }, { hostname: 'lb.example.com' }] } },
    })]);
    expect(r.v4[0].sourceRanges).to.deep.equal(['198.51.100.0/24']);
    expect(r.v4[0].loadBalancerIPs).to.deep.equal(['203.0.113.5']);
    expect(r.diagnostics.map((d) => d.field)).to.deep.equal(['spec.loadBalancerSourceRanges[1]']);
  });

  it('applies the default affinity timeout of 10800 s and a custom one', () => {
    const r = plan([
      service({ name: 'a', clusterIP: '10.96.0.10', extra: { sessionAffinity: 'ClientIP' } }),
      service({ name: 'b', clusterIP: '10.96.0.11', extra: { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } } }),
    ]);
    expect(r.v4.map((p) => p.affinityTimeout)).to.deep.equal([10800, 60]);
  });

  it('defaults node IPs and cluster CIDRs from the Node object, flags win', () => {
    const conv = convertObjects(NODES);
    expect(buildNodeContext({ nodeName: 'node-a' }, conv.state).ctx).to.deep.include({ nodeIPs: ['192.168.56.10'], clusterCIDRs: ['10.244.0.0/24'] });
    expect(buildNodeContext({ nodeName: 'node-a', nodeIPs: ['10.0.0.1'], clusterCIDRs: ['10.244.0.0/16'] }, conv.state).ctx)
      .to.deep.include({ nodeIPs: ['10.0.0.1'], clusterCIDRs: ['10.244.0.0/16'] });
  });
});
