import { expect } from 'chai';
import { execa } from 'execa';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REPO = new URL('../../', import.meta.url).pathname;

/** A throwaway package with our launcher, a "compiled" and a "source" main that say which one ran. */
function fakePackage(): string {
  const dir = mkdtempSync(join(tmpdir(), 'proxyctl-bin-'));
  mkdirSync(join(dir, 'bin'));
  mkdirSync(join(dir, 'dist/cli'), { recursive: true });
  mkdirSync(join(dir, 'src/cli'), { recursive: true });
  copyFileSync(join(REPO, 'bin/proxyctl.js'), join(dir, 'bin/proxyctl.js'));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, 'dist/cli/main.js'), 'export async function main(a) { console.log("dist " + a.join(" ")); return 0; }');
  writeFileSync(join(dir, 'src/cli/main.ts'), 'export async function main(a: string[]): Promise<number> { console.log("src " + a.join(" ")); return 0; }');
  return dir;
}

const run = (dir: string) => execa('node', [join(dir, 'bin/proxyctl.js'), 'render', '-x'], { reject: false, timeout: 30_000 });

describe('bin/proxyctl.js chooses compiled or source code', () => {
  let dir: string;
  beforeEach(() => (dir = fakePackage()));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runs dist/ when the build stamp is newer than every source file', async () => {
    writeFileSync(join(dir, 'dist/.built'), '');
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(dir, 'src/cli/main.ts'), past, past);
    expect((await run(dir)).stdout).to.equal('dist render -x');
  });

  it('runs the sources through tsx when a source file changed after the build (never stale code)', async () => {
    writeFileSync(join(dir, 'dist/.built'), '');
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(dir, 'dist/.built'), past, past);
    expect((await run(dir)).stdout).to.equal('src render -x');
  });

  it('runs the sources when nothing was built', async () => {
    expect((await run(dir)).stdout).to.equal('src render -x');
  });

  it('runs dist/ when there are no sources (the container image)', async () => {
    writeFileSync(join(dir, 'dist/.built'), '');
    rmSync(join(dir, 'src'), { recursive: true });
    expect((await run(dir)).stdout).to.equal('dist render -x');
  });
});
