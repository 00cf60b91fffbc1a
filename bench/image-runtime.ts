// How the container image runs node: the final stage's ENTRYPOINT node flags and ENV values, read from the
// Dockerfile so the daemon bench measures the daemon as deployed (one source of truth, no copy to drift).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ImageRuntime {
  /** Flags between `node` and the script in ENTRYPOINT, e.g. --max-semi-space-size=4. */
  nodeFlags: string[];
  /** ENV of the final stage, e.g. MALLOC_ARENA_MAX=2. */
  env: Record<string, string>;
}

export function imageRuntime(repoRoot: string): ImageRuntime {
  const lines = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ').split('\n').map((l) => l.trim());
  const froms = lines.flatMap((l, i) => (/^FROM\s/i.test(l) ? [i] : []));
  const finalStage = lines.slice(froms.at(-1) ?? 0);
  const entry = finalStage.find((l) => /^ENTRYPOINT\s/i.test(l));
  if (!entry) throw new Error('Dockerfile: the final stage has no ENTRYPOINT');
  const argv = JSON.parse(entry.replace(/^ENTRYPOINT\s+/i, '')) as string[];
  const script = argv.findIndex((a) => a.endsWith('proxyctl.js'));
  if (argv[0] !== 'node' || script < 0) throw new Error(`Dockerfile: ENTRYPOINT is not "node [flags] …/proxyctl.js": ${entry}`);
  const env: Record<string, string> = {};
  for (const l of finalStage.filter((x) => /^ENV\s/i.test(x))) {
    for (const [, k, v] of l.replace(/^ENV\s+/i, '').matchAll(/(\w+)=(\S+)/g)) env[k] = v;
  }
  return { nodeFlags: argv.slice(1, script), env };
}
