// Counts what comes back to a client namespace, so a test can tell a TCP RST from an ICMP
// error (a TCP client sees ECONNREFUSED for both) and a drop from a rejection.
import { nsRun } from './exec.js';

const TABLE = 'pxt_observe';

const RULESET = `table inet ${TABLE} {
  counter tcp-rst {}
  counter port-unreachable {}
  chain input {
    type filter hook input priority -300; policy accept;
    tcp flags & rst == rst counter name "tcp-rst"
    icmp type destination-unreachable icmp code port-unreachable counter name "port-unreachable"
    icmpv6 type destination-unreachable icmpv6 code port-unreachable counter name "port-unreachable"
  }
}
`;

export interface ReplyCounts {
  tcpRst: number;
  portUnreachable: number;
}

export async function installReplyCounters(ns: string): Promise<void> {
  await nsRun(ns, 'nft', ['-f', '-'], { input: RULESET });
}

export async function resetReplyCounters(ns: string): Promise<void> {
  await nsRun(ns, 'nft', ['reset', 'counters', 'table', 'inet', TABLE]);
}

export async function readReplyCounters(ns: string): Promise<ReplyCounts> {
  const listed = await nsRun(ns, 'nft', ['-j', 'list', 'counters', 'table', 'inet', TABLE]);
  const items = (JSON.parse(listed.stdout) as { nftables: { counter?: { name: string; packets: number } }[] }).nftables;
  const packets = (name: string): number => items.find((item) => item.counter?.name === name)?.counter?.packets ?? 0;
  return { tcpRst: packets('tcp-rst'), portUnreachable: packets('port-unreachable') };
}
