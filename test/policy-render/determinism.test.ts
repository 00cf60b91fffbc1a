import { expect } from 'chai';
import { renderPolicyIptables } from '../../src/backends/iptables/policy/index.js';
import { policyTablesJson, renderPolicyNftables, type PolicyRenderOptions } from '../../src/backends/nftables/policy/index.js';
import { tablesText } from '../../src/backends/nftables/text.js';
import { compile, pod, shuffled } from '../policy/fixtures.js';
import { NODE_IP, webCluster, webPlan, withoutElements } from './helpers.js';

const OPTS: PolicyRenderOptions = { unknownPods: 'deny', podCIDRs: ['10.244.0.0/24', 'fd00:10:244::/64'], localPods: ['10.244.0.2'] };

function renderAll(objects: unknown[]): string {
  const plan = compile(objects, 'node-1', [NODE_IP]);
  const ipt = (['ipv4', 'ipv6'] as const).map((f) => renderPolicyIptables(plan, f, OPTS));
  return [tablesText(renderPolicyNftables(plan, OPTS)), JSON.stringify(policyTablesJson(renderPolicyNftables(plan, OPTS))), ...ipt.flatMap((r) => [r.ipset, r.rules])].join('\n---\n');
}

describe('policy render: determinism and churn', () => {
  it('byte-identical output for every input order', () => {
    const want = renderAll(webCluster());
    for (let seed = 1; seed <= 20; seed++) expect(renderAll(shuffled(webCluster(), seed)), `seed ${seed}`).to.equal(want);
  });

  const churn: { name: string; change: (objects: unknown[]) => unknown[] }[] = [
    { name: 'a peer pod appears on another node', change: (o) => [...o, pod('prod/db-2', { labels: { app: 'db' }, ips: ['10.244.1.5'], node: 'node-2', ports: [{ name: 'sql', containerPort: 3307 }] })] },
    { name: 'a replica of an isolated pod appears here', change: (o) => [...o, pod('prod/web-3', { labels: { app: 'web' }, ips: ['10.244.0.4'], ports: [{ name: 'http', containerPort: 8080 }] })] },
    { name: 'an isolated pod leaves', change: (o) => o.filter((x) => (x as { metadata: { name: string } }).metadata.name !== 'web-2') },
    { name: 'the only peer pod leaves', change: (o) => o.filter((x) => (x as { metadata: { name: string } }).metadata.name !== 'db') },
  ];
  for (const c of churn) {
    it(`${c.name}: only set elements change`, () => {
      const before = webPlan();
      const after = webPlan(c.change(webCluster()) as unknown[]);
      const b = renderPolicyNftables(before, OPTS);
      const a = renderPolicyNftables(after, OPTS);
      expect(tablesText(a)).to.not.equal(tablesText(b));
      expect(tablesText(withoutElements(a))).to.equal(tablesText(withoutElements(b)));
      for (const family of ['ipv4', 'ipv6'] as const) {
        expect(renderPolicyIptables(after, family, OPTS).rules).to.equal(renderPolicyIptables(before, family, OPTS).rules);
        expect(renderPolicyIptables(after, family, OPTS).setNames).to.deep.equal(renderPolicyIptables(before, family, OPTS).setNames);
      }
    });
  }
});
