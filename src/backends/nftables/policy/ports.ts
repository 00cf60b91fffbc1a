import type { Protocol } from '../../../model/types.js';
import type { PortRange } from '../../../policy/types.js';

/** A rule's numeric ports as disjoint intervals per protocol. */

export type L4 = 'tcp' | 'udp' | 'sctp';

export interface PortInterval {
  protocol: L4;
  start: number;
  end: number;
}

const ORDER: readonly L4[] = ['tcp', 'udp', 'sctp'];

export const l4 = (p: Protocol): L4 => p.toLowerCase() as L4;

/**
 * Overlapping or adjacent ranges merged: the kernel rejects an interval-set element overlapping
 * another ("File exists"), and a protocol without a port is the whole 0-65535.
 */
export function portIntervals(ranges: readonly PortRange[]): PortInterval[] {
  const out: PortInterval[] = [];
  for (const protocol of ORDER) {
    const spans = ranges
      .filter((r) => l4(r.protocol) === protocol)
      .map((r) => (r.port === undefined ? { start: 0, end: 65535 } : { start: r.port, end: r.endPort ?? r.port }))
      .sort((a, b) => a.start - b.start || a.end - b.end);
    let last: PortInterval | undefined;
    for (const s of spans) {
      if (last && s.start <= last.end + 1) {
        last.end = Math.max(last.end, s.end);
        continue;
      }
      last = { protocol, ...s };
      out.push(last);
    }
  }
  return out;
}

export function isWholeProtocol(i: PortInterval): boolean {
  return i.start === 0 && i.end === 65535;
}
