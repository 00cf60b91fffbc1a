
/** Static chains carry the full prefix; per-service chains a short prefix plus a hash of their identity. */
export const CHAIN = {
  services: 'PROXYCTL-SERVICES',
  nodePorts: 'PROXYCTL-NODEPORTS',
  postrouting: 'PROXYCTL-POSTROUTING',
  markMasq: 'PROXYCTL-MARK-MASQ',
  offCluster: 'PROXYCTL-OFF-CLUSTER',
  hairpin: 'PROXYCTL-HAIRPIN',
  external: 'PROXYCTL-EXTERNAL',
  firewall: 'PROXYCTL-FIREWALL',
} as const;

export const MASQ_MARK = '0x4000';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * 16 base32 characters (80 bits) of a 128-bit non-cryptographic hash (four seeded 32-bit FNV/murmur-style
 * lanes): stable across runs and platforms, collision-safe for a cluster's chains, and ~20x cheaper than
 * sha256 — the iptables render names ~100k chains at 10k services.
 */
export function hashName(kind: ChainKind, identity: string): string {
  return `PXC-${kind}-${digest(identity)}`;
}

export type ChainKind = 'SVC' | 'SVL' | 'EXT' | 'FW' | 'SEP' | 'HP';

/** The 16-character part of a chain name; a service port's chains share it and differ by kind. */
export function digest(identity: string): string {
  let a = 0x811c9dc5 | 0;
  let b = 0x5bd1e995 | 0;
  let c = 0x27d4eb2f | 0;
  let d = 0x165667b1 | 0;
  for (let i = 0; i < identity.length; i++) {
    const x = identity.charCodeAt(i);
    a = Math.imul(a ^ x, 0x01000193);
    b = Math.imul(b ^ x, 0x9e3779b1);
    c = Math.imul(c ^ x, 0x85ebca6b);
    d = Math.imul(d ^ x, 0xc2b2ae35);
  }
  const lanes = [mix(a ^ d), mix(b ^ a), mix(c ^ b), mix(d ^ c)];
  let out = '';
  for (let l = 0; l < 4 && out.length < 16; l++) {
    for (let shift = 27; shift >= 0 && out.length < 16; shift -= 5) out += BASE32[(lanes[l] >>> shift) & 31];
  }
  return out;
}

/** murmur3's finalizer: spreads every input bit over the lane. */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
