import { expect } from 'chai';
import { renderPolicyIptables } from '../../src/backends/iptables/policy/index.js';
import { renderPolicyNftables } from '../../src/backends/nftables/policy/index.js';
import type { Table } from '../../src/backends/nftables/ruleset.js';
import { ruleText } from '../../src/backends/nftables/ast.js';
import { elementText } from '../../src/backends/nftables/text.js';
import type { IPFamily } from '../../src/model/ip.js';
import { compilePolicyPlan } from '../../src/policy/compile.js';
import { parseIpsets, type IpsetState } from '../../src/sync/ipset-state.js';
import { IptPolicyEngine, NftPolicyEngine, type PolicyEngineOptions } from '../../src/sync/policy-engine.js';
import { PolicyStore } from '../../src/sync/policy-store.js';
import { CTX, recorder } from './helpers.js';
import { namespaces, podObject, policies, randomChange, randomNamespaceChange, randomPods, rng, type Obj } from './policy-random-cluster.js';

/**
 * The pod fast path of the policy engines against the truth: after every batch of random pod (and
 * namespace label) changes,
 * what the engine believes it committed (and what its transactions would leave in a kernel that
 * started from the previous state) equals a full compile + render of the same store.
 */

const PODCIDRS = ['10.244.0.0/24', 'fd00:0::/64'];

function options(unknownPods: 'allow' | 'deny', fullCompiles: string[]): PolicyEngineOptions {
  return { unknownPods, podCIDRs: () => PODCIDRS, onFullCompile: (reason) => fullCompiles.push(reason) };
}

function startStore(seed: number, podCount: number) {
  const r = rng(seed);
  const pods = randomPods(r, podCount);
  const store = new PolicyStore();
  for (const o of [...namespaces(), ...pods.map(podObject), ...policies()]) store.upsert(o);
  return { r, pods, store };
}

function applyChange(store: PolicyStore, change: { upsert: Obj[]; remove: Obj[] }): void {
  for (const o of change.upsert) store.upsert(o);
  for (const o of change.remove) store.remove(o);
}

/** Sets as name → sorted element texts; chains as name → rule texts. */
function nftState(tables: Iterable<Table>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const t of tables) {
    for (const s of t.sets) out[`${t.family} set ${s.name}`] = s.elements.map(elementText).sort();
    for (const c of t.chains) out[`${t.family} chain ${c.name}`] = c.rules.map(ruleText);
  }
  return out;
}

function ipsetState(sets: ReadonlyMap<IPFamily, ReadonlyMap<string, IpsetState>>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [family, byName] of sets) for (const [name, s] of byName) out[`${family} ${name}`] = [...s.members].sort();
  return out;
}

/** A kernel model of element-only nft transactions (`add|delete element FAMILY TABLE SET { ... }`). */
function applyNftElements(model: Record<string, string[]>, transaction: string): void {
  const keyOf = (text: string) => text.split(/ comment | : /)[0];
  for (const line of transaction.trim().split('\n')) {
    const m = /^(add|delete) element (ip6?) proxyctl-policy (\S+) \{ (.*) \}$/.exec(line);
    if (!m) throw new Error(`not an element line: ${line}`);
    const id = `${m[2]} set ${m[3]}`;
    const items = m[4].split(', ');
    const current = new Map((model[id] ?? []).map((t) => [keyOf(t), t]));
    for (const item of items) {
      if (m[1] === 'delete') {
        expect(current.has(item), `deleting ${item} from ${id}, which does not hold it`).to.equal(true);
        current.delete(item);
      } else {
        expect(current.has(keyOf(item)), `adding ${item} to ${id}, which already holds its key`).to.equal(false);
        current.set(keyOf(item), item);
      }
    }
    model[id] = [...current.values()].sort();
  }
}

describe('policy engines: pod changes take the incremental path', () => {
  for (const unknownPods of ['allow', 'deny'] as const) {
    for (const seed of (process.env.POLICY_SEEDS ?? '1,7,2024').split(',').map(Number)) {
      it(`nftables (unknown pods ${unknownPods}, seed ${seed}): 150 random pod and namespace batches, committed tables equal a full render after each`, async () => {
        const { r, pods, store } = startStore(seed, 40);
        const fullCompiles: string[] = [];
        const opts = options(unknownPods, fullCompiles);
        const { exec, calls } = recorder();
        const engine = new NftPolicyEngine(exec, opts);
        await engine.sync(store, CTX, store.takeDirty().services, true);
        let kernel = nftState(engine.committed().values());
        const next = { n: 0 };
        let fast = 0;
        for (let batch = 0; batch < 150; batch++) {
          const size = 1 + Math.floor(r() * 3);
          for (let i = 0; i < size; i++) applyChange(store, r() < 0.15 ? randomNamespaceChange(r) : randomChange(r, pods, next));
          const before = fullCompiles.length;
          const callsBefore = calls.length;
          await engine.sync(store, CTX, store.takeDirty().services, false);
          const want = nftState(renderPolicyNftables(compilePolicyPlan(store.sources(), { nodeName: CTX.nodeName, nodeIPs: CTX.nodeIPs }), { unknownPods, podCIDRs: PODCIDRS }));
          expect(nftState(engine.committed().values()), `batch ${batch}`).to.deep.equal(want);
          if (fullCompiles.length === before) {
            fast++;
            // The transaction alone turns the previous kernel state into the new one.
            for (const c of calls.slice(callsBefore)) applyNftElements(kernel, c.input ?? '');
            expect(kernel, `kernel model after batch ${batch}`).to.deep.equal(want);
          }
          kernel = want;
        }
        // Most batches stay on the fast path; the rest show the fallback keeps the mirror right.
        expect(fast, `fast batches (fallbacks: ${[...new Set(fullCompiles)].join('; ')})`).to.be.greaterThan(60);
        expect(fullCompiles.length).to.be.greaterThan(0);
        // Namespace label changes are handled on the fast path too, never as "something else".
        expect(fullCompiles.filter((reason) => reason.startsWith('the batch changes more than'))).to.deep.equal([]);
      });

      it(`iptables (unknown pods ${unknownPods}, seed ${seed}): 150 random pod and namespace batches, committed ipsets equal a full render after each`, async () => {
        const { r, pods, store } = startStore(seed, 40);
        const fullCompiles: string[] = [];
        const opts = options(unknownPods, fullCompiles);
        const { exec, calls } = recorder((cmd) => ({ exitCode: 0, stdout: cmd.endsWith('-save') ? '*filter\nCOMMIT\n' : '' }));
        const engine = new IptPolicyEngine(exec, opts);
        await engine.sync(store, CTX, store.takeDirty().services, true);
        const next = { n: 0 };
        let fast = 0;
        let kernel = ipsetState(engine.committed());
        for (let batch = 0; batch < 150; batch++) {
          const size = 1 + Math.floor(r() * 3);
          for (let i = 0; i < size; i++) applyChange(store, r() < 0.15 ? randomNamespaceChange(r) : randomChange(r, pods, next));
          const before = fullCompiles.length;
          const callsBefore = calls.length;
          await engine.sync(store, CTX, store.takeDirty().services, false);
          const plan = compilePolicyPlan(store.sources(), { nodeName: CTX.nodeName, nodeIPs: CTX.nodeIPs });
          const want = ipsetState(new Map((['ipv4', 'ipv6'] as const).map((f) => [f, parseIpsets(renderPolicyIptables(plan, f, { unknownPods, podCIDRs: PODCIDRS }).ipset)])));
          expect(ipsetState(engine.committed()), `batch ${batch}`).to.deep.equal(want);
          if (fullCompiles.length === before) {
            fast++;
            const sent = calls.slice(callsBefore);
            expect(sent.every((c) => c.cmd === 'ipset' && c.args[0] === 'restore'), 'only ipset restore').to.equal(true);
            for (const c of sent) applyIpsetLines(kernel, c.input ?? '');
            expect(kernel, `kernel model after batch ${batch}`).to.deep.equal(want);
          }
          kernel = want;
        }
        expect(fast, `fast batches (fallbacks: ${[...new Set(fullCompiles)].join('; ')})`).to.be.greaterThan(60);
      });
    }
  }
});

/** A kernel model of `ipset restore` add/del lines; keys are `family name` as ipsetState makes them. */
function applyIpsetLines(model: Record<string, string[]>, input: string): void {
  for (const line of input.trim().split('\n')) {
    const m = /^(add|del) (\S+) (\S+) -exist$/.exec(line);
    if (!m) throw new Error(`not an add/del line: ${line}`);
    const id = Object.keys(model).find((k) => k.endsWith(` ${m[2]}`));
    if (!id) throw new Error(`no set ${m[2]}`);
    const members = new Set(model[id]);
    if (m[1] === 'add') {
      expect(members.has(m[3]), `adding ${m[3]} to ${m[2]} twice`).to.equal(false);
      members.add(m[3]);
    } else {
      expect(members.has(m[3]), `deleting ${m[3]} from ${m[2]}, which does not hold it`).to.equal(true);
      members.delete(m[3]);
    }
    model[id] = [...members].sort();
  }
}
