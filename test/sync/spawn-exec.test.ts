import { expect } from 'chai';
import { spawnExecutor } from '../../src/sync/spawn-exec.js';

describe('spawnExecutor (the real executor)', () => {
  const exec = spawnExecutor();

  it('feeds input on stdin and returns output with one final newline stripped', async () => {
    expect(await exec.run('cat', [], 'a\nb\n\n')).to.deep.equal({ exitCode: 0, stdout: 'a\nb\n', stderr: '' });
  });

  it('returns a non-zero exit with stdout and stderr, never throwing', async () => {
    expect(await exec.run('sh', ['-c', 'echo out; echo err >&2; exit 3'])).to.deep.equal({ exitCode: 3, stdout: 'out', stderr: 'err' });
  });

  it('closes stdin when there is no input, so a reader ends', async () => {
    expect(await exec.run('cat', [])).to.deep.equal({ exitCode: 0, stdout: '', stderr: '' });
  });

  it('reports a program that cannot start or dies by a signal as exit 1 with the reason', async () => {
    const missing = await exec.run('proxyctl-no-such-program', []);
    expect(missing.exitCode).to.equal(1);
    expect(missing.stderr).to.contain('ENOENT');
    const killed = await exec.run('sh', ['-c', 'kill -9 $$']);
    expect(killed).to.deep.equal({ exitCode: 1, stdout: '', stderr: 'sh: killed by SIGKILL' });
  });

  it('survives a program that ignores a large input, and returns large outputs whole', async () => {
    expect((await exec.run('true', [], 'x'.repeat(4 << 20))).exitCode).to.equal(0);
    expect((await exec.run('head', ['-c', '3000000', '/dev/zero'])).stdout.length).to.equal(3_000_000);
  });

  it('runs under a prefix (as `ip netns exec NS`)', async () => {
    expect((await spawnExecutor(['env', 'PROXYCTL_TEST=1']).run('sh', ['-c', 'echo $PROXYCTL_TEST'])).stdout).to.equal('1');
  });
});
