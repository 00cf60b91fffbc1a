import type { IPFamily } from '../../../model/ip.js';

/** ipset declarations and their `ipset restore` text. */

export interface IpSet {
  name: string;
  type: 'hash:ip' | 'hash:net' | 'hash:ip,port';
  /** Members as ipset prints them: `10.0.0.1`, `10.0.0.0/8`, `10.0.0.1,tcp:8080`. */
  members: string[];
}

/**
 * `create -exist` keeps a set that rules still reference (a set in use cannot be destroyed or
 * re-created), `flush` + `add` then make its members exactly ours. Not atomic per set: a swap via
 * a temporary set is the applier's business.
 */
export function ipsetRestoreText(sets: readonly IpSet[], family: IPFamily): string {
  const fam = family === 'ipv4' ? 'inet' : 'inet6';
  const lines: string[] = [];
  for (const s of sets) {
    lines.push(`create ${s.name} ${s.type} family ${fam} -exist`, `flush ${s.name}`);
    for (const m of s.members) lines.push(`add ${s.name} ${m}`);
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}
