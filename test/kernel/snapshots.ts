// Finds rules-snapshots/<case>/ files and extracts what a loaded ruleset must then contain.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export type SnapshotFile = 'nftables.nft' | 'nftables.json' | 'iptables-ipv4.rules' | 'iptables-ipv6.rules' | 'ipset-ipv4.txt' | 'ipset-ipv6.txt';

export interface SnapshotCase {
  name: string;
  dir: string;
  files: SnapshotFile[];
}

const KNOWN_FILES: SnapshotFile[] = ['nftables.nft', 'nftables.json', 'iptables-ipv4.rules', 'iptables-ipv6.rules', 'ipset-ipv4.txt', 'ipset-ipv6.txt'];

/** Whatever exists at run time: others add cases while this suite is being written. */
export function listSnapshotCases(root: string): SnapshotCase[] {
  if (!existsSync(root)) return [];
  const cases: SnapshotCase[] = [];
  for (const name of readdirSync(root).sort()) {
    const dir = join(root, name);
    if (!statSync(dir).isDirectory()) continue;
    const files = KNOWN_FILES.filter((file) => existsSync(join(dir, file)));
    if (files.length > 0) cases.push({ name, dir, files });
  }
  return cases;
}

export interface NftTable {
  family: string;
  name: string;
}

/** Tables a text ruleset declares ("table ip proxyctl {", "add table inet x"), minus later deletes. */
export function nftTextTables(text: string): NftTable[] {
  const tables = new Map<string, NftTable>();
  const pattern = /^\s*(add |create |delete |destroy )?table\s+(ip6?|inet|arp|bridge|netdev)\s+([\w.-]+)/gm;
  for (const match of text.matchAll(pattern)) {
    const [, verb = '', family = '', name = ''] = match;
    const key = `${family} ${name}`;
    if (verb.startsWith('delete') || verb.startsWith('destroy')) tables.delete(key);
    else tables.set(key, { family, name });
  }
  return [...tables.values()];
}

interface JsonItem {
  table?: NftTable;
  add?: { table?: NftTable };
  create?: { table?: NftTable };
  delete?: { table?: NftTable };
  destroy?: { table?: NftTable };
}

/** Tables a JSON ruleset adds, in either command form ({"add":{"table":..}}) or list form. */
export function nftJsonTables(json: { nftables?: JsonItem[] }): NftTable[] {
  const tables = new Map<string, NftTable>();
  for (const item of json.nftables ?? []) {
    const added = item.table ?? item.add?.table ?? item.create?.table;
    const removed = item.delete?.table ?? item.destroy?.table;
    if (added) tables.set(`${added.family} ${added.name}`, { family: added.family, name: added.name });
    if (removed) tables.delete(`${removed.family} ${removed.name}`);
  }
  return [...tables.values()];
}

/** Per iptables table: declared chains and number of appended/inserted rules. */
export function iptablesSummary(text: string): Map<string, { chains: Set<string>; rules: number }> {
  const summary = new Map<string, { chains: Set<string>; rules: number }>();
  let current: { chains: Set<string>; rules: number } | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) {
      const name = line.slice(1).trim();
      current = summary.get(name) ?? { chains: new Set(), rules: 0 };
      summary.set(name, current);
    } else if (line.startsWith(':') && current) {
      current.chains.add(line.slice(1).split(/\s+/)[0] ?? '');
    } else if (/^-[AI] /.test(line) && current) {
      current.rules += 1;
    }
  }
  return summary;
}
