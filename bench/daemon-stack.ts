// A namespace with an API server (loaded from a List file), the in-namespace agent, and room for
// one `proxyctl run`; everything is stopped and the namespace deleted afterwards, also on failure.
import { join } from 'node:path';
import { ApiServerProcess } from '../test/apiserver/process.js';
import { Agent } from './agent.js';
import { wallMs } from './clock.js';
import type { DaemonProcess } from './daemon-proc.js';
import { log } from './log.js';
import { withNamespace } from './netns.js';

export interface Stack {
  ns: string;
  api: ApiServerProcess;
  agent: Agent;
  kubeconfig: string;
  /** Set by the scenario once it started the daemon, so the stack stops it. */
  daemon?: DaemonProcess;
}

export async function withStack<T>(o: { repoRoot: string; dir: string; loadFile: string; label: string }, fn: (s: Stack) => Promise<T>): Promise<T> {
  return withNamespace(async (ns) => {
    const kubeconfig = join(o.dir, `${o.label}.kubeconfig`);
    const t = wallMs();
    const api = await ApiServerProcess.spawn({
      host: '127.0.0.1', prefix: ['ip', 'netns', 'exec', ns], loadFile: o.loadFile, kubeconfigPath: kubeconfig, timeoutMs: 180_000,
    });
    log(`  ${o.label}: API server loaded in ${((wallMs() - t) / 1000).toFixed(1)} s`);
    let stack: Stack | undefined;
    try {
      stack = { ns, api, agent: await Agent.start(ns, o.repoRoot), kubeconfig };
      return await fn(stack);
    } finally {
      await stack?.daemon?.stop();
      await stack?.agent.stop();
      await api.stop().catch(() => {});
    }
  }, { loopback: true });
}
