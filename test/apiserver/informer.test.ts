// client-node 1.4's real informers (makeInformer / ListWatch) against TestApiServer.

import type { V1EndpointSlice, V1Namespace, V1NetworkPolicy, V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import { expect } from 'chai';
import { endpointSlice, namespace, networkPolicy, node, pod, service } from './fixtures.js';
import { type Harness, startHarness } from './harness.js';
import { cacheLines, record } from './recorder.js';
import type { KubeObject } from './store.js';
import { waitFor } from './wait.js';

function serverLines(objects: KubeObject[]): string[] {
  return objects.map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name} ${o.metadata.resourceVersion}`).sort();
}

describe('apiserver: client-node informers', function () {
  this.timeout(15000);
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('populates the cache from the initial list', async () => {
    h.server.create(service('ns1', 'a'));
    h.server.create(service('ns1', 'b'));
    h.server.create(service('ns2', 'c'));
    const informer = h.informer<V1Service>('/api/v1/services', () => h.core.listServiceForAllNamespaces());
    const rec = record(informer);

    await informer.start();

    expect(rec.events).to.deep.equal(['add ns1/a 1', 'add ns1/b 2', 'add ns2/c 3']);
    expect(cacheLines(informer)).to.deep.equal(serverLines(h.server.list('v1', 'Service')));
    expect(informer.get('a', 'ns1')?.spec?.ports?.[0].port).to.equal(80);
    expect(rec.errors).to.deep.equal([]);
    expect(rec.connects).to.equal(1);
    // start() resolves once the watch response headers arrive, so the watch is already open.
    expect(h.server.openWatches).to.equal(1);
    expect(h.server.stats.recent).to.deep.equal(['GET /api/v1/services', 'GET /api/v1/services?watch=true&resourceVersion=3']);
  });

  it('delivers add, update and delete events in order', async () => {
    h.server.create(service('ns1', 'a'));
    const informer = h.informer<V1Service>('/api/v1/services', () => h.core.listServiceForAllNamespaces());
    const rec = record(informer);
    await informer.start();

    h.server.create(service('ns1', 'b'));
    h.server.update(service('ns1', 'a', 443));
    h.server.delete({ apiVersion: 'v1', kind: 'Service', namespace: 'ns1', name: 'b' });

    await waitFor('three watch events', () => rec.events.length >= 4);
    expect(rec.events).to.deep.equal(['add ns1/a 1', 'add ns1/b 2', 'update ns1/a 3', 'delete ns1/b 4']);
    expect(informer.get('a', 'ns1')?.spec?.ports?.[0].port).to.equal(443);
    expect(informer.get('b', 'ns1')).to.equal(undefined);
    expect(rec.errors).to.deep.equal([]);
  });

  it('serves namespaced paths with only that namespace', async () => {
    h.server.create(service('ns1', 'a'));
    h.server.create(service('ns2', 'b'));
    const informer = h.informer<V1Service>('/api/v1/namespaces/ns1/services', () =>
      h.core.listNamespacedService({ namespace: 'ns1' }),
    );
    const rec = record(informer);
    await informer.start();

    h.server.create(service('ns2', 'c'));
    h.server.create(service('ns1', 'd'));

    await waitFor('ns1/d', () => rec.events.includes('add ns1/d 4'));
    expect(rec.events).to.deep.equal(['add ns1/a 1', 'add ns1/d 4']);
  });

  it('filters nodes by field selector metadata.name (the daemon watches only its own Node)', async () => {
    h.server.create(node('node-a', '10.244.1.0/24'));
    h.server.create(node('node-b', '10.244.2.0/24'));
    const selector = 'metadata.name=node-a';
    const informer = h.fieldInformer<V1Node>('/api/v1/nodes', () => h.core.listNode({ fieldSelector: selector }), selector);
    const rec = record(informer);
    await informer.start();

    h.server.update(node('node-b', '10.244.9.0/24'));
    h.server.update(node('node-a', '10.244.3.0/24'));

    await waitFor('node-a update', () => rec.events.length >= 2);
    expect(rec.events).to.deep.equal(['add node-a 1', 'update node-a 4']);
    expect(informer.get('node-a')?.spec?.podCIDR).to.equal('10.244.3.0/24');
    expect(h.server.stats.recent).to.include('GET /api/v1/nodes?fieldSelector=metadata.name%3Dnode-a');
    expect(h.server.stats.recent).to.include('GET /api/v1/nodes?watch=true&resourceVersion=2&fieldSelector=metadata.name%3Dnode-a');
  });

  it('serves every kind the daemon watches through its generated list function', async () => {
    h.server.create(namespace('ns1'));
    h.server.create(pod('ns1', 'web-0', '10.244.1.5'));
    h.server.create(endpointSlice('ns1', 'web', ['10.244.1.5']));
    h.server.create(networkPolicy('ns1', 'deny-db'));
    const namespaces = h.informer<V1Namespace>('/api/v1/namespaces', () => h.core.listNamespace());
    const pods = h.informer<V1Pod>('/api/v1/pods', () => h.core.listPodForAllNamespaces());
    const slices = h.informer<V1EndpointSlice>('/apis/discovery.k8s.io/v1/endpointslices', () =>
      h.discovery.listEndpointSliceForAllNamespaces(),
    );
    const policies = h.informer<V1NetworkPolicy>('/apis/networking.k8s.io/v1/networkpolicies', () =>
      h.networking.listNetworkPolicyForAllNamespaces(),
    );
    for (const informer of [namespaces, pods, slices, policies]) await informer.start();

    expect(namespaces.get('ns1')?.metadata?.labels).to.deep.equal({ 'kubernetes.io/metadata.name': 'ns1' });
    expect(pods.get('web-0', 'ns1')?.status?.podIP).to.equal('10.244.1.5');
    expect(slices.get('web-abcde', 'ns1')?.endpoints[0].addresses).to.deep.equal(['10.244.1.5']);
    expect(policies.get('deny-db', 'ns1')?.spec?.policyTypes).to.deep.equal(['Ingress']);

    h.server.apply(endpointSlice('ns1', 'web', ['10.244.1.5', '10.244.2.7']));
    await waitFor('slice update', () => slices.get('web-abcde', 'ns1')?.endpoints.length === 2);
    // Watch events carry kind/apiVersion; list items (like the real server's) do not.
    expect(slices.get('web-abcde', 'ns1')?.kind).to.equal('EndpointSlice');
  });
});
