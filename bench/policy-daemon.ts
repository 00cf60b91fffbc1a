// The daemon enforcing NetworkPolicy on the synthetic cluster: programming 1,000 policies, memory,
// and the latency from a pod label change at the API server to the peer-set update in the kernel.
//
// The policies reach the daemon by watch, after its first sync, not by its initial list: objects from
// client-node's typed list calls carry `_from` for an ingress rule's `from` (the generated model's
// property name), which the daemon does not read, so listed policies lose their peers (see BENCHMARKS.md).
import type { Backend } from '../src/pipeline.js';
import { sleep, wallMs } from './clock.js';
import { DaemonProcess, type Memory } from './daemon-proc.js';
import { withStack, type Stack } from './daemon-stack.js';
import { log } from './log.js';
import { NftMonitor } from './nft-monitor.js';
import { POLICY_NODE, type PolicySize } from './policy-cluster.js';
import { labelChanges } from './policy-changes.js';
import { podStarts } from './policy-pod-starts.js';
import { profilePhases, type ProfileSummary, type ProfileWindow } from './profile.js';
import type { Distribution } from './stats.js';

export interface PolicyDaemonOptions {
  repoRoot: string;
  dir: string;
  /** Nodes, Namespaces and Pods, loaded by the API server at start. */
  baseInput: string;
  /** Loaded after the daemon's first sync. */
  policies: Record<string, unknown>[];
  backend: Backend;
  size: PolicySize;
  changes: number;
  gapMs: number;
  pollMs: number;
  timeoutMs: number;
  budgetMs: number;
  /** Run the daemon under --cpu-prof, writing here. */
  profileDir?: string;
}

export interface PolicyDaemonResult {
  backend: Backend;
  /** Spawn → first 'policy synced' (pods and namespaces listed, no policies yet). */
  startMs?: number;
  /** All policies loaded at the API server at once → the daemon synced every one of them. */
  policiesMs?: number;
  /** The syncs that took, and their summed durations ('policy synced' seconds). */
  policiesSyncs?: number;
  policiesSyncLogMs?: number;
  method?: string;
  /** Label update call → the pod's address added to / deleted from the peer set in the kernel. */
  latency?: Distribution;
  /** Polling: update call → end of the last poll that did not see it (a lower bound). */
  pollLower?: Distribution;
  /** Pod create call (Running, with its IP) → its address in the peer set in the kernel: the pod-start window. */
  podStart?: Distribution;
  /** Per change, the daemon's own policy sync duration ('policy synced' seconds). */
  syncLog?: Distribution;
  meanPollMs?: number;
  requested: number;
  failures: string[];
  note?: string;
  memory?: Memory;
  /** --profile: the daemon's CPU profile while programming the policies, and during the label changes. */
  profile?: { policies?: ProfileSummary; changes?: ProfileSummary };
  error?: string;
}

/** Loads every policy at once; done when the policy syncs since then covered as many objects. */
async function programPolicies(s: Stack, o: PolicyDaemonOptions, r: PolicyDaemonResult): Promise<void> {
  const d = s.daemon!;
  const from = d.lines.length;
  const t0 = wallMs();
  await s.api.load(o.policies as never);
  let objects = 0;
  let syncs = 0;
  let spent = 0;
  for (let i = from; objects < o.policies.length;) {
    const next = await d.waitFor('policy synced', i, o.timeoutMs, 'policy sync failed');
    objects += Number(next.line.fields.objects);
    spent += Number(next.line.fields.seconds) * 1000;
    syncs++;
    r.policiesMs = next.line.at - t0;
    i = next.index + 1;
  }
  r.policiesSyncs = syncs;
  r.policiesSyncLogMs = spent;
}

export async function benchPolicyDaemon(o: PolicyDaemonOptions): Promise<PolicyDaemonResult> {
  const r: PolicyDaemonResult = { backend: o.backend, requested: o.changes, failures: [] };
  const windows: { policies?: ProfileWindow; changes?: ProfileWindow } = {};
  try {
    await withStack({ repoRoot: o.repoRoot, dir: o.dir, loadFile: o.baseInput, label: `policy daemon ${o.backend}` }, async (s) => {
      const d = (s.daemon = DaemonProcess.start({ ns: s.ns, repoRoot: o.repoRoot, kubeconfig: s.kubeconfig, nodeName: POLICY_NODE.nodeName, backend: o.backend, profileDir: o.profileDir }));
      const first = await d.waitFor('policy synced', 0, o.timeoutMs, 'policy sync failed');
      r.startMs = first.line.at - d.spawnedAt;
      await d.waitFor('synced', 0, o.timeoutMs);
      const loadAt = wallMs() - d.spawnedAt;
      await programPolicies(s, o, r);
      windows.policies = { fromMs: loadAt, toMs: loadAt + (r.policiesMs ?? 0) };
      log(`  policy daemon ${o.backend}: ${o.policies.length} policies programmed ${((r.policiesMs ?? 0) / 1000).toFixed(2)} s after loading them (${r.policiesSyncs} syncs)`);
      await sleep(1000);
      const monitor = o.backend === 'nftables' ? await NftMonitor.inNamespace(s.ns, s.agent) : undefined;
      try {
        const from = wallMs() - d.spawnedAt;
        await labelChanges(s, o, monitor, r);
        windows.changes = { fromMs: from, toMs: wallMs() - d.spawnedAt };
        await podStarts(s, o, monitor, r);
      } finally {
        await monitor?.stop();
      }
      r.memory = d.memory();
      log(`  policy daemon ${o.backend}: ${r.latency?.n ?? 0} label changes (${r.method}), p50 ${r.latency?.p50.toFixed(1)} ms, p99 ${r.latency?.p99.toFixed(1)} ms`);
      log(`  policy daemon ${o.backend}: ${r.podStart?.n ?? 0} pod starts, p50 ${r.podStart?.p50.toFixed(1)} ms, p99 ${r.podStart?.p99.toFixed(1)} ms`);
    });
  } catch (err) {
    r.error = (err as Error).message.slice(0, 2000);
    log(`  policy daemon ${o.backend}: ${r.error}`);
  }
  if (o.profileDir) r.profile = profilePhases(o.profileDir, windows);
  return r;
}
