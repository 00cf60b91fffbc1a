import { normalizeCIDR, normalizeIP } from '../model/ip.js';

/** Each check returns what is wrong with a value, or undefined when it is fine. */
export type Check = (value: string) => string | undefined;

export const checkIP: Check = (v) => (normalizeIP(v) ? undefined : `invalid IP address ${JSON.stringify(v)}`);

export const checkCIDR: Check = (v) => (normalizeCIDR(v) ? undefined : `invalid CIDR ${JSON.stringify(v)}`);

export const checkPortRange: Check = (v) => {
  const m = /^(\d+)-(\d+)$/.exec(v.trim());
  const [min, max] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
  return m && min >= 1 && max <= 65535 && min <= max ? undefined : `invalid port range ${JSON.stringify(v)} (expected A-B within 1-65535)`;
};

/** kubelet registers Nodes under an RFC 1123 subdomain name. */
export const checkNodeName: Check = (v) =>
  v.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(v)
    ? undefined
    : `invalid node name ${JSON.stringify(v)} (expected a lowercase RFC 1123 subdomain)`;

export interface HostPort {
  host: string;
  port: number;
}

/** "IP:port" or "[IPv6]:port" → parts; undefined when malformed. */
export function parseHostPort(v: string): HostPort | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(v.trim());
  if (!m) return undefined;
  const host = normalizeIP(m[1] ?? m[2]);
  const port = Number(m[3]);
  if (!host || (m[1] !== undefined) !== host.includes(':') || port < 1 || port > 65535) return undefined;
  return { host, port };
}

export const checkBindAddress: Check = (v) =>
  parseHostPort(v) ? undefined : `invalid bind address ${JSON.stringify(v)} (expected IP:port or [IPv6]:port, e.g. 0.0.0.0:10256)`;
