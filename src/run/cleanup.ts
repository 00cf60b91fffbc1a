import type { Executor } from '../sync/exec.js';
import { splitArgs } from '../sync/ipt-engine.js';

const OURS = /^(PROXYCTL|PXC|PXP)-/;
const KUBE_PROXY = /^KUBE-/;
const BUILTIN = new Set(['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING']);

export interface CleanupOptions {
  /** Also remove what kube-proxy leaves behind (its nftables tables, KUBE-* iptables chains). */
  kubeProxy: boolean;
}

/** Removes every table and chain proxyctl creates, in both backends and families. Returns what it did. */
export async function cleanupRules(exec: Executor, opts: CleanupOptions): Promise<string[]> {
  const done: string[] = [];
  const tables = [
    ['ip', 'proxyctl'], ['ip6', 'proxyctl'], ['ip', 'proxyctl-policy'], ['ip6', 'proxyctl-policy'],
    ...(opts.kubeProxy ? [['ip', 'kube-proxy'], ['ip6', 'kube-proxy']] : []),
  ];
  for (const [family, name] of tables) {
    const r = await exec.run('nft', ['delete', 'table', family, name]);
    if (r.exitCode === 0) done.push(`deleted nftables table ${family} ${name}`);
  }
  const chainPattern = opts.kubeProxy ? new RegExp(`${OURS.source}|${KUBE_PROXY.source}`) : OURS;
  for (const tool of ['iptables', 'ip6tables', 'iptables-legacy', 'ip6tables-legacy']) {
    for (const table of opts.kubeProxy ? ['nat', 'filter', 'mangle'] : ['nat', 'filter']) {
      const result = await removeChains(exec, tool, table, chainPattern);
      if (result) done.push(result);
    }
  }
  const sets = await exec.run('ipset', ['list', '-n']);
  for (const name of sets.exitCode === 0 ? sets.stdout.split('\n').filter((n) => n.startsWith('pxc-')) : []) {
    if ((await exec.run('ipset', ['destroy', name])).exitCode === 0) done.push(`destroyed ipset ${name}`);
  }
  return done;
}

/** Deletes the jumps into chains matching `pattern` from built-in chains, then flushes and deletes them. */
export async function removeChains(exec: Executor, tool: string, table: string, pattern: RegExp): Promise<string | undefined> {
  const saved = await exec.run(`${tool}-save`, ['-t', table]);
  if (saved.exitCode !== 0) return undefined;
  const lines = saved.stdout.split('\n');
  const chains = lines.filter((l) => l.startsWith(':')).map((l) => l.slice(1).split(' ')[0]).filter((c) => pattern.test(c));
  if (chains.length === 0) return undefined;
  for (const line of lines.filter((l) => l.startsWith('-A '))) {
    const args = splitArgs(line.slice(3));
    const target = args[args.indexOf('-j') + 1];
    if (BUILTIN.has(args[0]) && target && pattern.test(target)) await exec.run(tool, ['-w', '-t', table, '-D', ...args]);
  }
  const input = [`*${table}`, ...chains.map((c) => `:${c} - [0:0]`), ...chains.map((c) => `-X ${c}`), 'COMMIT', ''].join('\n');
  const r = await exec.run(`${tool}-restore`, ['-w', '--noflush'], input);
  return r.exitCode === 0 ? `deleted ${chains.length} chains from ${tool} table ${table}` : `failed to delete chains from ${tool} table ${table}: ${r.stderr.trim()}`;
}
