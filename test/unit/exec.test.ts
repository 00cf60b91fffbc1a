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
