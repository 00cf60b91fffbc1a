import { parseAddress, parseCIDR } from '../policy/cidr.js';

/** What the iptables policy engine knows it committed to one ipset. */
export interface IpsetState {
  type: string;
  family: string;
  members: Set<string>;
}

/** `ipset restore` input (as renderPolicyIptables writes it) → the sets and members it ends with. */
export function parseIpsets(text: string): Map<string, IpsetState> {
  const sets = new Map<string, IpsetState>();
  for (const line of text.split('\n')) {
    const [verb, name, ...rest] = line.split(' ');
    if (verb === 'create') sets.set(name, { type: rest[0], family: rest[2], members: new Set() });
    else if (verb === 'add') sets.get(name)?.members.add(rest.join(' '));
  }
  return sets;
}

/**
 * A member as a comparable key: `ipset save` prints host nets without their prefix (`10.0.0.1` for
 * `10.0.0.1/32`) and IPv6 in its own compressed form, so kernel text and ours are compared canonical.
 */
export function ipsetMemberKey(type: string, member: string): string {
  if (type === 'hash:net') {
    const cidr = parseCIDR(member.includes('/') ? member : `${member}/${member.includes(':') ? 128 : 32}`);
    return cidr?.cidr ?? member;
  }
  const comma = member.indexOf(',');
  const address = comma < 0 ? member : member.slice(0, comma);
  return (parseAddress(address)?.address ?? address) + (comma < 0 ? '' : member.slice(comma));
}

/**
 * `ipset restore` lines that turn the members of `have` into those of `want`, never flushing (a
 * flush would leave an allowed peer briefly missing). Members are compared by ipsetMemberKey when
 * `have` was read back from the kernel; the lines name each member as its side spells it.
 */
export function memberLines(name: string, want: IpsetState, have: IpsetState | undefined, readBack: boolean): string[] {
  const lines: string[] = [];
  if (!have) {
    for (const m of want.members) lines.push(`add ${name} ${m} -exist`);
    return lines;
  }
  const key = readBack ? (m: string) => ipsetMemberKey(want.type, m) : (m: string) => m;
  const wanted = readBack ? new Set([...want.members].map(key)) : want.members;
  const present = readBack ? new Set([...have.members].map(key)) : have.members;
  for (const m of want.members) if (!present.has(key(m))) lines.push(`add ${name} ${m} -exist`);
  for (const m of have.members) if (!wanted.has(key(m))) lines.push(`del ${name} ${m} -exist`);
  return lines;
}
