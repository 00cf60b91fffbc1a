import * as crypto from 'node:crypto';

/** Static chains carry the full prefix; per-service chains a short prefix plus a hash of their identity. */
export const CHAIN = {
  services: 'PROXYCTL-SERVICES',
  nodePorts: 'PROXYCTL-NODEPORTS',
  postrouting: 'PROXYCTL-POSTROUTING',
  markMasq: 'PROXYCTL-MARK-MASQ',
  offCluster: 'PROXYCTL-OFF-CLUSTER',
  external: 'PROXYCTL-EXTERNAL',
  firewall: 'PROXYCTL-FIREWALL',
} as const;

export const MASQ_MARK = '0x4000';

// crypto.hash (Node >= 20.12) is several times cheaper than createHash for short inputs.
const oneShot = (crypto as unknown as { hash?: (alg: string, data: string, enc: 'buffer') => Buffer }).hash;
const sha256 = (s: string): Buffer => (oneShot ? oneShot('sha256', s, 'buffer') : crypto.createHash('sha256').update(s).digest());

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** 16 base32 characters of sha256: stable across runs, collision-safe for a cluster's services. */
export function hashName(kind: 'SVC' | 'SVL' | 'EXT' | 'FW' | 'SEP', identity: string): string {
  const bytes = sha256(identity);
  let bits = 0;
  let acc = 0;
  let out = '';
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5 && out.length < 16) {
      out += BASE32[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length >= 16) break;
  }
  return `PXC-${kind}-${out}`;
}
