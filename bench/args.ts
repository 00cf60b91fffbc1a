import { parseArgs } from 'node:util';
import type { Backend } from '../src/pipeline.js';

export type Part = 'render' | 'daemon' | 'policy';

export interface BenchArgs {
  /** Which parts run: --render / --daemon / --policy select; none given means all three. */
  parts: Part[];
  sizes: number[];
  endpoints: number;
  runs: number;
  backends: Backend[];
  iptablesMax: number;
  kernel: boolean;
  slowMs: number;
  timeoutMs: number;
  json: boolean;
  check: boolean;
  keep: boolean;
  profile: boolean;
  help: boolean;
  daemonSizes: number[];
  changes: number;
  labelChanges: number;
  gapMs: number;
  pollMs: number;
  daemonBudgetMs: number;
  daemonTimeoutMs: number;
  policyPods: number;
  policyNamespaces: number;
  policies: number;
}

export const USAGE = `usage: npm run bench -- [options]
  --render, --daemon, --policy   run only these parts (combinable; default: all three)
 render (renderObjects + kernel load of the rendered file, vs reference layouts):
  --sizes LIST        service counts (default 1000,10000,30000; each 1..100000)
  --endpoints N       ready endpoints per service (default 10)
  --runs N            runs per measurement, medians reported (default 3)
  --backends LIST     nftables,iptables (default both)
  --iptables-max N    skip iptables (render and loads) above N services (default 10000)
  --no-kernel         skip kernel loads (they need root)
  --slow S            after a run slower than S seconds, stop repeating it (default 60)
  --timeout S         kill any single render or load after S seconds (default 600)
  --json              print the results as JSON instead of tables
  --check             exit 1 when a target is missed
  --profile           one extra render per size and backend under --cpu-prof, and every daemon under
                      --cpu-prof (cut into its phases); prints the hot spots
  --keep              keep the temporary directory with the generated files (and .cpuprofile files)
 daemon (proxyctl run against a test API server in a namespace; needs root):
  --daemon-sizes LIST service counts (default 1000,10000; each 1..65535)
  --changes N         single-endpoint changes per size and backend (default 100)
  --gap MS            pause after each change is seen and synced (default 75)
  --poll-ms MS        gap between polls of the kernel (iptables, ipset; default 2)
  --daemon-budget S   stop a change loop after S seconds (default 240)
  --daemon-timeout S  bound on each wait: start, one change (default 120)
 policy (render + kernel load, and the daemon's label-change latency):
  --policy-pods N     pods (default 10000), --policy-namespaces N (default 100), --policies N (default 1000)
  --label-changes N   pod label changes per backend (default 50)
 --backends, --runs and --endpoints apply to every part that uses them; --no-kernel skips kernel
 loads and the daemon parts.`;

function int(name: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name}: expected an integer in ${min}..${max}, got ${JSON.stringify(v)}`);
  return n;
}

export function parseBenchArgs(argv: string[]): BenchArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      sizes: { type: 'string', default: '1000,10000,30000' },
      endpoints: { type: 'string', default: '10' },
      runs: { type: 'string', default: '3' },
      backends: { type: 'string', default: 'nftables,iptables' },
      'iptables-max': { type: 'string', default: '10000' },
      'no-kernel': { type: 'boolean', default: false },
      slow: { type: 'string', default: '60' },
      timeout: { type: 'string', default: '600' },
      json: { type: 'boolean', default: false },
      check: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      render: { type: 'boolean', default: false },
      daemon: { type: 'boolean', default: false },
      policy: { type: 'boolean', default: false },
      'daemon-sizes': { type: 'string', default: '1000,10000' },
      changes: { type: 'string', default: '100' },
      'label-changes': { type: 'string', default: '50' },
      gap: { type: 'string', default: '75' },
      'poll-ms': { type: 'string', default: '2' },
      'daemon-budget': { type: 'string', default: '240' },
      'daemon-timeout': { type: 'string', default: '120' },
      'policy-pods': { type: 'string', default: '10000' },
      'policy-namespaces': { type: 'string', default: '100' },
      policies: { type: 'string', default: '1000' },
    },
  });
  const chosen = (['render', 'daemon', 'policy'] as const).filter((p) => values[p]);
  const daemonSizes = values['daemon-sizes'].split(',').map((s) => int('daemon-sizes', s.trim(), 1, 65_535));
  if (daemonSizes.length > 10) throw new Error('--daemon-sizes: give 1 to 10 sizes');
  const backends = values.backends.split(',').map((b) => b.trim()).filter(Boolean);
  for (const b of backends) if (b !== 'nftables' && b !== 'iptables') throw new Error(`--backends: unknown backend ${JSON.stringify(b)}`);
  const sizes = values.sizes.split(',').map((s) => int('sizes', s.trim(), 1, 100_000));
  if (sizes.length === 0 || sizes.length > 10) throw new Error('--sizes: give 1 to 10 sizes');
  return {
    parts: chosen.length ? chosen : ['render', 'daemon', 'policy'],
    sizes,
    endpoints: int('endpoints', values.endpoints, 1, 100),
    runs: int('runs', values.runs, 1, 20),
    backends: backends as Backend[],
    iptablesMax: int('iptables-max', values['iptables-max'], 0, 100_000),
    kernel: !values['no-kernel'],
    slowMs: int('slow', values.slow, 1, 3600) * 1000,
    timeoutMs: int('timeout', values.timeout, 1, 7200) * 1000,
    json: values.json,
    check: values.check,
    keep: values.keep,
    profile: values.profile,
    help: values.help,
    daemonSizes,
    changes: int('changes', values.changes, 1, 10_000),
    labelChanges: int('label-changes', values['label-changes'], 1, 10_000),
    gapMs: int('gap', values.gap, 0, 10_000),
    pollMs: int('poll-ms', values['poll-ms'], 0, 1000),
    daemonBudgetMs: int('daemon-budget', values['daemon-budget'], 1, 7200) * 1000,
    daemonTimeoutMs: int('daemon-timeout', values['daemon-timeout'], 1, 3600) * 1000,
    policyPods: int('policy-pods', values['policy-pods'], 1, 100_000),
    policyNamespaces: int('policy-namespaces', values['policy-namespaces'], 1, 10_000),
    policies: int('policies', values.policies, 0, 100_000),
  };
}
