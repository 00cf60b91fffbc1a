// Throwaway network namespaces for kernel tests. Everything is created inside namespaces
// named pxt-<pid>-<counter>-<role>; nothing touches the root namespace.
import { execFileSync } from 'node:child_process';
import { killBackgroundSync, type BackgroundProcess } from './background.js';
import { nsRun, run } from './exec.js';

export interface Lab {
  readonly prefix: string;
  readonly namespaces: string[];
  readonly processes: Set<BackgroundProcess>;
}

export interface VethEnd {
  ns: string;
  dev: string;
}

export interface RouteOptions {
  via?: string;
  dev?: string;
  scope?: 'link' | 'global';
}

const NAME_PREFIX = 'pxt-';
const liveNamespaces = new Set<string>();
let labCounter = 0;
let safetyNetInstalled = false;

export function createLab(): Lab {
  installSafetyNet();
  labCounter += 1;
  return { prefix: `${NAME_PREFIX}${process.pid}-${labCounter}`, namespaces: [], processes: new Set() };
}

/** A new lab filled by `populate`; if that fails, everything it created is removed (the caller has no handle yet). */
export async function buildLab<T>(populate: (lab: Lab) => Promise<T>): Promise<T> {
  const lab = createLab();
  try {
    return await populate(lab);
  } catch (error) {
    await destroyLab(lab);
    throw error;
  }
}

/** Plugs namespace `ns` into `bridge` (in `lanNs`) through a veth: `port` on the bridge side, eth0 in `ns`. */
export async function addBridgePort(lanNs: string, bridge: string, port: string, ns: string): Promise<void> {
  await addVeth({ ns: lanNs, dev: port }, { ns, dev: 'eth0' });
  await attachToBridge(lanNs, port, bridge);
}

/** Mocha hooks giving every test of the suite a fresh namespace (handed to `use`), removed after the test. */
export function namespacePerTest(role: string, use: (ns: string) => void): void {
  let lab: Lab | undefined;
  beforeEach(async () => {
    lab = createLab();
    use(await addNamespace(lab, role));
  });
  afterEach(async () => {
    if (lab) await destroyLab(lab);
    lab = undefined;
  });
}

export async function addNamespace(lab: Lab, role: string): Promise<string> {
  const name = `${lab.prefix}-${role}`;
  await run('ip', ['netns', 'add', name]);
  liveNamespaces.add(name);
  lab.namespaces.push(name);
  await run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  // Links created later inherit "default": no DAD keeps link-local addresses usable at once.
  await setSysctl(name, 'net.ipv6.conf.default.accept_dad', '0');
  return name;
}

/** A veth pair whose ends live in two namespaces (or both in one). */
export async function addVeth(a: VethEnd, b: VethEnd): Promise<void> {
  // "name" is required: a bare "a" would parse as the "address" keyword.
  const peer = a.ns === b.ns ? ['peer', 'name', b.dev] : ['peer', 'name', b.dev, 'netns', b.ns];
  await run('ip', ['-n', a.ns, 'link', 'add', 'name', a.dev, 'type', 'veth', ...peer]);
  await run('ip', ['-n', a.ns, 'link', 'set', a.dev, 'up']);
  await run('ip', ['-n', b.ns, 'link', 'set', b.dev, 'up']);
}

export async function addBridge(ns: string, dev: string): Promise<void> {
  await run('ip', ['-n', ns, 'link', 'add', 'name', dev, 'type', 'bridge']);
  await run('ip', ['-n', ns, 'link', 'set', dev, 'up']);
}

export async function attachToBridge(ns: string, dev: string, bridge: string): Promise<void> {
  await run('ip', ['-n', ns, 'link', 'set', dev, 'master', bridge]);
}

/** cidr like 10.0.0.1/24 or fd00::1/64; IPv6 skips duplicate address detection. */
export async function addAddress(ns: string, dev: string, cidr: string): Promise<void> {
  const extra = cidr.includes(':') ? ['nodad'] : [];
  await run('ip', ['-n', ns, 'addr', 'add', cidr, 'dev', dev, ...extra]);
}

export async function addRoute(ns: string, destination: string, options: RouteOptions): Promise<void> {
  const v6 = destination.includes(':') || (options.via ?? '').includes(':');
  const args = ['-n', ns, ...(v6 ? ['-6'] : ['-4']), 'route', 'add', destination];
  if (options.via) args.push('via', options.via);
  if (options.dev) args.push('dev', options.dev);
  if (options.scope) args.push('scope', options.scope);
  await run('ip', args);
}

export async function setSysctl(ns: string, key: string, value: string): Promise<void> {
  await nsRun(ns, 'sysctl', ['-q', '-w', `${key}=${value}`]);
}

/** Stop the lab's processes, then delete its namespaces (which removes their links too). */
export async function destroyLab(lab: Lab): Promise<void> {
  await Promise.all([...lab.processes].map((p) => p.stop()));
  lab.processes.clear();
  for (const ns of lab.namespaces.splice(0).reverse()) {
    await deleteNamespace(ns);
  }
}

/** Delete one namespace of a lab before the lab ends (e.g. one fresh namespace per case). */
export async function removeNamespace(lab: Lab, ns: string): Promise<void> {
  const index = lab.namespaces.indexOf(ns);
  if (index >= 0) lab.namespaces.splice(index, 1);
  await deleteNamespace(ns);
}

async function deleteNamespace(ns: string): Promise<void> {
  const pids = await run('ip', ['netns', 'pids', ns], { check: false });
  for (const pid of pids.stdout.split(/\s+/).filter(Boolean)) killQuietly(Number(pid));
  await run('ip', ['netns', 'del', ns], { check: false });
  liveNamespaces.delete(ns);
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Last resort when a run ends without its after hooks: synchronous, best effort. */
function cleanupSync(): void {
  killBackgroundSync();
  for (const ns of liveNamespaces) {
    try {
      const pids = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8', timeout: 5000 });
      for (const pid of pids.split(/\s+/).filter(Boolean)) killQuietly(Number(pid));
      execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore', timeout: 5000 });
    } catch {
      // keep going: remove as much as possible
    }
  }
  liveNamespaces.clear();
}

function installSafetyNet(): void {
  if (safetyNetInstalled) return;
  safetyNetInstalled = true;
  removeStaleNamespaces();
  process.on('exit', cleanupSync);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1)));
  }
}

/** Namespaces left by an earlier run of this suite that was killed (its pid is gone). */
function removeStaleNamespaces(): void {
  let listing = '';
  try {
    listing = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8', timeout: 5000 });
  } catch {
    return;
  }
  for (const line of listing.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const match = /^pxt-(\d+)-/.exec(name);
    if (!match || processAlive(Number(match[1]))) continue;
    try {
      execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore', timeout: 5000 });
    } catch {
      // best effort
    }
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
