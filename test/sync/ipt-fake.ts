/** A minimal model of `iptables-restore --noflush` on our chains: enough to replay the daemon's transactions. */
export type Tables = Map<string, Map<string, string[]>>;

export function applyRestore(tables: Tables, input: string): void {
  let table: Map<string, string[]> | undefined;
  for (const line of input.split('\n')) {
    if (line.startsWith('*')) {
      const name = line.slice(1);
      if (!tables.has(name)) tables.set(name, new Map());
      table = tables.get(name);
    } else if (line.startsWith(':')) table!.set(line.slice(1, line.indexOf(' ')), []);
    else if (line.startsWith('-A ')) {
      const chain = line.split(' ')[1];
      if (!table!.has(chain)) throw new Error(`no chain ${chain}: ${line}`);
      table!.get(chain)!.push(line);
    } else if (line.startsWith('-D ')) {
      const chain = line.split(' ')[1];
      const rules = table!.get(chain);
      const i = rules?.indexOf(`-A ${line.slice(3)}`) ?? -1;
      if (i < 0) throw new Error(`-D of a missing rule: ${line}`);
      rules!.splice(i, 1);
    } else if (line.startsWith('-I ')) {
      const [, chain, position] = line.split(' ');
      const rules = table!.get(chain);
      if (!rules) throw new Error(`no chain ${chain}: ${line}`);
      // As iptables: rule numbers start at 1; one past the last appends; further is an error.
      const at = Number(position);
      if (!Number.isInteger(at) || at < 1 || at > rules.length + 1) throw new Error(`Index of insertion too big: ${line}`);
      rules.splice(at - 1, 0, `-A ${chain} ${line.slice(`-I ${chain} ${position} `.length)}`);
    } else if (line.startsWith('-X ')) {
      const chain = line.slice(3);
      if (!table!.has(chain)) throw new Error(`-X of missing chain ${chain}`);
      table!.delete(chain);
    } else if (line !== '' && line !== 'COMMIT' && line !== '-S') throw new Error(`unexpected line ${line}`);
  }
}

/** The restore text as tables, hooks (rules in built-in chains) left out; chains sorted by name. */
export function tablesOf(input: string): Record<string, Record<string, string[]>> {
  const tables: Tables = new Map();
  applyRestore(tables, input.split('\n').filter((l) => !/^-A (PREROUTING|INPUT|FORWARD|OUTPUT|POSTROUTING) /.test(l)).join('\n'));
  return sorted(tables);
}

export function sorted(tables: Tables): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {};
  for (const [t, chains] of [...tables].sort(([a], [b]) => (a < b ? -1 : 1))) {
    out[t] = Object.fromEntries([...chains].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
  return out;
}
