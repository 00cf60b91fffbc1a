import { familyOf } from '../model/ip.js';
import { checkCIDR } from './checks.js';

/** kube-proxy's nodePortAddresses keyword for the node's own IPs; expanded when the config is resolved. */
export const PRIMARY = 'primary';
const ALL = ['0.0.0.0/0', '::/0'];

/** Checks one nodePortAddresses entry of a settings file: a CIDR, "primary" or "all". */
export function checkNodePortAddress(v: string): string | undefined {
  if (v === PRIMARY || v === 'all') return undefined;
  if (v === 'localhost') return 'NodePorts on localhost are not supported (proxyctl never accepts NodePort traffic on loopback)';
  return checkCIDR(v) ? `invalid value ${JSON.stringify(v)} (expected a CIDR, "primary" or "all")` : undefined;
}

/** "all" becomes both /0s; "primary" stays until the node IPs are known (see expandNodePortAddresses). */
export function normalizeNodePortAddresses(values: readonly string[]): string[] {
  return values.flatMap((v) => (v === 'all' ? ALL : [v]));
}

export const PRIMARY_NEEDS_NODE_IPS = '"primary" together with CIDRs needs nodeIPs (set nodeIPs or --node-ip); alone, an empty list already means the node\'s IPs';

/**
 * Replaces "primary" by the node IPs as host CIDRs. Without node IPs, a lone "primary" becomes the empty list,
 * which already means "the Node's InternalIPs"; mixed with CIDRs it stays, and validation reports it.
 */
export function expandNodePortAddresses(values: readonly string[], nodeIPs: readonly string[]): string[] {
  if (!values.includes(PRIMARY)) return [...values];
  const rest = values.filter((v) => v !== PRIMARY);
  if (nodeIPs.length > 0) return [...new Set([...rest, ...nodeIPs.map((ip) => `${ip}/${familyOf(ip) === 'ipv4' ? 32 : 128}`)])];
  return rest.length === 0 ? [] : [...values];
}
