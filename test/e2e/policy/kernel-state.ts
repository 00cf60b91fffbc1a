// "Has the daemon applied it?": a node's policy rules read back from its kernel, in a canonical
// form, compared with the same form of what the pure renderer makes of the test's objects, loaded
// into a scratch namespace (so both sides are printed by the same nft / iptables-save / ipset).
import { localPodAddresses, renderPolicyNftables } from '../../../src/backends/nftables/policy/index.js';
import { renderPolicyIptables } from '../../../src/backends/iptables/policy/index.js';
import { diffTable } from '../../../src/sync/nft-table-diff.js';
import { compilePolicyPlan, type PolicySource } from '../../../src/policy/index.js';
import { nsRun } from '../../kernel/exec.js';
import { addNamespace, removeNamespace, type Lab } from '../../kernel/netns.js';
import type { Backend } from './daemons.js';
import { NODE_IP, NODES, POD_CIDR, type NodeName } from './model.js';

const OUR_CHAIN = /^(PROXYCTL-POLICY|PXP)-/;

/** Canonical text of the node's IPv4 policy rules: equal texts mean equal rules. '' when there are none. */
export async function policySnapshot(ns: string, backend: Backend): Promise<string> {
  return backend === 'nftables' ? nftSnapshot(ns) : iptablesSnapshot(ns);
}

async function nftSnapshot(ns: string): Promise<string> {
  const r = await nsRun(ns, 'nft', ['-j', 'list', 'table', 'ip', 'proxyctl-policy'], { check: false });
  if (r.exitCode !== 0) return '';
  const chains: Record<string, { decl?: unknown; rules: unknown[] }> = {};
  const sets: Record<string, unknown> = {};
  let table: unknown;
  for (const item of (JSON.parse(r.stdout) as { nftables: Record<string, Record<string, unknown>>[] }).nftables) {
    const [kind, raw] = Object.entries(item)[0] ?? [];
    if (!raw || kind === 'metainfo') continue;
    const { handle: _h, ...body } = raw;
    const name = String(body.name);
    if (kind === 'table') table = body;
    else if (kind === 'chain') (chains[name] ??= { rules: [] }).decl = body;
    else if (kind === 'rule') (chains[String(body.chain)] ??= { rules: [] }).rules.push({ expr: body.expr, comment: body.comment });
    else if (kind === 'set' || kind === 'map') {
      // Element order follows the kernel's hash, not the history: sort.
      sets[name] = { ...body, elem: ((body.elem as unknown[]) ?? []).map(canonical).sort() };
    }
  }
  return canonical({ table, chains, sets });
}

async function iptablesSnapshot(ns: string): Promise<string> {
  return (await iptablesState(ns)).snapshot;
}

/**
 * Chains and ipsets in the node's kernel that the renderer would not make for the current objects
 * (iptables; `expectedNames` from expectedSnapshots). They cannot change what traffic sees when no
 * hook reaches them, but they leak. nftables is compared whole, so a leftover there already fails.
 */
export async function leftoverPolicyObjects(ns: string, backend: Backend, expectedNames: string[]): Promise<string[]> {
  if (backend === 'nftables') return [];
  const want = new Set(expectedNames);
  return (await iptablesState(ns)).names.filter((n) => !want.has(n));
}

interface ParsedFilter {
  chains: Map<string, string[]>;
  hooks: string[];
  reachable: Set<string>;
  /** ipsets named by the reachable chains. */
  sets: Set<string>;
}

/** Our chains in one family's filter table, and which of them the hooks reach. */
async function parseFilter(ns: string, tool: 'iptables-save' | 'ip6tables-save'): Promise<ParsedFilter> {
  const saved = await nsRun(ns, tool, ['-t', 'filter'], { check: false });
  const chains = new Map<string, string[]>();
  const hooks: string[] = [];
  for (const line of saved.stdout.split('\n')) {
    const declared = line.startsWith(':') ? line.slice(1).split(' ')[0] : '';
    if (OUR_CHAIN.test(declared) && !chains.has(declared)) chains.set(declared, []);
    if (!line.startsWith('-A ')) continue;
    const chain = line.split(' ')[1];
    if (OUR_CHAIN.test(chain)) chains.set(chain, [...(chains.get(chain) ?? []), line]);
    else if (/ -j PROXYCTL-POLICY-/.test(line)) hooks.push(line);
  }
  const reachable = new Set<string>();
  const sets = new Set<string>();
  const queue = hooks.map(target).filter((t): t is string => t !== undefined);
  while (queue.length) {
    const chain = queue.shift()!;
    if (reachable.has(chain) || !chains.has(chain)) continue;
    reachable.add(chain);
    for (const rule of chains.get(chain)!) {
      const t = target(rule);
      if (t && OUR_CHAIN.test(t)) queue.push(t);
      for (const m of rule.matchAll(/--match-set (\S+)/g)) sets.add(m[1]);
    }
  }
  return { chains, hooks, reachable, sets };
}

const target = (rule: string): string | undefined => / -[jg] (\S+)/.exec(rule)?.[1];

/**
 * The IPv4 policy rules the hooks reach and the ipsets those rules use, canonical: what traffic
 * sees. Also the names of all our chains (both families) and ipsets, to find leftovers.
 */
export async function iptablesState(ns: string): Promise<{ snapshot: string; names: string[] }> {
  const v4 = await parseFilter(ns, 'iptables-save');
  const v6 = await parseFilter(ns, 'ip6tables-save');
  const saved = await nsRun(ns, 'ipset', ['save'], { check: false });
  const members: string[] = [];
  const names = [...[...v4.chains.keys()].map((c) => `iptables chain ${c}`), ...[...v6.chains.keys()].map((c) => `ip6tables chain ${c}`)];
  for (const line of saved.stdout.split('\n')) {
    const [verb, name, ...rest] = line.split(' ');
    if (!name?.startsWith('pxc-')) continue;
    if (verb === 'create') names.push(`ipset ${name}`);
    if (!v4.sets.has(name)) continue;
    // create lines carry a random initval: keep name and type only.
    if (verb === 'create') members.push(`create ${name} ${rest[0]}`);
    else if (verb === 'add') members.push(line);
  }
  const reachable = [...v4.chains].filter(([c]) => v4.reachable.has(c)).sort(([a], [b]) => (a < b ? -1 : 1));
  const snapshot = reachable.length === 0 && members.length === 0 && v4.hooks.length === 0
    ? ''
    : canonical({ chains: Object.fromEntries(reachable), hooks: v4.hooks.sort(), sets: members.sort() });
  return { snapshot, names: names.sort() };
}

/** JSON with object keys sorted at every level. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    : v));
}

export interface ExpectedState {
  /** Canonical rules as policySnapshot reads them. */
  snapshot: string;
  /** iptables: every chain and ipset name the renderer makes (see leftoverPolicyObjects). */
  names: string[];
}

/** What each node's kernel should hold for these objects: rendered purely, loaded into a scratch namespace, read back. */
export async function expectedSnapshots(lab: Lab, backend: Backend, sources: PolicySource[]): Promise<Record<NodeName, ExpectedState>> {
  const out = {} as Record<NodeName, ExpectedState>;
  for (const node of NODES) {
    const plan = compilePolicyPlan(sources, { nodeName: node, nodeIPs: [NODE_IP[node]] });
    const local = localPodAddresses(sources, node);
    const options = { unknownPods: 'allow' as const, podCIDRs: [POD_CIDR[node]], localPods: [...local.ipv4, ...local.ipv6] };
    const scratch = await addNamespace(lab, `ref-${node}`);
    try {
      if (backend === 'nftables') {
        const tables = renderPolicyNftables(plan, options).filter((t) => t.family === 'ip');
        // The same text the daemon's first (replace) transaction sends.
        if (tables.length) await nsRun(scratch, 'nft', ['-f', '-'], { input: tables.map((t) => diffTable(undefined, t)).join('') });
      } else {
        // ipsets are not per family: the daemon's IPv6 sets show up in `ipset save` too.
        const v4 = renderPolicyIptables(plan, 'ipv4', options);
        const v6 = renderPolicyIptables(plan, 'ipv6', options);
        if (v4.ipset || v6.ipset) await nsRun(scratch, 'ipset', ['restore'], { input: v4.ipset + v6.ipset });
        if (v4.rules) await nsRun(scratch, 'iptables-restore', ['-w', '--noflush'], { input: v4.rules });
        if (v6.rules) await nsRun(scratch, 'ip6tables-restore', ['-w', '--noflush'], { input: v6.rules });
      }
      out[node] = backend === 'nftables' ? { snapshot: await nftSnapshot(scratch), names: [] } : await iptablesState(scratch);
    } finally {
      await removeNamespace(lab, scratch);
    }
  }
  return out;
}

export interface Applied {
  /** Per node: ms from `since` until its kernel first matched. */
  ms: Record<NodeName, number>;
}

/** Polls both nodes' kernels (bounded) until each matches its expected snapshot. */
export async function waitApplied(nodes: Record<NodeName, string>, backend: Backend, expected: Record<NodeName, ExpectedState>, since = Date.now(), timeoutMs = 15_000, pollMs = 20): Promise<Applied> {
  const ms = {} as Record<NodeName, number>;
  const last = {} as Record<NodeName, string>;
  const deadline = since + timeoutMs;
  await Promise.all(NODES.map(async (node) => {
    for (;;) {
      last[node] = await policySnapshot(nodes[node], backend);
      if (last[node] === expected[node].snapshot) {
        ms[node] = Date.now() - since;
        return;
      }
      if (Date.now() > deadline) return;
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }));
  const late = NODES.filter((n) => ms[n] === undefined);
  if (late.length) {
    const detail = late.map((n) => `--- ${n} kernel:\n${pretty(last[n])}\n--- ${n} expected:\n${pretty(expected[n].snapshot)}`).join('\n');
    throw new Error(`policy rules not applied within ${timeoutMs} ms on ${late.join(', ')}\n${detail}`);
  }
  return { ms };
}

function pretty(snapshot: string): string {
  return snapshot ? JSON.stringify(JSON.parse(snapshot), null, 1) : '(no policy rules)';
}

/** Everything policy-related in a node's kernel, for failure reports. */
export async function dumpRules(ns: string, backend: Backend): Promise<string> {
  const commands: [string, string[]][] = backend === 'nftables'
    ? [['nft', ['list', 'tables']], ['nft', ['list', 'table', 'ip', 'proxyctl-policy']]]
    : [['nft', ['list', 'tables']], ['iptables-save', ['-t', 'filter']], ['ipset', ['list']]];
  const parts: string[] = [];
  for (const [command, args] of commands) {
    const r = await nsRun(ns, command, args, { check: false, timeoutMs: 10_000 });
    parts.push(`--- ${command} ${args.join(' ')} (${ns})\n${r.stdout}${r.stderr}`);
  }
  return parts.join('\n');
}

/** Does the node still hold the Service rules for x/svc-a's ClusterIP (the service proxy's own table/chains)? */
export async function serviceRulesPresent(ns: string, backend: Backend, clusterIP: string): Promise<boolean> {
  if (backend === 'nftables') {
    const r = await nsRun(ns, 'nft', ['list', 'map', 'ip', 'proxyctl', 'service-ips'], { check: false });
    return r.exitCode === 0 && r.stdout.includes(`${clusterIP} . tcp . 80 `);
  }
  const r = await nsRun(ns, 'iptables-save', ['-t', 'nat'], { check: false });
  return r.stdout.includes(`-d ${clusterIP}/32 -p tcp`);
}
