import { memberEntry, type MemberEntry } from '../backends/iptables/policy/members.js';
import type { IPFamily } from '../model/ip.js';
import type { Member } from '../policy/membership.js';
import type { IpsetState } from './ipset-state.js';

/**
 * Pod members added and removed, applied to the committed ipsets: `ipset restore` lines (del before
 * add, never a flush) and the sets as they will be once applied (touched sets copied). Members of
 * families we do not manage are ignored. Undefined when a member's set is missing (full path).
 */
export function applyIptMembers(
  applied: ReadonlyMap<IPFamily, ReadonlyMap<string, IpsetState>>, families: readonly IPFamily[], added: readonly Member[], removed: readonly Member[],
): { lines: string[]; sets: Map<IPFamily, Map<string, IpsetState>> } | undefined {
  const sets = new Map([...applied].map(([f, m]) => [f, new Map(m)]));
  const touched = new Map<string, { family: IPFamily; set: string; gone: string[]; come: string[] }>();
  const place = (m: Member, into: 'gone' | 'come'): boolean => {
    const e: MemberEntry = memberEntry(m);
    if (!families.includes(e.family)) return true;
    if (!applied.get(e.family)?.has(e.set)) return e.optional;
    const id = `${e.family} ${e.set}`;
    let hit = touched.get(id);
    if (!hit) touched.set(id, (hit = { family: e.family, set: e.set, gone: [], come: [] }));
    hit[into].push(e.member);
    return true;
  };
  for (const m of removed) if (!place(m, 'gone')) return undefined;
  for (const m of added) if (!place(m, 'come')) return undefined;
  const lines: string[] = [];
  for (const { family, set, gone, come } of touched.values()) {
    const old = sets.get(family)!.get(set)!;
    const members = new Set(old.members);
    for (const m of gone) members.delete(m);
    for (const m of come) members.add(m);
    for (const m of gone) if (old.members.has(m) && !members.has(m)) lines.push(`del ${set} ${m} -exist`);
    for (const m of come) if (!old.members.has(m)) lines.push(`add ${set} ${m} -exist`);
    sets.get(family)!.set(set, { ...old, members });
  }
  return { lines: [...new Set(lines)], sets };
}
