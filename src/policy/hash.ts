import * as crypto from 'node:crypto';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** Renders name the same policies and groups again and again; a bounded memo keeps sha256 off the hot path. */
const cache = new Map<string, string>();
const CACHE_LIMIT = 100_000;

/**
 * 16 base32 characters (80 bits) of sha256(identity): names derive from identity, never from list
 * positions, so they are stable under input order and short enough for iptables and ipset limits.
 */
export function hash16(identity: string): string {
  let out = cache.get(identity);
  if (out === undefined) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(identity, (out = compute(identity)));
  }
  return out;
}

function compute(identity: string): string {
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
