import type { Json } from '../backends/nftables/ast.js';
import { parseRestore } from '../sync/ipt-engine.js';
import type { Executor } from '../sync/exec.js';

type Item = Record<string, Record<string, unknown>>;

/** Text of a libnftables JSON expression as nft prints it, enough to compare elements. */
export function jsonText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v !== 'object') return String(v);
  if (Array.isArray(v)) return v.map(jsonText).join(' . ');
  const o = v as Record<string, unknown>;
  if ('concat' in o) return (o.concat as unknown[]).map(jsonText).join(' . ');
  if ('prefix' in o) {
    const p = o.prefix as { addr: string; len: number };
    return `${p.addr}/${p.len}`;
  }
  if ('elem' in o) return jsonText((o.elem as { val: unknown }).val);
  if ('range' in o) return (o.range as unknown[]).map(jsonText).join('-');
  if ('goto' in o) return `goto ${(o.goto as { target: string }).target}`;
  if ('jump' in o) return `jump ${(o.jump as { target: string }).target}`;
  if ('drop' in o) return 'drop';
  if ('accept' in o) return 'accept';
  return JSON.stringify(o);
}

/** Set name → element texts (key : data) and chain name → rule count, from a libnftables JSON document. */
function summarize(doc: { nftables: Json[] }, family: string): { elements: Map<string, Set<string>>; chains: Map<string, number> } {
  const elements = new Map<string, Set<string>>();
  const chains = new Map<string, number>();
  for (const raw of doc.nftables as Item[]) {
    const [kind, body] = Object.entries(raw)[0] ?? [];
    if (!body || body.family !== family) continue;
    if (kind === 'set' || kind === 'map') {
      const texts = ((body.elem as unknown[]) ?? []).map((e) => (Array.isArray(e) ? `${jsonText(e[0])} : ${jsonText(e[1])}` : jsonText(e)));
      elements.set(String(body.name), new Set(texts));
    } else if (kind === 'chain') chains.set(String(body.name), chains.get(String(body.name)) ?? 0);
    else if (kind === 'rule') chains.set(String(body.chain), (chains.get(String(body.chain)) ?? 0) + 1);
  }
  return { elements, chains };
}

/** What applying `desired` would change in the kernel's nftables tables: `+`/`-` lines, empty when in sync. */
export async function diffNftables(exec: Executor, desired: { nftables: Json[] }): Promise<string[]> {
  const out: string[] = [];
  for (const family of ['ip', 'ip6']) {
    const listed = await exec.run('nft', ['-j', 'list', 'table', family, 'proxyctl']);
    const kernel = summarize(listed.exitCode === 0 ? JSON.parse(listed.stdout) : { nftables: [] }, family);
    const want = summarize(desired, family);
    if (listed.exitCode !== 0) out.push(`+ table ${family} proxyctl (not in the kernel)`);
    for (const [name, rules] of want.chains) {
      const have = kernel.chains.get(name);
      if (have === undefined) out.push(`+ chain ${family} proxyctl ${name}`);
      else if (have !== rules) out.push(`~ chain ${family} proxyctl ${name}: ${have} rules in the kernel, ${rules} wanted`);
    }
    for (const name of kernel.chains.keys()) if (!want.chains.has(name)) out.push(`- chain ${family} proxyctl ${name}`);
    for (const [set, elems] of want.elements) {
      if (set === 'affinity') continue; // learnt by the kernel, never rendered
      const have = kernel.elements.get(set) ?? new Set<string>();
      for (const e of elems) if (!have.has(e)) out.push(`+ element ${family} proxyctl ${set} { ${e} }`);
      for (const e of have) if (!elems.has(e)) out.push(`- element ${family} proxyctl ${set} { ${e} }`);
    }
  }
  return out;
}

/** iptables: chains to add, remove, or whose rule count differs (iptables-save rewrites rule text). */
export async function diffIptables(exec: Executor, desired: string, tool: 'iptables' | 'ip6tables'): Promise<string[]> {
  const out: string[] = [];
  const want = parseRestore(desired);
  for (const [table, parsed] of want) {
    const saved = await exec.run(`${tool}-save`, ['-t', table]);
    const have = parseRestore(saved.exitCode === 0 ? saved.stdout.replace(/^:(?!PROXYCTL-|PXC-)\S+.*$/gm, '') : '').get(table);
    for (const [chain, rules] of parsed.chains) {
      const current = have?.chains.get(chain);
      if (!current) out.push(`+ ${tool} -t ${table} chain ${chain} (${rules.length} rules)`);
      else if (current.length !== rules.length) out.push(`~ ${tool} -t ${table} chain ${chain}: ${current.length} rules in the kernel, ${rules.length} wanted`);
    }
    for (const chain of have?.chains.keys() ?? []) if (!parsed.chains.has(chain)) out.push(`- ${tool} -t ${table} chain ${chain}`);
  }
  return out;
}
