// How the container image runs node: the final stage's ENTRYPOINT node flags and ENV values, read from the
// Dockerfile so the daemon bench measures the daemon as deployed (one source of truth, no copy to drift).
// The Dockerfile test reads the file through the same parser.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DockerInstruction {
  op: string;
  args: string;
}

export interface DockerStage {
  image: string;
  name?: string;
  instructions: DockerInstruction[];
}

/** Dockerfile → stages of instructions; joins `\` continuations, drops comments. */
export function parseDockerfile(text: string): DockerStage[] {
  const stages: DockerStage[] = [];
  const logical = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  for (const line of logical) {
    const [, op, args] = /^(\S+)\s+(.*)$/.exec(line) ?? [];
    if (op.toUpperCase() === 'FROM') {
      const [image, as, name] = args.split(/\s+/);
      stages.push({ image, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else {
      stages.at(-1)!.instructions.push({ op: op.toUpperCase(), args });
    }
  }
  return stages;
}

export interface ImageRuntime {
  /** Flags between `node` and the script in ENTRYPOINT, e.g. --max-semi-space-size=4. */
  nodeFlags: string[];
  /** ENV of the final stage, e.g. MALLOC_ARENA_MAX=2. */
  env: Record<string, string>;
}

export function imageRuntime(repoRoot: string): ImageRuntime {
  const final = parseDockerfile(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8')).at(-1);
  const entry = final?.instructions.find((i) => i.op === 'ENTRYPOINT');
  if (!entry) throw new Error('Dockerfile: the final stage has no ENTRYPOINT');
  const argv = JSON.parse(entry.args) as string[];
  const script = argv.findIndex((a) => a.endsWith('proxyctl.js'));
  if (argv[0] !== 'node' || script < 0) throw new Error(`Dockerfile: ENTRYPOINT is not "node [flags] …/proxyctl.js": ${entry.args}`);
  const env: Record<string, string> = {};
  for (const i of final!.instructions.filter((x) => x.op === 'ENV')) {
    for (const [, k, v] of i.args.matchAll(/(\w+)=(\S+)/g)) env[k] = v;
  }
  return { nodeFlags: argv.slice(1, script), env };
}
