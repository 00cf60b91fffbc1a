// The kernel accepts what both renderers emit, for several plans: nft text and JSON (same
// ruleset either way), ipset + iptables-restore (nft and legacy), and reloading is idempotent.
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IPFamily } from '../../src/model/ip.js';
import { nsRun } from '../kernel/exec.js';
import { describeKernel, onPath } from '../kernel/kernel-gate.js';
import { addNamespace, createLab, destroyLab, removeNamespace, type Lab } from '../kernel/netns.js';
import { applyPolicy, renderBoth, SAVE, type Rendered } from './apply.js';
import { loadCases } from './load-cases.js';

async function out(ns: string, command: string, args: string[], input?: string): Promise<string> {
  const r = await nsRun(ns, command, args, { input, check: false, timeoutMs: 60_000 });
  if (r.exitCode !== 0) throw new Error(`${command} ${args.join(' ')}:\n${r.stderr}`);
  return r.stdout;
}

/** nft 1.0.6 drops table, set and chain comments given as JSON: compare without them. */
const withoutComments = (listing: string) => listing.split('\n').filter((l) => !/^\t+comment "/.test(l)).join('\n');

/** Our chains as iptables-save prints them, hook rules and counters left out. */
function ourChains(save: string): string {
  return save.split('\n').filter((l) => /^(:|-A )(PROXYCTL-POLICY-|PXP-)/.test(l)).map((l) => l.replace(/ \[\d+:\d+\]$/, '')).sort().join('\n');
}

/** `ipset save` → set name → sorted members, for our sets. */
function savedSets(save: string): Map<string, string[]> {
  const sets = new Map<string, string[]>();
  for (const line of save.split('\n')) {
    const [verb, name, member] = line.split(' ');
    if (verb === 'create') sets.set(name, []);
    if (verb === 'add') sets.get(name)!.push(member);
  }
  for (const members of sets.values()) members.sort();
  return sets;
}

function wantedSets(r: Rendered): Map<string, string[]> {
  const sets = new Map<string, string[]>();
  for (const family of ['ipv4', 'ipv6'] as IPFamily[]) {
    for (const [name, members] of savedSets(r.ipt[family].ipset)) sets.set(name, members);
  }
  return sets;
}

describeKernel('@kernel policy render: the kernel loads every rendered plan', function () {
  this.timeout(120_000);
  let lab: Lab;
  before(() => {
    lab = createLab();
  });
  after(async () => {
    if (lab) await destroyLab(lab);
  });

  /** A fresh namespace per load, so no case sees another's leftovers. */
  async function inFreshNamespace(role: string, fn: (ns: string) => Promise<void>): Promise<void> {
    const ns = await addNamespace(lab, role);
    try {
      await fn(ns);
    } finally {
      await removeNamespace(lab, ns);
    }
  }

  for (const c of loadCases()) {
    describe(c.name, () => {
      const r = renderBoth(c.plan, c.opts);

      it('nftables: text loads, reloads to the same ruleset, and JSON loads to the same ruleset', async () => {
        expect(r.nftText).to.include('table ip6 proxyctl-policy');
        let fromText = '';
        await inFreshNamespace('pl-nft', async (ns) => {
          await applyPolicy(ns, 'nftables', r);
          fromText = await out(ns, 'nft', ['list', 'ruleset']);
          await applyPolicy(ns, 'nftables', r);
          expect(await out(ns, 'nft', ['list', 'ruleset'])).to.equal(fromText);
        });
        await inFreshNamespace('pl-json', async (ns) => {
          // nft -j opens /dev/stdin by path, which fails on node's socket stdio: use a file.
          const dir = mkdtempSync(join(tmpdir(), 'proxyctl-policy-'));
          try {
            writeFileSync(join(dir, 'policy.json'), r.nftJson);
            await out(ns, 'nft', ['-j', '-f', join(dir, 'policy.json')]);
          } finally {
            rmSync(dir, { recursive: true, force: true });
          }
          expect(withoutComments(await out(ns, 'nft', ['list', 'ruleset']))).to.equal(withoutComments(fromText));
        });
      });

      for (const backend of ['iptables', 'iptables-legacy'] as const) {
        it(`${backend}: ipset restore + restore --noflush load, sets hold the rendered members, reload is idempotent`, async function () {
          if (!onPath(SAVE[backend].ipv4) || !onPath('ipset')) this.skip();
          await inFreshNamespace('pl-ipt', async (ns) => {
            await applyPolicy(ns, backend, r);
            const save = async () => (await Promise.all((['ipv4', 'ipv6'] as const).map((f) => out(ns, SAVE[backend][f], [])))).map(ourChains).join('\n---\n');
            const first = await save();
            const wantChains = (['ipv4', 'ipv6'] as const).map((f) => r.ipt[f].rules.split('\n').filter((l) => l.startsWith(':')).length).reduce((a, b) => a + b, 0);
            expect(first.split('\n').filter((l) => l.startsWith(':')).length).to.equal(wantChains);
            expect(savedSets(await out(ns, 'ipset', ['save']))).to.deep.equal(wantedSets(r));
            await applyPolicy(ns, backend, r);
            expect(await save()).to.equal(first);
            expect(savedSets(await out(ns, 'ipset', ['save']))).to.deep.equal(wantedSets(r));
          });
        });
      }
    });
  }
});
