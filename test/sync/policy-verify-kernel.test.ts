import { expect } from 'chai';
import { realExecutor } from '../../src/sync/exec.js';
import { chainsOfTable } from '../../src/sync/nft-chain-list.js';
import { NftPolicyEngine } from '../../src/sync/policy-engine.js';
import { PolicyStore } from '../../src/sync/policy-store.js';
import { nsRun } from '../kernel/exec.js';
import { describeKernel } from '../kernel/kernel-gate.js';
import { namespacePerTest } from '../kernel/netns.js';
import { CTX } from './helpers.js';

const objects = [
  { kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'shop' } },
  { kind: 'Pod', apiVersion: 'v1', metadata: { name: 'db', namespace: 'shop', labels: { app: 'db' } }, spec: { nodeName: 'node-a' }, status: { phase: 'Running', podIP: '10.244.0.6' } },
  { kind: 'NetworkPolicy', apiVersion: 'networking.k8s.io/v1', metadata: { name: 'db', namespace: 'shop' }, spec: { podSelector: { matchLabels: { app: 'db' } } } },
];

describe('chainsOfTable', () => {
  const listing = [
    'table ip proxyctl-policy {', '\tchain forward-egress {', '\t\ttype filter hook forward priority filter - 5; policy accept;', '\t}',
    '\tchain ingress-abc {', '\t\tcomment "ingress of pods selected by shop/db"', '\t}', '}',
    'table ip other {', '\tchain forward-ingress {', '\t}', '}', '',
  ].join('\n');

  it('lists the chains of the named table only', () => {
    expect([...chainsOfTable(listing, 'ip', 'proxyctl-policy')]).to.deep.equal(['forward-egress', 'ingress-abc']);
    expect([...chainsOfTable(listing, 'ip', 'other')]).to.deep.equal(['forward-ingress']);
    expect(chainsOfTable(listing, 'ip6', 'proxyctl-policy').size).to.equal(0);
  });
});

describeKernel('NetworkPolicy nftables engine: the periodic check @kernel', () => {
  let ns: string;
  namespacePerTest('polv', (created) => (ns = created));

  it('passes on our tables and fails once a base chain or the table is gone', async () => {
    const store = new PolicyStore();
    for (const o of objects) store.upsert(o);
    const engine = new NftPolicyEngine(realExecutor(['ip', 'netns', 'exec', ns]), { unknownPods: 'allow', podCIDRs: () => ['10.244.0.0/24'] });
    await engine.sync(store, CTX, store.takeDirty().services, true);
    expect(await engine.verify()).to.equal(true);
    await nsRun(ns, 'nft', ['delete', 'chain', 'ip', 'proxyctl-policy', 'input-egress']);
    expect(await engine.verify()).to.equal(false);
    await engine.sync(store, CTX, new Set(), true);
    expect(await engine.verify()).to.equal(true);
    await nsRun(ns, 'nft', ['flush', 'ruleset']);
    expect(await engine.verify()).to.equal(false);
  });
});
