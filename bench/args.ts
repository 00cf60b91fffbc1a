import { parseArgs } from 'node:util';
import type { Backend } from '../src/pipeline.js';

export interface BenchArgs {
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
}

export const USAGE = `usage: npm run bench -- [options]
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
  --profile           one extra render per size and backend under --cpu-prof; prints its hot spots
  --keep              keep the temporary directory with the generated files (and .cpuprofile files)`;

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
    },
  });
  const backends = values.backends.split(',').map((b) => b.trim()).filter(Boolean);
  for (const b of backends) if (b !== 'nftables' && b !== 'iptables') throw new Error(`--backends: unknown backend ${JSON.stringify(b)}`);
  const sizes = values.sizes.split(',').map((s) => int('sizes', s.trim(), 1, 100_000));
  if (sizes.length === 0 || sizes.length > 10) throw new Error('--sizes: give 1 to 10 sizes');
  return {
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
  };
}
