import { expect } from 'chai';
import { buildInventory } from '../../src/policy/inventory.js';
import { readPolicyObjects, sourcesOf } from '../../src/policy/objects.js';
import { PodIndex } from '../../src/policy/pod-index.js';
import { selectorKey } from '../../src/policy/selector-key.js';
import { matchesSelector, parseSelector, type Selector } from '../../src/policy/selectors.js';
import { compile, netpol, pod, shuffled } from './fixtures.js';

/** The label index and the parse memo are shortcuts: they must never change an answer. */

describe('policy/selection: label index', () => {
  const values = ['a', 'b', 'c'];
  const objects = Array.from({ length: 120 }, (_, i) => pod(`ns${i % 4}/p${i}`, {
    labels: Object.fromEntries([['app', values[i % 3]], ['tier', values[(i >> 2) % 3]], ...(i % 5 ? [['opt', values[i % 2]]] : [])]),
    ips: [`10.0.${i >> 8}.${i & 255}`],
  }));
  const inventory = buildInventory(readPolicyObjects(sourcesOf(shuffled(objects, 7)), []).pods, [], []);
  const index = new PodIndex(inventory);

  const selectors: Record<string, unknown>[] = [
    {},
    { matchLabels: { app: 'a' } },
    { matchLabels: { app: 'a', tier: 'b' } },
    { matchLabels: { app: 'nope' } },
    { matchExpressions: [{ key: 'app', operator: 'In', values: ['a', 'c'] }] },
    { matchExpressions: [{ key: 'app', operator: 'In', values: ['c', 'a'] }, { key: 'opt', operator: 'Exists' }] },
    { matchExpressions: [{ key: 'opt', operator: 'DoesNotExist' }] },
    { matchExpressions: [{ key: 'opt', operator: 'NotIn', values: ['a'] }] },
    { matchLabels: { tier: 'c' }, matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['b'] }] },
    { matchExpressions: [{ key: 'missing', operator: 'Exists' }] },
  ];
  for (const raw of selectors) {
    it(`selects what a scan selects: ${JSON.stringify(raw)}`, () => {
      const selector = parseSelector(raw, 's');
      for (const ns of ['ns0', 'ns1', 'ns2', 'ns3', 'nsX']) {
        const scan = (inventory.podsByNamespace.get(ns) ?? []).filter((p) => matchesSelector(selector, p.labels));
        expect(index.select(ns, selector).map((p) => p.id), ns).to.deep.equal(scan.map((p) => p.id));
      }
    });
  }

  it('canonical keys: order and spelling do not matter, meaning does', () => {
    const key = (raw: unknown) => selectorKey(parseSelector(raw, 's') as Selector);
    expect(key({ matchLabels: { b: '2', a: '1' } })).to.equal(key({ matchExpressions: [{ key: 'a', operator: 'In', values: ['1'] }, { key: 'b', operator: 'In', values: ['2'] }] }));
    expect(key({ matchExpressions: [{ key: 'a', operator: 'In', values: ['2', '1'] }] })).to.equal(key({ matchExpressions: [{ key: 'a', operator: 'In', values: ['1', '2', '1'] }] }));
    expect(key({})).to.equal('*');
    expect(key({ matchExpressions: [{ key: 'a', operator: 'Exists' }] })).to.not.equal(key({ matchExpressions: [{ key: 'a', operator: 'DoesNotExist' }] }));
    expect(key({ matchExpressions: [{ key: 'a', operator: 'In', values: ['1'] }] })).to.not.equal(key({ matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['1'] }] }));
  });
});

describe('policy/selection: parse memo', () => {
  const withVersion = (o: Record<string, unknown>, v: string) => ({ ...o, metadata: { ...(o.metadata as object), resourceVersion: v } });

  it('the same objects again give a deep-equal plan, warnings included', () => {
    const objects = [
      withVersion(pod('x/a', { labels: { app: 'a' }, ips: ['10.0.0.1', 'bogus'] }), '1'),
      withVersion(netpol('x/p', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: 'bad' } }] }] }), '1'),
    ];
    const first = compile(objects);
    expect(first.diagnostics).to.have.length(2);
    expect(compile(objects)).to.deep.equal(first);
  });

  it('an object changed in place is read again unless its resourceVersion says it is the same', () => {
    const bare = pod('x/a', { labels: { app: 'a' }, ips: ['10.0.0.1'] }) as { metadata: { labels: Record<string, string>; resourceVersion?: string } };
    const policy = netpol('x/p', { podSelector: { matchLabels: { app: 'a' } }, ingress: [] });
    expect(compile([bare, policy]).targets).to.have.length(1);
    bare.metadata.labels.app = 'b';
    expect(compile([bare, policy]).targets, 'no resourceVersion: never remembered').to.have.length(0);
    bare.metadata.resourceVersion = '5';
    expect(compile([bare, policy]).targets).to.have.length(0);
    bare.metadata.labels.app = 'a';
    bare.metadata.resourceVersion = '6';
    expect(compile([bare, policy]).targets, 'a new resourceVersion is read again').to.have.length(1);
  });
});
