import ipaddr from 'ipaddr.js';
import type { IPFamily } from '../model/ip.js';

/** Strict address/CIDR parsing and interval arithmetic on addresses (as bigints). */

export interface AddressRange {
  family: IPFamily;
  start: bigint;
  end: bigint;
}

const WIDTH: Record<IPFamily, number> = { ipv4: 32, ipv6: 128 };
const PREFIX = /^(0|[1-9][0-9]{0,2})$/;
const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
/** Dotted quad without leading zeros: already canonical IPv4 text. */
const CANONICAL_QUAD = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);

export interface ParsedAddress {
  family: IPFamily;
  address: string;
  /** addressSortKey(address), computed from the same parse. */
  key: string;
}

/** Canonical address text and family, or undefined. Rejects what Go's net.ParseIP rejects (leading zeros, zones). */
export function parseAddress(text: unknown): ParsedAddress | undefined {
  if (typeof text !== 'string') return undefined;
  if (CANONICAL_QUAD.test(text)) return { family: 'ipv4', address: text, key: addressSortKey(text) };
  if (text.includes('%') || !ipaddr.isValid(text)) return undefined;
  const addr = ipaddr.parse(text);
  if (addr.kind() === 'ipv4') {
    if (!ipaddr.IPv4.isValidFourPartDecimal(text)) return undefined;
    const address = addr.toString();
    return { family: 'ipv4', address, key: addressSortKey(address) };
  }
  const v6 = addr as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) {
    const address = v6.toIPv4Address().toString();
    return { family: 'ipv4', address, key: addressSortKey(address) };
  }
  return { family: 'ipv6', address: v6.toString(), key: `6${hex(v6.toByteArray())}` };
}

/** Canonical CIDR (host bits cleared) and its range, or undefined when it is not a valid CIDR. */
export function parseCIDR(text: unknown): (AddressRange & { cidr: string }) | undefined {
  if (typeof text !== 'string') return undefined;
  const slash = text.indexOf('/');
  if (slash < 0 || !PREFIX.test(text.slice(slash + 1))) return undefined;
  const base = text.slice(0, slash);
  if (base.includes('%') || !ipaddr.isValid(base)) return undefined;
  const addr = ipaddr.parse(base);
  const family: IPFamily = addr.kind() === 'ipv4' ? 'ipv4' : 'ipv6';
  if (family === 'ipv4' && !ipaddr.IPv4.isValidFourPartDecimal(base)) return undefined;
  const bits = Number(text.slice(slash + 1));
  if (bits > WIDTH[family]) return undefined;
  const size = 1n << BigInt(WIDTH[family] - bits);
  const start = (toBigInt(addr.toByteArray()) / size) * size;
  return { family, start, end: start + size - 1n, cidr: `${fromBigInt(family, start)}/${bits}` };
}

export function addressValue(address: string): bigint {
  return toBigInt(ipaddr.parse(address).toByteArray());
}

export function familyOfAddress(address: string): IPFamily {
  return address.includes(':') ? 'ipv6' : 'ipv4';
}

export function rangeContains(range: AddressRange, family: IPFamily, value: bigint): boolean {
  return range.family === family && range.start <= value && value <= range.end;
}

/** Subtracts every `holes` range from `range` (same family assumed). */
export function subtractRanges(range: AddressRange, holes: AddressRange[]): AddressRange[] {
  const out: AddressRange[] = [];
  let cursor = range.start;
  for (const hole of [...holes].sort((a, b) => compareBig(a.start, b.start))) {
    if (hole.end < cursor || hole.start > range.end) continue;
    if (hole.start > cursor) out.push({ family: range.family, start: cursor, end: hole.start - 1n });
    if (hole.end >= cursor) cursor = hole.end + 1n;
  }
  if (cursor <= range.end) out.push({ family: range.family, start: cursor, end: range.end });
  return out;
}

/** The fewest CIDRs covering exactly the union of `ranges` (all of `family`), in address order. */
export function rangesToCIDRs(family: IPFamily, ranges: AddressRange[]): string[] {
  const width = WIDTH[family];
  const out: string[] = [];
  for (const merged of mergeRanges(ranges.filter((r) => r.family === family))) {
    let start = merged.start;
    while (start <= merged.end) {
      let bits = width;
      while (bits > 0) {
        const size = 1n << BigInt(width - bits + 1);
        if (start % size !== 0n || start + size - 1n > merged.end) break;
        bits--;
      }
      out.push(`${fromBigInt(family, start)}/${bits}`);
      start += 1n << BigInt(width - bits);
    }
  }
  return out;
}

function mergeRanges(ranges: AddressRange[]): AddressRange[] {
  const sorted = [...ranges].sort((a, b) => compareBig(a.start, b.start));
  const out: AddressRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end + 1n) {
      if (r.end > last.end) last.end = r.end;
    } else {
      out.push({ ...r });
    }
  }
  return out;
}


/** A string key ordering canonical addresses numerically, IPv4 before IPv6. */
export function addressSortKey(address: string): string {
  const m = CANONICAL_QUAD.exec(address);
  if (m) {
    const n = ((Number(m[1]) << 24) >>> 0) + (Number(m[2]) << 16) + (Number(m[3]) << 8) + Number(m[4]);
    return `4${n.toString(16).padStart(8, '0')}`;
  }
  return `6${hex(ipaddr.parse(address).toByteArray())}`;
}

export function compareAddresses(a: string, b: string): number {
  const ka = addressSortKey(a);
  const kb = addressSortKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Unique addresses in numeric order; each key computed once (sets reach tens of thousands). */
export function sortAddresses(addresses: Iterable<string>): string[] {
  return sortByKey([...new Set(addresses)], addressSortKey);
}

/** Decorate-sort-undecorate: `key` runs once per item. */
export function sortByKey<T>(items: readonly T[], key: (item: T) => string): T[] {
  return items
    .map((item) => ({ item, k: key(item) }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
    .map(({ item }) => item);
}

export function compareCIDRText(a: string, b: string): number {
  const [ia, pa] = a.split('/');
  const [ib, pb] = b.split('/');
  return compareAddresses(ia, ib) || Number(pa) - Number(pb);
}

function compareBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function hex(bytes: number[]): string {
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
}

function toBigInt(bytes: number[]): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

function fromBigInt(family: IPFamily, value: bigint): string {
  const bytes: number[] = [];
  for (let i = 0; i < WIDTH[family] / 8; i++) {
    bytes.unshift(Number(value & 0xffn));
    value >>= 8n;
  }
  return ipaddr.fromByteArray(bytes).toString();
}
