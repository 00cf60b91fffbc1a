import * as crypto from 'node:crypto';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/**
 * 16 base32 characters (80 bits) of sha256(identity): names derive from identity, never from list
 * positions, so they are stable under input order and short enough for iptables and ipset limits.
 */
export function hash16(identity: string): string {
  const bytes = crypto.createHash('sha256').update(identity).digest();
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = ((acc << 8) | b) & 0xfff;
    bits += 8;
    while (bits >= 5 && out.length < 16) {
      out += BASE32[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length === 16) break;
  }
  return out;
}
