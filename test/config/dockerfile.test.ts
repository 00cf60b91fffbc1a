import { expect } from 'chai';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, posix } from 'node:path';
import { spawnSync } from 'node:child_process';
import { imageRuntime, parseDockerfile } from '../../bench/image-runtime.js';

const ROOT = new URL('../../', import.meta.url).pathname;

/** COPY's flags, sources and destination, in shell or JSON form. */
function copyParts(args: string): { from?: string; sources: string[]; dest: string } {
  const words = args.trim().startsWith('[') ? (JSON.parse(args) as string[]) : args.split(/\s+/);
  const flags = words.filter((w) => w.startsWith('--'));
  const paths = words.filter((w) => !w.startsWith('--'));
  const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
  return { from, sources: paths.slice(0, -1), dest: paths.at(-1)! };
}

/** Where COPY puts `source` in the image, given the stage's WORKDIR at that point. */
function destination(workdir: string, source: string, dest: string): string {
  const base = posix.resolve(workdir, dest);
  return dest.endsWith('/') && !source.endsWith('/') ? posix.join(base, posix.basename(source)) : base;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

const stages = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const final = stages.at(-1)!;
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string>; dependencies: Record<string, string> };

/** What the final stage's COPY instructions put where: image path → [stage or "context", source]. */
function finalFiles(): Map<string, [string, string]> {
  const out = new Map<string, [string, string]>();
  let workdir = '/';
  for (const ins of final.instructions) {
    if (ins.op === 'WORKDIR') workdir = posix.resolve(workdir, ins.args);
    if (ins.op !== 'COPY') continue;
    const { from, sources, dest } = copyParts(ins.args);
    for (const s of sources) out.set(destination(workdir, s, dest).replace(/\/$/, ''), [from ?? 'context', s]);
  }
  return out;
}

describe('Dockerfile', () => {
  it('is multi-stage on node:24-bookworm-slim', () => {
    expect(stages.length).to.be.greaterThanOrEqual(2);
    for (const s of stages) expect(s.image).to.equal('node:24-bookworm-slim');
  });

  it('every COPY source exists: in the repo, or as an earlier stage', () => {
    const seen: string[] = [];
    for (const stage of stages) {
      for (const ins of stage.instructions.filter((i) => i.op === 'COPY')) {
        const { from, sources } = copyParts(ins.args);
        expect(sources, ins.args).not.to.be.empty;
        if (from) expect(seen, `COPY --from=${from}`).to.include(from);
        else for (const s of sources) expect(existsSync(join(ROOT, s)), `${s} (COPY ${ins.args})`).to.equal(true);
      }
      if (stage.name) seen.push(stage.name);
    }
  });

  it('the deps stage installs production dependencies from the lock file', () => {
    const deps = stages.find((s) => s.name === 'deps')!;
    const copied = deps.instructions.filter((i) => i.op === 'COPY').flatMap((i) => copyParts(i.args).sources);
    expect(copied).to.include.members(['package.json', 'package-lock.json']);
    expect(deps.instructions.some((i) => i.op === 'RUN' && /\bnpm ci\b.*--omit=dev/.test(i.args))).to.equal(true);
  });

  it('the build stage compiles: npm ci runs the prepare script, which is the build, with what tsc needs copied in', () => {
    const build = stages.find((s) => s.name === 'build')!;
    const copied = build.instructions.filter((i) => i.op === 'COPY').flatMap((i) => copyParts(i.args).sources);
    expect(copied).to.include.members(['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'src/']);
    expect(build.instructions.some((i) => i.op === 'RUN' && /\bnpm ci\b/.test(i.args) && !/--ignore-scripts|--omit=dev/.test(i.args))).to.equal(true);
    const scripts = (pkg as unknown as { scripts: Record<string, string> }).scripts;
    expect(scripts.prepare).to.equal('npm run build');
    expect(scripts.build).to.contain('tsc -p tsconfig.build.json').and.to.contain('dist/.built');
  });

  it('bin/proxyctl.js runs dist/ when built and falls back to tsx (a runtime dependency) for sources', () => {
    expect(pkg.dependencies).to.have.property('tsx');
    const bin = readFileSync(join(ROOT, 'bin/proxyctl.js'), 'utf8');
    expect(bin).to.contain("import('../dist/cli/main.js')").and.to.contain("import('tsx/esm/api')");
  });

  it('every package src/ imports at run time is a runtime dependency', () => {
    const deps = new Set(Object.keys(pkg.dependencies));
    const builtins = new Set(builtinModules);
    const missing: string[] = [];
    const seen: string[] = [];
    for (const file of tsFiles(join(ROOT, 'src'))) {
      const text = readFileSync(file, 'utf8');
      const specs = [
        ...text.matchAll(/^(?:import|export) (?!type\b)[^;]*?from '([^']+)'/gm),
        ...text.matchAll(/^import '([^']+)'/gm),
        ...text.matchAll(/import\('([^']+)'\)/g),
      ].map((m) => m[1]);
      seen.push(...specs);
      for (const spec of specs) {
        if (spec.startsWith('.') || spec.startsWith('node:')) continue;
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
        if (!deps.has(name) && !builtins.has(name)) missing.push(`${file.slice(ROOT.length)}: ${spec}`);
      }
    }
    expect(seen).to.include.members(['zod', 'yaml']);
    expect(missing).to.deep.equal([]);
  });

  it('the final stage carries node_modules, package.json, bin/ and the compiled dist/ (not src/) where the entrypoint expects them', () => {
    const files = finalFiles();
    expect(files.get('/app/node_modules')).to.deep.equal(['deps', '/app/node_modules']);
    expect(files.get('/app/package.json')?.[0]).to.equal('context');
    expect(files.get('/app/dist')).to.deep.equal(['build', '/app/dist']);
    expect(files.has('/app/src')).to.equal(false);
    expect(files.get(`/app/${pkg.bin.proxyctl}`)).to.deep.equal(['context', pkg.bin.proxyctl]);
  });

  it('the final stage installs nft, iptables and conntrack', () => {
    const install = final.instructions.filter((i) => i.op === 'RUN' && /apt-get install/.test(i.args)).map((i) => i.args).join(' ');
    const packages = install.split(/\s+/);
    expect(packages).to.include.members(['nftables', 'iptables', 'conntrack', 'iproute2']);
  });

  it('runs `proxyctl run`', () => {
    const json = (op: string) => JSON.parse(final.instructions.find((i) => i.op === op)!.args) as string[];
    const entry = json('ENTRYPOINT');
    expect(entry[0]).to.equal('node');
    expect(entry.at(-1)).to.equal('/app/bin/proxyctl.js');
    expect(json('CMD')).to.deep.equal(['run']);
  });

  it('gives node only flags it accepts, and the daemon bench runs node with the same flags and ENV', () => {
    const flags = JSON.parse(final.instructions.find((i) => i.op === 'ENTRYPOINT')!.args).slice(1, -1) as string[];
    expect(flags).to.include('--max-semi-space-size=4');
    const r = spawnSync(process.execPath, [...flags, '-e', ''], { encoding: 'utf8' });
    expect(r.stderr).to.equal('');
    expect(r.status).to.equal(0);
    const bench = imageRuntime(ROOT);
    expect(bench.nodeFlags).to.deep.equal(flags);
    expect(bench.env).to.include({ MALLOC_ARENA_MAX: '2' });
  });
});
