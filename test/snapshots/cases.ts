import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';

export const SNAPSHOT_ROOT = 'rules-snapshots';

/** What each case pins: the output of one CLI invocation per file. */
export const OUTPUTS: { file: string; flags: string[]; optional?: boolean }[] = [
  { file: 'nftables.nft', flags: ['--backend', 'nftables', '--output', 'text'] },
  { file: 'nftables.json', flags: ['--backend', 'nftables', '--output', 'json'] },
  { file: 'iptables-ipv4.rules', flags: ['--backend', 'iptables', '--ip-family', 'ipv4'] },
  { file: 'iptables-ipv6.rules', flags: ['--backend', 'iptables', '--ip-family', 'ipv6'] },
  // Only cases with NetworkPolicies have ipsets: an empty output means no file.
  { file: 'ipset-ipv4.txt', flags: ['--backend', 'iptables', '--ip-family', 'ipv4', '--output', 'ipset'], optional: true },
  { file: 'ipset-ipv6.txt', flags: ['--backend', 'iptables', '--ip-family', 'ipv6', '--output', 'ipset'], optional: true },
];
export const WARNINGS_FILE = 'warnings.txt';

export interface SnapshotCase {
  name: string;
  dir: string;
  input: string;
  args: string[];
}

export function listCases(): SnapshotCase[] {
  return readdirSync(SNAPSHOT_ROOT, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const dir = join(SNAPSHOT_ROOT, name);
      const input = ['input', 'input.yaml', 'input.yml', 'input.json'].map((f) => join(dir, f)).find((p) => existsSync(p));
      if (!input) throw new Error(`${dir}: no input, input.yaml or input.json`);
      const args = JSON.parse(readFileSync(join(dir, 'args.json'), 'utf8')) as string[];
      return { name, dir, input, args };
    });
}

/** Runs the real CLI in-process for every output of a case; stderr of the first run is the warnings file. */
export async function renderCase(c: SnapshotCase): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const out of OUTPUTS) {
    let stdout = '';
    let stderr = '';
    const code = await main(['render', '--dry-run', '-f', c.input, ...c.args, ...out.flags], {
      stdout: (s) => void (stdout += s),
      stderr: (s) => void (stderr += s),
    });
    if (code !== 0) throw new Error(`${c.name}: render exited ${code}: ${stderr}`);
    if (out.optional && stdout === '') continue;
    files.set(out.file, stdout);
    if (!files.has(WARNINGS_FILE)) files.set(WARNINGS_FILE, stderr);
  }
  return files;
}
