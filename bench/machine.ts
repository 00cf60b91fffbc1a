import { spawnSync } from 'node:child_process';
import os from 'node:os';

export interface Machine {
  nproc: number;
  cpu: string;
  memoryGiB: number;
  kernel: string;
  nft: string;
  iptables: string;
  iptablesLegacy: string;
  node: string;
  /** The commit measured, with '+dirty' when the work tree differs from it. */
  commit: string;
}

function version(cmd: string, args: string[], cwd?: string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000, cwd });
  return r.status === 0 ? r.stdout.trim().split('\n')[0] : 'not found';
}

export function describeMachine(repoRoot: string): Machine {
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'src'], { encoding: 'utf8', cwd: repoRoot, timeout: 10_000 }).stdout?.trim();
  return {
    nproc: os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: os.release(),
    nft: version('nft', ['--version']),
    iptables: version('iptables', ['--version']),
    iptablesLegacy: version('iptables-legacy', ['--version']),
    node: process.version,
    commit: `${version('git', ['rev-parse', '--short', 'HEAD'], repoRoot)}${dirty ? ' + uncommitted changes in src/' : ''}`,
  };
}
