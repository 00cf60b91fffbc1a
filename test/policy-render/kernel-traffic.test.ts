// Real TCP/UDP through rendered policy rules, both backends, both families, in the policy lab
// (topology.ts, lab-cluster.ts). Every flow is first shown to work without rules, so a blocked
// flow is blocked by the policy and nothing else.
import { expect } from 'chai';
import { isAllowed } from '../../src/policy/index.js';
import type { IPFamily } from '../../src/model/ip.js';
import { describeKernel } from '../kernel/kernel-gate.js';
import { destroyLab } from '../kernel/netns.js';
import { nsRun } from '../kernel/exec.js';
import { describeOutcome, parseReply, type ProbeOutcome } from '../kernel/probe.js';
import type { Target } from './multi-probe.js';
import { applyPolicy, clearPolicy, dumpPolicy, renderBoth, type Backend } from './apply.js';
import { labOptions, labPlan } from './lab-cluster.js';
import { buildPolicyLab, FAMILIES, flushNeighbours, LAB, type Host, type PolicyLab } from './topology.js';

/** `gateway`: the node's own address inside the pod CIDR (the pods' gateway). */
type End = Host | 'node' | 'gateway';

interface Flow {
  name: string;
  from: End;
  to: End;
  port: number;
  proto?: 'tcp' | 'udp';
  /** With --policy-unknown-pods=deny. */
  deny: 'reply' | 'blocked';
  /** With allow, when it differs. */
  allow?: 'reply' | 'blocked';
}

const FLOWS: Flow[] = [
  { name: 'default deny ingress: a pod no rule names', from: 'stranger', to: 'server', port: 8080, deny: 'blocked' },
  { name: 'podSelector peer on its port', from: 'friend', to: 'server', port: 8080, deny: 'reply' },
  { name: 'podSelector peer on another port', from: 'friend', to: 'server', port: 9090, deny: 'blocked' },
  { name: 'podSelector peer, same port over UDP', from: 'friend', to: 'server', port: 8080, proto: 'udp', deny: 'blocked' },
  { name: 'ipBlock peer on its port', from: 'ext1', to: 'server', port: 9090, deny: 'reply' },
  { name: 'ipBlock except', from: 'ext2', to: 'server', port: 9090, deny: 'blocked' },
  { name: 'ipBlock peer on another port', from: 'ext1', to: 'server', port: 8080, deny: 'blocked' },
  { name: 'named port, allowed by egress and ingress', from: 'locked', to: 'server', port: 9090, deny: 'reply' },
  { name: 'egress allows, the destination\'s ingress does not', from: 'locked', to: 'server', port: 8080, deny: 'blocked' },
  { name: 'egress deny to a local pod', from: 'locked', to: 'friend', port: 8080, deny: 'blocked' },
  { name: 'egress deny off the node', from: 'locked', to: 'ext1', port: 8080, deny: 'blocked' },
  { name: 'egress deny to the node itself', from: 'locked', to: 'node', port: 8080, deny: 'blocked' },
  { name: 'egress allowed to the node itself', from: 'locked', to: 'node', port: 9090, deny: 'reply' },
  { name: 'replies leave an egress-isolated pod', from: 'friend', to: 'locked', port: 8080, deny: 'reply' },
  { name: 'replies reach an ingress-isolated pod', from: 'server', to: 'ext1', port: 8080, deny: 'reply' },
  { name: 'pods no policy selects', from: 'stranger', to: 'friend', port: 8080, deny: 'reply' },
  { name: 'the node reaches an isolated pod', from: 'node', to: 'server', port: 8080, deny: 'reply' },
  { name: 'a pod reaches the node', from: 'friend', to: 'node', port: 8080, deny: 'reply' },
  { name: 'unknown pod as source', from: 'ghost', to: 'friend', port: 8080, deny: 'blocked', allow: 'reply' },
  { name: 'unknown pod as destination', from: 'friend', to: 'ghost', port: 8080, deny: 'blocked', allow: 'reply' },
  { name: 'unknown pod to the node', from: 'ghost', to: 'node', port: 8080, deny: 'blocked', allow: 'reply' },
  { name: 'the node reaches an unknown pod', from: 'node', to: 'ghost', port: 8080, deny: 'reply' },
  { name: 'the node reaches its own pod-CIDR address', from: 'node', to: 'gateway', port: 8080, deny: 'reply' },
];

const REPLY_TIMEOUT_MS = 4000;
const BLOCKED_TIMEOUT_MS = 1500;
const BACKENDS: Backend[] = ['nftables', 'iptables'];
const PROBE = 'test/policy-render/multi-probe.ts';
// Starting node under tsx on a loaded machine can take seconds.
const START_BUDGET_MS = 30_000;

const address = (end: End, family: IPFamily) => (end === 'node' ? LAB[family].node : end === 'gateway' ? LAB[family].podGateway : LAB[family].hosts[end]);
const label = (f: Flow) => `${f.name}: ${f.from} -> ${f.to}:${f.port}/${f.proto ?? 'tcp'}`;

describe('policy render: the lab flows agree with the reference evaluator', () => {
  for (const family of FAMILIES) {
    it(family, () => {
      const plan = labPlan();
      const podsAndExternals = (e: End) => e !== 'node' && e !== 'gateway' && e !== 'ghost';
      for (const f of FLOWS.filter((x) => podsAndExternals(x.from) && podsAndExternals(x.to))) {
        const allowed = isAllowed(plan, address(f.from, family), address(f.to, family), f.port, f.proto === 'udp' ? 'UDP' : 'TCP');
        expect(allowed ? 'reply' : 'blocked', label(f)).to.equal(f.deny);
      }
    });
  }
});

describeKernel('@kernel policy render: real traffic through both backends', function () {
  this.timeout(240_000);
  let lab: PolicyLab;

  before(async function () {
    lab = await buildPolicyLab();
  });

  after(async function () {
    if (lab) await destroyLab(lab.lab);
  });

  /** Probes every flow of one family at once (one process per source); returns the flows whose outcome is not `want`. */
  async function mismatches(family: IPFamily, want: (f: Flow) => 'reply' | 'blocked'): Promise<string[]> {
    const sources = [...new Set(FLOWS.map((f) => f.from))];
    const outcomes = new Map<Flow, ProbeOutcome>();
    await Promise.all(sources.map(async (from) => {
      const flows = FLOWS.filter((f) => f.from === from);
      const targets: Target[] = flows.map((f) => ({
        proto: f.proto ?? 'tcp', host: address(f.to, family), port: f.port,
        timeoutMs: want(f) === 'reply' ? REPLY_TIMEOUT_MS : BLOCKED_TIMEOUT_MS,
      }));
      const ns = from === 'node' || from === 'gateway' ? lab.node : lab.hosts[from];
      const r = await nsRun(ns, process.execPath, ['--import', 'tsx', PROBE, JSON.stringify(targets)], { timeoutMs: REPLY_TIMEOUT_MS + START_BUDGET_MS });
      const lines = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as ProbeOutcome);
      if (lines.length !== flows.length) throw new Error(`probe from ${ns}: ${lines.length}/${flows.length} results\n${r.stderr}`);
      flows.forEach((f, i) => outcomes.set(f, lines[i]));
    }));
    const bad: string[] = [];
    for (const f of FLOWS) {
      const outcome = outcomes.get(f)!;
      // A drop is silent: anything but a timeout (a reply, a refusal) means the packet got through.
      const got = outcome.kind === 'timeout' ? 'blocked' : outcome.kind === 'reply' && parseReply(outcome)?.name === (f.to === 'gateway' ? 'node' : f.to) ? 'reply' : describeOutcome(outcome);
      if (got !== want(f)) bad.push(`${label(f)}: want ${want(f)}, got ${got}`);
    }
    return bad;
  }

  it('without rules every flow gets a reply', async function () {
    for (const family of FAMILIES) expect(await mismatches(family, () => 'reply'), family).to.deep.equal([]);
  });

  for (const backend of BACKENDS) {
    for (const mode of ['deny', 'allow'] as const) {
      for (const family of FAMILIES) {
        it(`${backend}, unknown pods ${mode}, ${family}`, async function () {
          const rendered = renderBoth(labPlan(), labOptions(mode));
          await applyPolicy(lab.node, backend, rendered);
          try {
            await flushNeighbours(lab);
            const bad = await mismatches(family, (f) => (mode === 'allow' ? f.allow ?? f.deny : f.deny));
            if (bad.length) console.log(await dumpPolicy(lab.node, backend));
            expect(bad).to.deep.equal([]);
          } finally {
            await clearPolicy(lab.node, backend);
          }
        });
      }
    }
  }
});
