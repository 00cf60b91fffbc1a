// Long-running processes (echo servers) inside test namespaces, tracked so they always stop.
import { execa, type ResultPromise } from 'execa';
import { REPO_ROOT } from './exec.js';
import type { Lab } from './netns.js';

export interface BackgroundProcess {
  readonly ns: string;
  readonly command: string;
  output(): string;
  stop(): Promise<void>;
}

const liveSubprocesses = new Set<ResultPromise>();

/** Start a long-running process in a namespace; resolves once readyPattern appears on stdout. */
export async function startInNamespace(
  lab: Lab,
  ns: string,
  command: string,
  args: string[],
  readyPattern: RegExp,
  timeoutMs = 10_000,
): Promise<BackgroundProcess> {
  const subprocess = execa('ip', ['netns', 'exec', ns, command, ...args], {
    reject: false,
    cwd: REPO_ROOT,
    stdin: 'ignore',
    buffer: false,
  });
  liveSubprocesses.add(subprocess);
  let captured = '';
  subprocess.stdout?.on('data', (chunk: Buffer) => (captured += chunk.toString()));
  subprocess.stderr?.on('data', (chunk: Buffer) => (captured += chunk.toString()));
  const handle: BackgroundProcess = {
    ns,
    command: `${command} ${args.join(' ')}`,
    output: () => captured,
    stop: () => stopSubprocess(subprocess),
  };
  lab.processes.add(handle);
  await waitFor(() => readyPattern.test(captured), () => subprocess.exitCode !== null, timeoutMs).catch(async (error: Error) => {
    await handle.stop();
    throw new Error(`${handle.command} in ${ns} not ready: ${error.message}\n${captured}`);
  });
  return handle;
}

async function stopSubprocess(subprocess: ResultPromise): Promise<void> {
  if (subprocess.exitCode === null && subprocess.signalCode === null) {
    subprocess.kill('SIGTERM');
    if (!(await exitsWithin(subprocess, 2000))) subprocess.kill('SIGKILL');
  }
  await exitsWithin(subprocess, 2000);
  liveSubprocesses.delete(subprocess);
}

/** Clears its timer, so a stopped process leaves nothing that keeps mocha alive. */
function exitsWithin(subprocess: ResultPromise, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void subprocess.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function waitFor(done: () => boolean, failed: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      if (done()) return resolve();
      if (failed()) return reject(new Error('process exited'));
      if (Date.now() > deadline) return reject(new Error(`not ready after ${timeoutMs} ms`));
      setTimeout(tick, 20);
    };
    tick();
  });
}

/** For the exit safety net: no awaiting possible there. */
export function killBackgroundSync(): void {
  for (const subprocess of liveSubprocesses) {
    try {
      subprocess.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  liveSubprocesses.clear();
}
