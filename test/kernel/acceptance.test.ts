// Every golden ruleset in rules-snapshots/ must be accepted by the real kernel tools.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeKernel, onPath } from './kernel-gate.js';
import { nsRun, REPO_ROOT } from './exec.js';
import { addNamespace, createLab, destroyLab, removeNamespace, type Lab } from './netns.js';
import { iptablesSummary, listSnapshotCases, nftJsonTables, nftTextTables, type NftTable, type SnapshotFile } from './snapshots.js';

const SNAPSHOT_ROOT = process.env.PROXYCTL_SNAPSHOTS_DIR ?? join(REPO_ROOT, 'rules-snapshots');
const cases = listSnapshotCases(SNAPSHOT_ROOT);

interface IptablesVariant {
  file: 'iptables-ipv4.rules' | 'iptables-ipv6.rules';
  restore: string;
  save: string;
}

const IPTABLES_VARIANTS: IptablesVariant[] = [
  { file: 'iptables-ipv4.rules', restore: 'iptables-restore', save: 'iptables-save' },
  { file: 'iptables-ipv6.rules', restore: 'ip6tables-restore', save: 'ip6tables-save' },
  { file: 'iptables-ipv4.rules', restore: 'iptables-legacy-restore', save: 'iptables-legacy-save' },
  { file: 'iptables-ipv6.rules', restore: 'ip6tables-legacy-restore', save: 'ip6tables-legacy-save' },
];

type JsonObject = Record<string, Record<string, unknown>>;

/** Per table (`family name`): sets/maps with their element counts, chains with their hook and rule counts. */
function summarizeNftJson(doc: { nftables: JsonObject[] }): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  const at = (family: unknown) => {
    const key = String(family);
    if (!out.has(key)) out.set(key, {});
    return out.get(key)!;
  };
  for (const item of doc.nftables) {
    const [kind, body] = Object.entries(item)[0];
    const table = `${body.family} ${body.table}`;
    if (kind === 'set' || kind === 'map') {
      // nft lists concatenated map data as "a . b"; its JSON parser only accepts ["a", "b"]: compare both as text.
      const data = Array.isArray(body.map) ? body.map.join(' . ') : (body.map ?? null);
      at(table)[`${kind} ${body.name}`] = `${JSON.stringify(body.type)} -> ${JSON.stringify(data)}, ${(body.elem as unknown[] | undefined)?.length ?? 0} elements`;
    } else if (kind === 'chain') {
      at(table)[`chain ${body.name}`] = `${body.hook ?? 'regular'} ${body.prio ?? ''}`;
    } else if (kind === 'rule') {
      const key = `rules ${body.chain}`;
      const s = at(table);
      s[key] = String(Number(s[key] ?? 0) + 1);
    }
  }
  return out;
}

describeKernel('@kernel rules-snapshots are accepted by nft and iptables-restore', function () {
  this.timeout(20_000);
  let lab: Lab;
  let nftNs: string;
  let iptablesCounter = 0;

  before(async function () {
    lab = createLab();
    nftNs = await addNamespace(lab, 'nft');
  });

  after(async function () {
    if (lab) await destroyLab(lab);
  });

  if (cases.length === 0) {
    it(`has snapshot cases in ${SNAPSHOT_ROOT}`, function () {
      this.skip();
    });
  }

  async function expectTablesListed(tables: NftTable[], path: string): Promise<void> {
    expect(tables, `no table declared in ${path}`).to.not.be.empty;
    for (const table of tables) {
      const listed = await nsRun(nftNs, 'nft', ['list', 'table', table.family, table.name], { check: false });
      expect(listed.exitCode, `nft list table ${table.family} ${table.name} after loading ${path}: ${listed.stderr}`).to.equal(0);
    }
  }

  for (const snapshot of cases) {
    describe(snapshot.name, function () {
      if (snapshot.files.includes('nftables.nft')) {
        it('nftables.nft loads with nft -f into an empty namespace and its tables list', async function () {
          const path = join(snapshot.dir, 'nftables.nft');
          await nsRun(nftNs, 'nft', ['flush', 'ruleset']);
          const loaded = await nsRun(nftNs, 'nft', ['-f', path], { check: false });
          expect(loaded.exitCode, `nft -f ${path}:\n${loaded.stderr}`).to.equal(0);
          await expectTablesListed(nftTextTables(readFileSync(path, 'utf8')), path);
        });
      }

      if (snapshot.files.includes('nftables.json') && snapshot.files.includes('nftables.nft')) {
        // nft 1.0.6 cannot *load* our JSON (numgen-keyed maps, map updates; see README), so the JSON is
        // proven by comparing it with what the kernel holds after loading the text form.
        it('nftables.json describes exactly what the kernel holds after loading nftables.nft', async function () {
          await nsRun(nftNs, 'nft', ['flush', 'ruleset']);
          await nsRun(nftNs, 'nft', ['-f', join(snapshot.dir, 'nftables.nft')]);
          const ours = summarizeNftJson(JSON.parse(readFileSync(join(snapshot.dir, 'nftables.json'), 'utf8')));
          for (const table of nftJsonTables(JSON.parse(readFileSync(join(snapshot.dir, 'nftables.json'), 'utf8')))) {
            const listed = await nsRun(nftNs, 'nft', ['-j', 'list', 'table', table.family, table.name]);
            const kernel = summarizeNftJson(JSON.parse(listed.stdout));
            const key = `${table.family} ${table.name}`;
            expect(kernel.get(key), `kernel view of ${key}`).to.deep.equal(ours.get(key));
          }
        });
      }

      // One fresh namespace per case: the nft and legacy backends and both families do not overlap.
      const variants = IPTABLES_VARIANTS.filter((v) => snapshot.files.includes(v.file));
      let iptablesNs: string | undefined;

      after(async function () {
        if (iptablesNs) await removeNamespace(lab, iptablesNs);
      });

      for (const variant of variants) {
        it(`${variant.file} loads with ${variant.restore} and ${variant.save} shows its chains and rules`, async function () {
          if (!onPath(variant.restore)) this.skip();
          const path = join(snapshot.dir, variant.file);
          const text = readFileSync(path, 'utf8');
          iptablesCounter += 1;
          iptablesNs ??= await addNamespace(lab, `ipt${iptablesCounter}`);
          // NetworkPolicy rules match ipsets: load the case's sets first (ipset is backend-independent).
          const ipsetFile = variant.file.replace('iptables-', 'ipset-').replace('.rules', '.txt');
          if (snapshot.files.includes(ipsetFile as SnapshotFile)) {
            await nsRun(iptablesNs, 'ipset', ['restore', '-exist'], { input: readFileSync(join(snapshot.dir, ipsetFile), 'utf8') });
          }
          const loaded = await nsRun(iptablesNs, variant.restore, [], { input: text, check: false });
          expect(loaded.exitCode, `${variant.restore} < ${path}:\n${loaded.stderr}`).to.equal(0);
          const saved = iptablesSummary((await nsRun(iptablesNs, variant.save, [])).stdout);
          for (const [table, expected] of iptablesSummary(text)) {
            const actual = saved.get(table);
            expect(actual, `table ${table} missing from ${variant.save}`).to.not.equal(undefined);
            for (const chain of expected.chains) expect([...actual!.chains], `chain ${table}/${chain}`).to.include(chain);
            expect(actual!.rules, `rule count in table ${table}`).to.equal(expected.rules);
          }
        });
      }
    });
  }
});
