import type { NamedPortEntry } from '../../../policy/types.js';
import { isWholeProtocol, type PortInterval } from '../../nftables/policy/ports.js';

/** multiport takes at most 15 ports; a range counts as two. */
const MULTIPORT_SLOTS = 15;

/**
 * Port matches of one rule, one alternative each: `-p tcp` for a whole protocol, else
 * `-p tcp -m multiport --dports 80,8000:8080` in chunks that fit multiport.
 */
export function portMatches(intervals: readonly PortInterval[]): string[] {
  const out: string[] = [];
  for (const protocol of ['tcp', 'udp', 'sctp'] as const) {
    const mine = intervals.filter((i) => i.protocol === protocol);
    if (mine.some(isWholeProtocol)) {
      out.push(`-p ${protocol}`);
      continue;
    }
    let chunk: string[] = [];
    let used = 0;
    for (const i of mine) {
      const cost = i.start === i.end ? 1 : 2;
      if (used + cost > MULTIPORT_SLOTS) {
        out.push(multiport(protocol, chunk));
        chunk = [];
        used = 0;
      }
      chunk.push(i.start === i.end ? String(i.start) : `${i.start}:${i.end}`);
      used += cost;
    }
    if (chunk.length) out.push(multiport(protocol, chunk));
  }
  return out;
}

function multiport(protocol: string, ports: string[]): string {
  return `-p ${protocol} -m multiport --dports ${ports.join(',')}`;
}

/** hash:ip,port members: `10.244.0.2,tcp:8080`. */
export function namedMember(n: NamedPortEntry): string {
  return `${n.address},${n.protocol.toLowerCase()}:${n.port}`;
}
