import ipaddr from 'ipaddr.js';

export type IPFamily = 'ipv4' | 'ipv6';
export const FAMILIES: readonly IPFamily[] = ['ipv4', 'ipv6'];

const DOTTED_QUAD = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** Canonical text of an address (v4 dotted, v6 RFC 5952 compressed) or undefined when unparsable. */
export function normalizeIP(text: string): string | undefined {
  if (typeof text !== 'string') return undefined;
  if (DOTTED_QUAD.test(text)) return text; // fast path: already canonical IPv4, the common case
  if (!ipaddr.isValid(text.trim())) return undefined;
  const addr = ipaddr.parse(text.trim());
  if (addr.kind() === 'ipv4') {
    if (!ipaddr.IPv4.isValidFourPartDecimal(text.trim())) return undefined;
    return addr.toString();
  }
  const v6 = addr as ipaddr.IPv6;
  return v6.isIPv4MappedAddress() ? v6.toIPv4Address().toString() : v6.toString();
}

export function familyOf(ip: string): IPFamily {
  return ip.includes(':') ? 'ipv6' : 'ipv4';
}

/** Canonical CIDR text (host bits cleared) or undefined when unparsable. */
export function normalizeCIDR(text: string): string | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    const [addr, bits] = ipaddr.parseCIDR(text.trim());
    if (addr.kind() === 'ipv4' && !ipaddr.IPv4.isValidFourPartDecimal(text.trim().split('/')[0])) return undefined;
    const network = addr.kind() === 'ipv4'
      ? ipaddr.IPv4.networkAddressFromCIDR(text.trim())
      : ipaddr.IPv6.networkAddressFromCIDR(text.trim());
    return `${network.toString()}/${bits}`;
  } catch {
    return undefined;
  }
}

export function cidrContains(cidr: string, ip: string): boolean {
  const [net, bits] = ipaddr.parseCIDR(cidr);
  const addr = ipaddr.parse(ip);
  return net.kind() === addr.kind() && addr.match(net, bits);
}

/** Sort key so addresses order numerically, not lexically (10.0.0.9 before 10.0.0.10); v4 before v6. */
export function ipSortKey(ip: string): string {
  const m = DOTTED_QUAD.exec(ip);
  if (m) {
    const n = ((Number(m[1]) << 24) >>> 0) + (Number(m[2]) << 16) + (Number(m[3]) << 8) + Number(m[4]);
    return '4' + n.toString(16).padStart(8, '0');
  }
  const bytes = ipaddr.parse(ip).toByteArray();
  return '6' + bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
}

export function compareIPs(a: string, b: string): number {
  const ka = ipSortKey(a);
  const kb = ipSortKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Sorts by a derived IP once per item rather than once per comparison. */
export function sortByIP<T>(items: T[], ipOf: (item: T) => string, tie: (a: T, b: T) => number = () => 0): T[] {
  const keyed = items.map((item) => ({ item, key: ipSortKey(ipOf(item)) }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : tie(a.item, b.item)));
  return keyed.map((k) => k.item);
}

export function compareCIDRs(a: string, b: string): number {
  const [ia, ba] = a.split('/');
  const [ib, bb] = b.split('/');
  return compareIPs(ia, ib) || Number(ba) - Number(bb);
}
