// Reading a node's service rules back from the kernel, for either backend.
import { nsRun } from '../../kernel/exec.js';
import type { Backend } from './daemons.js';

/** True when the node's rules mention this ClusterIP (port 80, TCP). */
export async function programs(ns: string, backend: Backend, clusterIP: string): Promise<boolean> {
  if (backend === 'nftables') {
    const r = await nsRun(ns, 'nft', ['list', 'map', 'ip', 'proxyctl', 'service-ips'], { check: false });
    return r.stdout.includes(`${clusterIP} . tcp . 80 `);
  }
  const r = await nsRun(ns, 'iptables-save', ['-t', 'nat'], { check: false });
  return r.stdout.includes(`-d ${clusterIP}/32 -p tcp -m tcp --dport 80 `);
}

/**
 * The service rules without dynamic state (affinity entries, counters): equal snapshots mean
 * nobody rewrote the services' rules in between. Empty when our rules are missing.
 */
export async function serviceRules(ns: string, backend: Backend): Promise<string> {
  if (backend === 'nftables') {
    const parts: string[] = [];
    for (const map of ['service-ips', 'service-nodeports', 'endpoints', 'nodeport-endpoints', 'no-endpoint-services']) {
      const r = await nsRun(ns, 'nft', ['list', 'map', 'ip', 'proxyctl', map], { check: false });
      parts.push(r.exitCode === 0 ? r.stdout : '');
    }
    return parts.join('');
  }
  const r = await nsRun(ns, 'iptables-save', [], { check: false });
  return r.stdout.split('\n').filter((l) => /(PROXYCTL|PXC)-/.test(l) && !l.startsWith('#')).map((l) => l.replace(/\[\d+:\d+\]/, '')).join('\n');
}
