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
