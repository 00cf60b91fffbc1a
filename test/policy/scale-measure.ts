// Measures the policy path at scale on the synthetic cluster (figures, not asserts):
//   node --import tsx test/policy/scale-measure.ts [--pods 10000] [--namespaces 100] [--policies 1000]
//        [--runs 5] [--changes 20] [--kernel]
// --kernel loads the result into throwaway network namespaces and drives the daemon's policy
// engines through label changes there (root, nft, ipset, iptables-nft-restore).
import { performance } from 'node:perf_hooks';
import { renderPolicyIptables } from '../../src/backends/iptables/policy/index.js';
import { localPodAddresses, renderPolicyNftables, type PolicyRenderOptions } from '../../src/backends/nftables/policy/index.js';
import type { Table } from '../../src/backends/nftables/ruleset.js';
import { tablesText } from '../../src/backends/nftables/text.js';
import type { NodeContext } from '../../src/model/types.js';
import { compilePolicyPlan } from '../../src/policy/compile.js';
import { sourcesOf } from '../../src/policy/objects.js';
import type { PolicyPlan, PolicySource } from '../../src/policy/types.js';
import { realExecutor, type Executor } from '../../src/sync/exec.js';
import { diffTable } from '../../src/sync/nft-table-diff.js';
import { IptPolicyEngine, NftPolicyEngine } from '../../src/sync/policy-engine.js';
import { PolicyStore } from '../../src/sync/policy-store.js';
import { nsRun } from '../kernel/exec.js';
import { addNamespace, createLab, destroyLab, type Lab } from '../kernel/netns.js';
import { syntheticPolicyCluster } from './synthetic.js';

interface Args {
  pods: number;
  namespaces: number;
  policies: number;
  runs: number;
  changes: number;
  kernel: boolean;
}

type Obj = Record<string, unknown>;

const NODE = 'node-a';
const NODE_IPS = ['192.168.1.10'];
const POD_CIDRS = ['10.100.0.0/16'];
const OPTS: PolicyRenderOptions = { unknownPods: 'deny', podCIDRs: POD_CIDRS };
const CTX: NodeContext = {
  nodeName: NODE, nodeIPs: NODE_IPS, clusterCIDRs: ['10.100.0.0/15'], nodePortAddresses: [], masqueradeAll: false, nodePortRange: { min: 30000, max: 32767 },
};

function parseArgs(argv: string[]): Args {
  const args: Args = { pods: 10_000, namespaces: 100, policies: 1_000, runs: 5, changes: 20, kernel: false };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, '') as keyof Args;
    if (key === 'kernel') args.kernel = true;
    else if (key in args) (args as unknown as Record<string, number>)[key] = Number(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return args;
}

function timed<T>(fn: () => T): { value: T; ms: number } {
  const t0 = performance.now();
  const value = fn();
  return { value, ms: performance.now() - t0 };
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const pct = (xs: number[], p: number) => sorted(xs)[Math.min(xs.length - 1, Math.max(0, Math.ceil((p / 100) * xs.length) - 1))];
const ms = (x: number) => `${x.toFixed(0)} ms`;
const dist = (xs: number[]) => `p50 ${ms(pct(xs, 50))} p99 ${ms(pct(xs, 99))} max ${ms(Math.max(...xs))}`;
const say = (line: string) => process.stdout.write(`${line}\n`);

/** Renderers know the plan's own local pods; a plan without them (before they existed) needs localPodAddresses. */
function renderOptions(plan: PolicyPlan, sources: PolicySource[]): PolicyRenderOptions {
  if ('localPods' in plan) return OPTS;
  const local = localPodAddresses(sources, NODE);
  return { ...OPTS, localPods: [...local.ipv4, ...local.ipv6] };
}

function stats(tables: Table[]): string {
  const sets = tables.flatMap((t) => t.sets);
  const elements = sets.reduce((n, s) => n + s.elements.length, 0);
  const chains = tables.flatMap((t) => t.chains);
  const rules = chains.reduce((n, c) => n + c.rules.length, 0);
  return `${sets.length} sets, ${elements} elements, ${chains.length} chains, ${rules} rules`;
}

/**
 * Step n changes one pod of this node, as a watch event would (a new object, a new
 * resourceVersion): odd steps move it out of its app (it leaves its policies), even steps flip its
 * tier to or from web (it joins or leaves a peer group).
 */
function relabel(objects: Obj[], step: number): { objects: Obj[]; changed: Obj } {
  const local = objects.filter((o) => o.kind === 'Pod' && (o.spec as { nodeName: string }).nodeName === NODE);
  const target = local[(step * 7919) % local.length] as { metadata: { labels: Record<string, string>; resourceVersion?: string } };
  const labels = { ...target.metadata.labels };
  if (step % 2) labels.app = 'moved';
  else labels.tier = labels.tier === 'web' ? 'api' : 'web';
  const changed = { ...target, metadata: { ...target.metadata, labels, resourceVersion: String(1000 + step) } };
  return { objects: objects.map((o) => (o === target ? changed : o)), changed };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const objects = syntheticPolicyCluster({ pods: args.pods, namespaces: args.namespaces, policies: args.policies });
  say(`synthetic: ${args.pods} pods, ${args.namespaces} namespaces, ${args.policies} policies; rendering for ${NODE}, unknown pods deny`);
  const cold: number[] = [];
  const warm: number[] = [];
  const local: number[] = [];
  const render: number[] = [];
  const text: number[] = [];
  const ipt: number[] = [];
  const diff: number[] = [];
  let last: { plan: PolicyPlan; tables: Table[]; text: string; opts: PolicyRenderOptions } | undefined;
  for (let i = 0; i < args.runs; i++) {
    // Cold: objects never seen (what a first sync or `render -f` does); warm: the same objects again.
    cold.push(timed(() => compilePolicyPlan(sourcesOf(structuredClone(objects)), { nodeName: NODE, nodeIPs: NODE_IPS })).ms);
    const sources = sourcesOf(objects);
    const c = timed(() => compilePolicyPlan(sources, { nodeName: NODE, nodeIPs: NODE_IPS }));
    local.push(timed(() => localPodAddresses(sources, NODE)).ms);
    const opts = renderOptions(c.value, sources);
    const r = timed(() => renderPolicyNftables(c.value, opts));
    const t = timed(() => tablesText(r.value));
    ipt.push(timed(() => renderPolicyIptables(c.value, 'ipv4', opts)).ms);
    diff.push(timed(() => r.value.map((table) => diffTable(last?.tables.find((b) => b.family === table.family), table)).join('')).ms);
    warm.push(c.ms);
    render.push(r.ms);
    text.push(t.ms);
    last = { plan: c.value, tables: r.value, text: t.value, opts };
  }
  const { plan, tables, opts } = last!;
  const iptOut = renderPolicyIptables(plan, 'ipv4', opts);
  const med = (xs: number[]) => pct(xs, 50);
  say(`plan: ${plan.targets.length} targets, ${plan.policies.length} policies select pods here`);
  say(`median of ${args.runs}: compile cold ${ms(med(cold))}, warm ${ms(med(warm))}; nft render ${ms(med(render))}; nft text ${ms(med(text))}; cold compile+render+text ${ms(med(cold) + med(render) + med(text))}`);
  say(`  also: localPodAddresses ${ms(med(local))}; table diff (no change) ${ms(med(diff))}; iptables render ipv4 ${ms(med(ipt))}`);
  say(`nftables: ${stats(tables)}; text ${(last!.text.length / 1e6).toFixed(2)} MB`);
  say(`iptables ipv4: ${iptOut.setNames.length} ipsets, ${iptOut.ipset.split('\n').filter((l) => l.startsWith('add ')).length} members, ${iptOut.rules.split('\n').filter((l) => l.startsWith('-A ')).length} rules; ipset text ${(iptOut.ipset.length / 1e6).toFixed(2)} MB`);
  if (args.kernel) await kernel(args, objects, last!.text, plan, opts);
}

/** An executor that records how long each program took. */
function timing(inner: Executor, spent: number[]): Executor {
  return {
    async run(cmd, argv, input) {
      const t0 = performance.now();
      const r = await inner.run(cmd, argv, input);
      spent.push(performance.now() - t0);
      return r;
    },
  };
}

async function kernel(args: Args, objects: Obj[], fullText: string, plan: PolicyPlan, opts: PolicyRenderOptions): Promise<void> {
  const lab: Lab = createLab();
  const must = async (ns: string, cmd: string, argv: string[], input?: string) => {
    const t0 = performance.now();
    const r = await nsRun(ns, cmd, argv, { input, check: false, timeoutMs: 300_000 });
    if (r.exitCode !== 0) throw new Error(`${cmd} ${argv.join(' ')}: ${r.stderr.slice(0, 2000)}`);
    return performance.now() - t0;
  };
  try {
    const nftNs = await addNamespace(lab, 'scale-nft');
    say(`nftables full load: nft -f ${ms(await must(nftNs, 'nft', ['-f', '-'], fullText))}, again over itself ${ms(await must(nftNs, 'nft', ['-f', '-'], fullText))}`);
    const iptNs = await addNamespace(lab, 'scale-ipt');
    const ipt = timed(() => renderPolicyIptables(plan, 'ipv4', opts));
    const ipsetMs = await must(iptNs, 'ipset', ['restore'], ipt.value.ipset);
    const restoreMs = await must(iptNs, 'iptables-nft-restore', ['--noflush'], ipt.value.rules);
    say(`iptables full load (ipv4): render ${ms(ipt.ms)}, ipset restore ${ms(ipsetMs)}, iptables-nft-restore ${ms(restoreMs)}`);

    // Label changes through the daemon's own engines, each in a fresh namespace.
    for (const kind of ['nftables', 'iptables'] as const) {
      const ns = await addNamespace(lab, `scale-eng-${kind === 'nftables' ? 'n' : 'i'}`);
      const spent: number[] = [];
      const exec = timing(realExecutor(['ip', 'netns', 'exec', ns]), spent);
      const engineOpts = { unknownPods: 'deny' as const, podCIDRs: () => POD_CIDRS };
      const engine = kind === 'nftables' ? new NftPolicyEngine(exec, engineOpts) : new IptPolicyEngine(exec, engineOpts, ['ipv4']);
      const store = new PolicyStore();
      for (const o of objects) store.upsert(o);
      let t0 = performance.now();
      await engine.sync(store, CTX, store.takeDirty().services, true);
      say(`${kind} engine first sync (compile, render, full load): ${ms(performance.now() - t0)}`);
      let current = objects;
      const total: number[] = [];
      const kernelMs: number[] = [];
      for (let step = 1; step <= args.changes; step++) {
        const next = relabel(current, step);
        current = next.objects;
        store.upsert(next.changed);
        spent.length = 0;
        t0 = performance.now();
        await engine.sync(store, CTX, store.takeDirty().services, false);
        total.push(performance.now() - t0);
        kernelMs.push(spent.reduce((a, b) => a + b, 0));
      }
      say(`${kind} engine, ${args.changes} label changes: total ${dist(total)}; of which kernel programs ${dist(kernelMs)}`);
    }
  } finally {
    await destroyLab(lab);
  }
}

await main();
