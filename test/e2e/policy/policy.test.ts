// NetworkPolicy end to end: the real `proxyctl run` on two node namespaces against the test API
// server, the upstream x/y/z × a/b/c model, every scenario's 9x9 matrices compared with the
// evaluator. One cluster for everything: nftables first, then the daemons are stopped, cleaned up
// and restarted with --backend iptables for a subset.
import { expect } from 'chai';
import { nsRun } from '../../kernel/exec.js';
import { describeKernel } from '../../kernel/kernel-gate.js';
import { change, startCluster, startDaemons, stopCluster, stopDaemons, type PolicyCluster } from './cluster.js';
import { scrubNode, type Backend } from './daemons.js';
import { netpol, NODES, refOf } from './model.js';
import { runScenario, summaryLine, type ScenarioResult } from './runner.js';
import { IPTABLES_SCENARIOS, SCENARIOS, type NamedScenario } from './scenarios.js';

/** Whatever proxyctl left in a node's kernel (tables, chains, ipsets). */
async function leftovers(ns: string): Promise<string[]> {
  const out: string[] = [];
  const tables = await nsRun(ns, 'nft', ['list', 'tables'], { check: false });
  out.push(...tables.stdout.split('\n').filter((l) => /proxyctl/.test(l)));
  for (const tool of ['iptables-save', 'ip6tables-save']) {
    const saved = await nsRun(ns, tool, [], { check: false });
    out.push(...saved.stdout.split('\n').filter((l) => /(PROXYCTL|PXC|PXP)-/.test(l)).map((l) => `${tool}: ${l}`));
  }
  const sets = await nsRun(ns, 'ipset', ['list', '-n'], { check: false });
  out.push(...sets.stdout.split('\n').filter((l) => l.startsWith('pxc-')).map((l) => `ipset ${l}`));
  return out;
}

describeKernel('NetworkPolicy e2e on a two-node namespace cluster @kernel', function () {
  this.timeout(600_000);
  let cluster: PolicyCluster | undefined;
  const results: ScenarioResult[] = [];
  const started = Date.now();

  before(async function () {
    this.timeout(120_000);
    const t = Date.now();
    cluster = await startCluster();
    console.log(`      cluster (15 namespaces, API server, 10 pod agents) up in ${Date.now() - t} ms`);
  });

  after(async function () {
    this.timeout(60_000);
    console.log(`\n      === NetworkPolicy e2e summary (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    for (const r of results) console.log(`      ${summaryLine(r)}`);
    await stopCluster(cluster);
  });

  function scenarioTests(list: NamedScenario[]): void {
    for (const scenario of list) {
      it(scenario.name, async function () {
        const r = await runScenario(cluster!, scenario);
        results.push(r);
        for (const line of r.lines) console.log(`        ${line}`);
        if (!r.ok) throw new Error(r.error);
      });
    }
  }

  /** With a policy in force, stop the daemons and run `proxyctl cleanup`: nothing of ours may remain. */
  function cleanupTest(backend: Backend): void {
    it(`${backend}: stop + proxyctl cleanup leaves no policy (or service) rules behind`, async function () {
      const policy = netpol('x/deny-ingress-cleanup', { podSelector: {}, policyTypes: ['Ingress'] });
      let output: Record<string, string>;
      try {
        await change(cluster!, [policy]);
        output = await stopDaemons(cluster!);
      } finally {
        // The daemons are down: only the model and the API server need to forget it.
        cluster!.model.remove(policy);
        await cluster!.api.delete(refOf(policy)).catch(() => {});
      }
      const left: Record<string, string[]> = {};
      for (const n of NODES) left[n] = await leftovers(cluster!.topology.nodes[n]);
      for (const n of NODES) await scrubNode(cluster!.topology.nodes[n]);
      expect(left, `left behind after \`proxyctl cleanup\` (its output: ${JSON.stringify(output)})`).to.deep.equal({ 'node-a': [], 'node-b': [] });
    });
  }

  describe('nftables backend', function () {
    before(async function () {
      this.timeout(60_000);
      await startDaemons(cluster!, 'nftables');
    });
    scenarioTests(SCENARIOS);
    cleanupTest('nftables');
  });

  describe('iptables backend', function () {
    before(async function () {
      this.timeout(60_000);
      // The nftables phase normally stopped them; after a failure there it may not have.
      await stopDaemons(cluster!);
      for (const n of NODES) await scrubNode(cluster!.topology.nodes[n]);
      await startDaemons(cluster!, 'iptables');
    });
    scenarioTests(IPTABLES_SCENARIOS);
    cleanupTest('iptables');
  });
});
