import { spawnSync } from 'node:child_process';
import { failure, run } from './exec.js';

const live = new Set<string>();
let counter = 0;

/**
 * Runs fn inside a new, empty network namespace named pxbench-<pid>-<n>; always deletes it.
 * `loopback` brings lo up (for servers on 127.0.0.1 inside it).
 */
export async function withNamespace<T>(fn: (ns: string) => Promise<T>, opts: { loopback?: boolean } = {}): Promise<T> {
  const ns = `pxbench-${process.pid}-${++counter}`;
  const add = await run('ip', ['netns', 'add', ns], { timeoutMs: 30_000 });
  const err = failure(add);
  if (err) throw new Error(`ip netns add ${ns}: ${err}`);
  live.add(ns);
  try {
    if (opts.loopback) {
      const lo = failure(await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up'], { timeoutMs: 30_000 }));
      if (lo) throw new Error(`ip -n ${ns} link set lo up: ${lo}`);
    }
    return await fn(ns);
  } finally {
    await run('ip', ['netns', 'del', ns], { timeoutMs: 30_000 });
    live.delete(ns);
  }
}

/** For exit paths (signals, crashes): delete whatever namespaces are still ours. */
export function deleteLiveNamespaces(): void {
  for (const ns of live) spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore', timeout: 30_000 });
  live.clear();
}
