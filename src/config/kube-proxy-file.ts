import { z } from 'zod';
import { checkBindAddress, checkCIDR, checkIP, checkNodeName } from './checks.js';
import { Duration } from './duration.js';
import { ConfigError, describeIssues } from './errors.js';
import { dropUndefined, errorMap } from './fields.js';
import { checkNodePortAddress, normalizeNodePortAddresses } from './node-port-addresses.js';
import type { Backend, DaemonConfig, LoadedConfig } from './types.js';

export const KUBE_PROXY_API_VERSION = 'kubeproxy.config.k8s.io/v1alpha1';
export const KUBE_PROXY_KIND = 'KubeProxyConfiguration';

// kube-proxy writes every field with its zero value ("", "0s", null) meaning "use the default"; so do we.
const Text = z.string().nullish();
const KubeDuration = Duration.nullish();
const Section = z.looseObject({ masqueradeAll: z.boolean().nullish(), syncPeriod: KubeDuration, minSyncPeriod: KubeDuration }).nullish();

/** The fields of kube-proxy's config we read, typed; the rest pass through and are reported as ignored. */
export const KubeProxyConfiguration = z.looseObject({
  apiVersion: z.literal(KUBE_PROXY_API_VERSION),
  kind: z.literal(KUBE_PROXY_KIND),
  mode: Text,
  clusterCIDR: Text,
  clusterCIDRs: z.array(z.string()).nullish(),
  detectLocalMode: Text,
  nodePortAddresses: z.array(z.string()).nullish(),
  bindAddress: Text,
  healthzBindAddress: Text,
  metricsBindAddress: Text,
  hostnameOverride: Text,
  syncPeriod: KubeDuration,
  minSyncPeriod: KubeDuration,
  iptables: Section,
  nftables: Section,
  clientConnection: z.looseObject({ kubeconfig: Text }).nullish(),
});
export type KubeProxyConfiguration = z.infer<typeof KubeProxyConfiguration>;

const READ_ALWAYS = ['apiVersion', 'kind', 'mode', 'clusterCIDR', 'clusterCIDRs', 'detectLocalMode', 'nodePortAddresses', 'bindAddress',
  'healthzBindAddress', 'metricsBindAddress', 'hostnameOverride', 'syncPeriod', 'minSyncPeriod', 'clientConnection.kubeconfig'];
const SECTION_FIELDS = ['masqueradeAll', 'syncPeriod', 'minSyncPeriod'];

/** Maps an operator's existing kube-proxy config onto ours; what we cannot honour is a warning, what we cannot run with an error. */
export function fromKubeProxyConfiguration(doc: unknown, file: string): LoadedConfig {
  const parsed = KubeProxyConfiguration.safeParse(doc, { error: errorMap });
  if (!parsed.success) throw new ConfigError(describeIssues(file, parsed.error));
  const kp = parsed.data;
  const problems: string[] = [];
  const warnings: string[] = [];
  const note = (list: string[]) => (field: string, message: string) => list.push(`${file}: field ${field}: ${message}`);
  const problem = note(problems);
  const warn = note(warnings);

  const backend = backendFor(kp.mode ?? '', problem, warn);
  const section = backend === 'nftables' ? kp.nftables : kp.iptables;
  // Before kube-proxy had an nftables section, nftables mode read iptables.masqueradeAll: masquerading more is the safe reading.
  const masqueradeAll = Boolean(section?.masqueradeAll || (backend === 'nftables' && kp.iptables?.masqueradeAll));

  const config: Partial<DaemonConfig> = {
    backend,
    nodeName: nonEmpty(kp.hostnameOverride)?.trim().toLowerCase(),
    nodeIPs: nodeIPsFrom(kp.bindAddress, problem),
    clusterCIDRs: clusterCIDRsFrom(kp, problem, warn),
    nodePortAddresses: nodePortAddressesFrom(kp.nodePortAddresses, problem, warn),
    masqueradeAll: masqueradeAll || undefined,
    syncPeriodSeconds: seconds(kp.syncPeriod || section?.syncPeriod),
    minSyncPeriodSeconds: seconds(kp.minSyncPeriod || section?.minSyncPeriod),
    healthzBindAddress: bindAddress('healthzBindAddress', kp.healthzBindAddress, problem),
    metricsBindAddress: bindAddress('metricsBindAddress', kp.metricsBindAddress, problem),
    kubeconfig: nonEmpty(kp.clientConnection?.kubeconfig),
  };
  if (config.nodeName) {
    const bad = checkNodeName(config.nodeName);
    if (bad) problem('hostnameOverride', bad);
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const read = new Set(READ_ALWAYS);
  if (backend) for (const f of SECTION_FIELDS) read.add(`${backend}.${f}`);
  if (backend === 'nftables') read.add('iptables.masqueradeAll');
  const ignored = ignoredFields(doc, read);
  if (ignored.length > 0) warnings.push(`${file}: ignoring KubeProxyConfiguration fields proxyctl does not use: ${ignored.join(', ')}`);
  return { config: dropUndefined(config), warnings };
}

type Note = (field: string, message: string) => void;

function backendFor(mode: string, problem: Note, warn: Note): Backend | undefined {
  if (mode === 'iptables' || mode === 'nftables') return mode;
  if (mode === '') {
    warn('mode', 'empty, so kube-proxy would run in iptables mode; proxyctl uses its iptables backend too (set mode: nftables for the nftables backend)');
    return 'iptables';
  }
  if (mode === 'ipvs') {
    problem('mode', '"ipvs" is not supported: proxyctl programs nftables or iptables, not IPVS. Set mode: nftables (or iptables), '
      + 'and run kube-proxy --cleanup on each node to remove the IPVS services and the kube-ipvs0 interface kube-proxy leaves behind');
    return undefined;
  }
  problem('mode', `expected "iptables" or "nftables"; got ${JSON.stringify(mode)}`);
  return undefined;
}

function nodeIPsFrom(bindAddress: string | null | undefined, problem: Note): string[] | undefined {
  // bindAddress is kube-proxy's override of the node's IPs (comma-separated for dual-stack); unspecified means none.
  const ips = (bindAddress ?? '').split(',').map((ip) => ip.trim()).filter((ip) => ip && ip !== '0.0.0.0' && ip !== '::');
  for (const ip of ips) {
    const bad = checkIP(ip);
    if (bad) problem('bindAddress', bad);
  }
  return ips.length > 0 ? ips : undefined;
}

function clusterCIDRsFrom(kp: KubeProxyConfiguration, problem: Note, warn: Note): string[] | undefined {
  const mode = kp.detectLocalMode ?? '';
  // NodeCIDR: local traffic is the Node's spec.podCIDRs, which is already our default.
  if (mode === 'NodeCIDR') return undefined;
  if (mode !== '' && mode !== 'ClusterCIDR') {
    warn('detectLocalMode', `${JSON.stringify(mode)} is not supported: proxyctl tells pod traffic by source CIDR (clusterCIDR if set, else the Node's spec.podCIDRs)`);
  }
  const fromText = (kp.clusterCIDR ?? '').split(',').map((c) => c.trim()).filter(Boolean);
  const cidrs = [...fromText, ...(kp.clusterCIDRs ?? [])];
  cidrs.forEach((c, i) => {
    const bad = checkCIDR(c);
    if (bad) problem(i < fromText.length ? 'clusterCIDR' : `clusterCIDRs[${i - fromText.length}]`, bad);
  });
  return cidrs.length > 0 ? cidrs : undefined;
}

function nodePortAddressesFrom(values: string[] | null | undefined, problem: Note, warn: Note): string[] | undefined {
  if (!values || values.length === 0) return undefined;
  const kept: string[] = [];
  for (const [i, v] of values.entries()) {
    if (v === 'localhost') {
      warn(`nodePortAddresses[${i}]`, '"localhost" ignored: proxyctl never accepts NodePort traffic on loopback');
      continue;
    }
    const bad = checkNodePortAddress(v);
    if (bad) problem(`nodePortAddresses[${i}]`, bad);
    kept.push(v);
  }
  return kept.length > 0 ? normalizeNodePortAddresses(kept) : undefined;
}

function bindAddress(field: string, value: string | null | undefined, problem: Note): string | undefined {
  const v = nonEmpty(value);
  const bad = v === undefined ? undefined : checkBindAddress(v);
  if (bad) problem(field, bad);
  return v;
}

function nonEmpty(v: string | null | undefined): string | undefined {
  return v ? v : undefined;
}

function seconds(ms: number | null | undefined): number | undefined {
  return ms ? ms / 1000 : undefined;
}

/** Leaf fields set to something other than their zero value and not read by us, sorted; feature gates always count. */
export function ignoredFields(doc: unknown, read: ReadonlySet<string>): string[] {
  const out: string[] = [];
  const walk = (value: unknown, path: string): void => {
    if (read.has(path)) return;
    if (isMapping(value)) {
      for (const [k, v] of Object.entries(value)) {
        const child = path ? `${path}.${k}` : k;
        if (path === 'featureGates') out.push(child);
        else walk(v, child);
      }
    } else if (!isZero(value)) out.push(path);
  };
  walk(doc, '');
  return out.sort();
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isZero(v: unknown): boolean {
  return v === null || v === undefined || v === false || v === 0 || v === '' || v === '0' || v === '0s' || (Array.isArray(v) && v.length === 0);
}
