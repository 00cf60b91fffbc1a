// Loading rendered policy rules into a test namespace (and removing them), for both backends.
import type { IPFamily } from '../../src/model/ip.js';
import { renderPolicyIptables, type IptablesPolicyRender } from '../../src/backends/iptables/policy/index.js';
import { policyTablesJson, renderPolicyNftables, type PolicyRenderOptions } from '../../src/backends/nftables/policy/index.js';
import { tablesText } from '../../src/backends/nftables/text.js';
import type { PolicyPlan } from '../../src/policy/types.js';
import { nsRun } from '../kernel/exec.js';

export type Backend = 'nftables' | 'iptables' | 'iptables-legacy';

export interface Rendered {
  nftText: string;
  nftJson: string;
  ipt: Record<IPFamily, IptablesPolicyRender>;
}

export function renderBoth(plan: PolicyPlan, opts: PolicyRenderOptions): Rendered {
  const tables = renderPolicyNftables(plan, opts);
  return {
    nftText: tablesText(tables),
    nftJson: JSON.stringify(policyTablesJson(tables)),
    ipt: { ipv4: renderPolicyIptables(plan, 'ipv4', opts), ipv6: renderPolicyIptables(plan, 'ipv6', opts) },
  };
}

const RESTORE: Record<'iptables' | 'iptables-legacy', Record<IPFamily, string>> = {
  iptables: { ipv4: 'iptables-nft-restore', ipv6: 'ip6tables-nft-restore' },
  'iptables-legacy': { ipv4: 'iptables-legacy-restore', ipv6: 'ip6tables-legacy-restore' },
};
export const SAVE: Record<'iptables' | 'iptables-legacy', Record<IPFamily, string>> = {
  iptables: { ipv4: 'iptables-nft-save', ipv6: 'ip6tables-nft-save' },
  'iptables-legacy': { ipv4: 'iptables-legacy-save', ipv6: 'ip6tables-legacy-save' },
};

async function must(ns: string, command: string, args: string[], input?: string): Promise<string> {
  const r = await nsRun(ns, command, args, { input, check: false, timeoutMs: 60_000 });
  if (r.exitCode !== 0) throw new Error(`${command} ${args.join(' ')} failed in ${ns}:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** nft -f for nftables; ipset restore then iptables-restore --noflush per family for iptables. */
export async function applyPolicy(ns: string, backend: Backend, r: Rendered): Promise<void> {
  if (backend === 'nftables') {
    await must(ns, 'nft', ['-f', '-'], r.nftText);
    return;
  }
  for (const family of ['ipv4', 'ipv6'] as const) {
    if (r.ipt[family].ipset) await must(ns, 'ipset', ['restore'], r.ipt[family].ipset);
    if (r.ipt[family].rules) await must(ns, RESTORE[backend][family], ['--noflush'], r.ipt[family].rules);
  }
}

const EMPTY_FILTER = '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n';

/** Back to no rules, no sets and no connection state in the (test) namespace. */
export async function clearPolicy(ns: string, backend: Backend): Promise<void> {
  if (backend === 'nftables') {
    for (const family of ['ip', 'ip6']) await nsRun(ns, 'nft', ['delete', 'table', family, 'proxyctl-policy'], { check: false });
  } else {
    for (const family of ['ipv4', 'ipv6'] as const) await must(ns, RESTORE[backend][family], [], EMPTY_FILTER);
    await destroySets(ns);
  }
  await nsRun(ns, 'conntrack', ['-F', '-f', 'ipv4'], { check: false });
  await nsRun(ns, 'conntrack', ['-F', '-f', 'ipv6'], { check: false });
}

/** What a human needs when a flow went the wrong way. */
export async function dumpPolicy(ns: string, backend: Backend): Promise<string> {
  const parts: string[] = [];
  const show = async (title: string, command: string, args: string[]) => {
    const out = await nsRun(ns, command, args, { check: false });
    parts.push(`--- ${title}\n${out.stdout}${out.stderr}`);
  };
  if (backend === 'nftables') await show('nft list ruleset', 'nft', ['list', 'ruleset']);
  else {
    for (const family of ['ipv4', 'ipv6'] as const) await show(SAVE[backend][family], SAVE[backend][family], ['-c']);
    await show('ipset save', 'ipset', ['save']);
  }
  await show('conntrack -L', 'conntrack', ['-L']);
  return parts.join('\n');
}

/** A set just released by iptables may still read as in use for a moment: retry, bounded. */
async function destroySets(ns: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const r = await nsRun(ns, 'ipset', ['destroy'], { check: false });
    if (r.exitCode === 0) return;
    if (attempt === 10) throw new Error(`ipset destroy in ${ns}: ${r.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
