import { expect } from 'chai';
import { CommandError, realExecutor, runOrThrow } from '../../src/sync/exec.js';

describe('realExecutor', () => {
  it('reports a command killed by its timeout as timed out, not as "exited 1"', async () => {
    const exec = realExecutor([], 300);
    const r = await exec.run('sleep', ['30']);
    expect(r.timedOut).to.equal(true);
    const err = await runOrThrow(exec, 'sleep', ['30']).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(CommandError);
    expect((err as CommandError).timedOut).to.equal(true);
    expect((err as Error).message).to.match(/^sleep 30 timed out/);
    expect((err as Error).message).not.to.contain('exited');
  });

  it('reports a plain non-zero exit with its code', async () => {
    const err = await runOrThrow(realExecutor(), 'sh', ['-c', 'echo boom >&2; exit 3']).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(CommandError);
    expect((err as CommandError).timedOut).to.equal(false);
    expect((err as Error).message).to.equal('sh -c echo boom >&2; exit 3 exited 3: boom');
  });

  it('returns the output of a successful command', async () => {
    const r = await runOrThrow(realExecutor(), 'sh', ['-c', 'echo ok']);
    expect(r.stdout).to.equal('ok');
    expect(r.timedOut).to.equal(undefined);
  });
});

describe('realExecutor: the contract the engines rely on', () => {
  const exec = realExecutor();

  it('feeds input on stdin and returns output with one final newline stripped', async () => {
    expect(await exec.run('cat', [], 'a\nb\n\n')).to.deep.equal({ exitCode: 0, stdout: 'a\nb\n', stderr: '' });
  });

  it('returns a non-zero exit with stdout and stderr, never throwing', async () => {
    expect(await exec.run('sh', ['-c', 'echo out; echo err >&2; exit 3'])).to.deep.equal({ exitCode: 3, stdout: 'out', stderr: 'err' });
  });

  it('closes stdin when there is no input, so a reader ends', async () => {
    expect(await exec.run('cat', [])).to.deep.equal({ exitCode: 0, stdout: '', stderr: '' });
  });

  it('reports a program that cannot start (127, with the reason) or dies by a signal (non-zero, with the signal)', async () => {
    const missing = await exec.run('proxyctl-no-such-program', []);
    expect(missing.exitCode).to.equal(127);
    expect(missing.stderr).to.contain('ENOENT');
    const killed = await exec.run('sh', ['-c', 'kill -9 $$']);
    expect(killed.exitCode).not.to.equal(0);
    expect(killed.signal).to.equal('SIGKILL');
    const err = await runOrThrow(exec, 'sh', ['-c', 'kill -9 $$']).then(() => undefined, (e: unknown) => e);
    expect((err as Error).message).to.match(/was killed by SIGKILL/);
  });

  it('survives a program that ignores a large input, and returns large outputs whole', async () => {
    expect((await exec.run('true', [], 'x'.repeat(4 << 20))).exitCode).to.equal(0);
    expect((await exec.run('head', ['-c', '3000000', '/dev/zero'])).stdout.length).to.equal(3_000_000);
  });

  it('runs under a prefix (as `ip netns exec NS`)', async () => {
    expect((await realExecutor(['env', 'PROXYCTL_TEST=1']).run('sh', ['-c', 'echo $PROXYCTL_TEST'])).stdout).to.equal('1');
  });
});
