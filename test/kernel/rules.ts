// Renders rules with the project CLI and loads them into a node namespace.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Family, FamilyAddresses } from './mini-cluster.js';
import { nsRun, REPO_ROOT } from './exec.js';

export type Backend = 'nftables' | 'iptables';

export const CLI = join(REPO_ROOT, 'bin', 'proxyctl.js');

export interface RenderRequest {
  manifest: string;
  backend: Backend;
  addresses: FamilyAddresses;
  nodeName: string;
}

/**
 * Runs `proxyctl render --dry-run` inside the node namespace: rendering must not touch the
 * kernel, and if it ever did, only the test namespace would be affected.
 */
export async function renderRules(ns: string, request: RenderRequest): Promise<string> {
  if (!existsSync(CLI)) throw new Error(`${CLI} does not exist yet: cannot render rules`);
  const { addresses: a } = request;
  const args = [CLI, 'render', '--dry-run', '-f', request.manifest, '--node-name', request.nodeName];
  args.push('--node-ip', a.nodeA, '--cluster-cidr', a.clusterCidr, '--backend', request.backend);
  args.push('--output', 'text', '--ip-family', a.family);
  const result = await nsRun(ns, process.execPath, args, { check: false, timeoutMs: 30_000 });
  if (result.exitCode !== 0) {
    throw new Error(`proxyctl ${args.slice(1).join(' ')} exited ${result.exitCode}:\n${result.stderr}`);
  }
  return result.stdout;
}

/**
 * Debug aid: with PROXYCTL_KERNEL_RULES_DIR set, <dir>/<backend>-<family>.rules is loaded instead
 * of rendering, so a hand-edited ruleset can be replayed through the same traffic tests.
 */
export function rulesOverride(backend: Backend, family: Family): string | undefined {
  const dir = process.env.PROXYCTL_KERNEL_RULES_DIR;
  return dir ? readFileSync(join(dir, `${backend}-${family}.rules`), 'utf8') : undefined;
}

export async function loadRules(ns: string, backend: Backend, family: Family, text: string): Promise<void> {
  const [command, args] = backend === 'nftables' ? ['nft', ['-f', '-']] : [family === 'ipv4' ? 'iptables-restore' : 'ip6tables-restore', []];
  const result = await nsRun(ns, command, args, { input: text, check: false });
  if (result.exitCode !== 0) throw new Error(`${command} ${args.join(' ')} rejected the rendered rules:\n${result.stderr}`);
}

/** Back to an empty ruleset (this also removes iptables-nft tables) and no NAT state. */
export async function resetRules(ns: string): Promise<void> {
  await nsRun(ns, 'nft', ['flush', 'ruleset']);
  await nsRun(ns, 'conntrack', ['-F', '-f', 'ipv4'], { check: false });
  await nsRun(ns, 'conntrack', ['-F', '-f', 'ipv6'], { check: false });
}

/** Everything a human needs to see why a packet went where it went. */
export async function dumpRules(ns: string): Promise<string> {
  const sections: string[] = [];
  for (const [title, command, args] of [
    ['nft list ruleset', 'nft', ['list', 'ruleset']],
    ['iptables-save', 'iptables-save', []],
    ['ip6tables-save', 'ip6tables-save', []],
    ['conntrack -L', 'conntrack', ['-L']],
    ['conntrack -L -f ipv6', 'conntrack', ['-L', '-f', 'ipv6']],
  ] as const) {
    const result = await nsRun(ns, command, [...args], { check: false });
    sections.push(`--- ${title} (in ${ns})\n${result.stdout}${result.stderr}`);
  }
  return sections.join('\n');
}
