// The --daemon and --policy parts of `npm run bench`: what runs, in which order, with which options.
import { join } from 'node:path';
import type { BenchArgs } from './args.js';
import type { Tools } from './cluster.js';
import { benchDaemon, type DaemonResult } from './daemon-bench.js';
import type { PolicyResult } from './daemon-targets.js';
import { log } from './log.js';
import { writePolicyCluster } from './policy-cluster.js';
import { benchPolicyDaemon } from './policy-daemon.js';
import { benchPolicyRender } from './policy-render.js';

export async function runDaemonPart(args: BenchArgs, tools: Tools, repoRoot: string, dir: string): Promise<DaemonResult[]> {
  const out: DaemonResult[] = [];
  for (const services of args.daemonSizes) {
    for (const backend of args.backends) {
      log(`daemon: ${backend}, ${services} services × ${args.endpoints} endpoints`);
      out.push(await benchDaemon({
        repoRoot, tools, dir, backend, services, endpoints: args.endpoints, changes: args.changes, gapMs: args.gapMs,
        pollMs: args.pollMs, timeoutMs: args.daemonTimeoutMs, budgetMs: args.daemonBudgetMs,
        profileDir: args.profile ? join(dir, `daemon-profile-${backend}-${services}`) : undefined,
      }));
    }
  }
  return out;
}

/** Render + kernel load always; the daemon only with the kernel (root). */
export async function runPolicyPart(args: BenchArgs, repoRoot: string, dir: string, daemon: boolean): Promise<PolicyResult> {
  const size = { pods: args.policyPods, namespaces: args.policyNamespaces, policies: args.policies };
  const input = join(dir, 'policy.json');
  const baseInput = join(dir, 'policy-base.json');
  log(`policy: ${size.policies} policies, ${size.pods} pods, ${size.namespaces} namespaces`);
  const { objects, policies } = writePolicyCluster(size, input, baseInput);
  const { renders, loads } = await benchPolicyRender({
    repoRoot, dir, input, backends: args.backends, runs: args.runs, slowMs: args.slowMs, timeoutMs: args.timeoutMs,
    kernel: args.kernel, profile: args.profile,
  });
  const result: PolicyResult = { size, objects, renders, loads, daemon: [] };
  if (!daemon) return result;
  for (const backend of args.backends) {
    log(`policy: daemon ${backend}`);
    result.daemon.push(await benchPolicyDaemon({
      repoRoot, dir, baseInput, policies, backend, size, changes: args.labelChanges, gapMs: args.gapMs, pollMs: args.pollMs,
      timeoutMs: args.daemonTimeoutMs, budgetMs: args.daemonBudgetMs,
      profileDir: args.profile ? join(dir, `policy-daemon-profile-${backend}`) : undefined,
    }));
  }
  return result;
}
