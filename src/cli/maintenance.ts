import { Command, Option } from 'commander';
import { FlagError } from '../model/context.js';
import { formatDiagnostic } from '../model/diagnostics.js';
import { cleanupRules } from '../run/cleanup.js';
import { realExecutor } from '../sync/exec.js';
import { addNodeContextOptions, collect, nodeFlagsFrom } from './node-options.js';

type IO = { stdout: (s: string) => void; stderr: (s: string) => void };

/** `proxyctl cleanup [--kube-proxy]`: remove every table and chain we (and optionally kube-proxy) created. */
export function cleanupCommand(io: IO): Command {
  return new Command('cleanup')
    .description('remove every nftables table and iptables chain proxyctl created (rules stop working)')
    .option('--kube-proxy', 'also remove what kube-proxy leaves behind (switching a node over)')
    .action(async (opts) => {
      const done = await cleanupRules(realExecutor(), { kubeProxy: Boolean(opts.kubeProxy) });
      io.stdout(done.length ? done.map((d) => `${d}\n`).join('') : 'nothing to remove\n');
    });
}

/** `proxyctl diff`: what the next sync would change against the rules in the kernel now. */
export function diffCommand(io: IO): Command {
  const cmd = new Command('diff')
    .description('show what the next sync would change in the kernel (+ add, - remove, ~ rewrite)')
    .option('-f, --filename <path>', 'manifests (repeatable); default: list from --kubeconfig', collect, [])
    .option('--kubeconfig <path>', 'list the objects from a live cluster (default: in-cluster service account)')
    .addOption(new Option('--backend <backend>', 'ruleset backend').choices(['nftables', 'iptables']).default('nftables'));
  addNodeContextOptions(cmd);
  cmd.action(async (opts) => {
    if (!opts.nodeName) throw new FlagError('--node-name', 'is required (or set NODE_NAME)');
    const [{ loadManifests }, { renderObjects }, { diffIptables, diffNftables }] = await Promise.all([
      import('../kube/manifests.js'), import('../pipeline.js'), import('../run/diff.js'),
    ]);
    // Without -f: the cluster from --kubeconfig, or the in-cluster service account (inside the DaemonSet).
    const loaded = opts.filename.length ? loadManifests(opts.filename) : await (await import('../kube/list.js')).listFromCluster(opts.kubeconfig);
    const exec = realExecutor();
    const base = { ...nodeFlagsFrom(opts), backend: opts.backend };
    let lines: string[];
    if (opts.backend === 'nftables') {
      const r = renderObjects(loaded.objects, { ...base, output: 'json', ipFamily: 'ipv4' });
      for (const d of r.diagnostics) io.stderr(formatDiagnostic(d) + '\n');
      lines = await diffNftables(exec, JSON.parse(r.output));
    } else {
      lines = [];
      for (const family of ['ipv4', 'ipv6'] as const) {
        const r = renderObjects(loaded.objects, { ...base, output: 'text', ipFamily: family });
        lines.push(...(await diffIptables(exec, r.output, family === 'ipv4' ? 'iptables' : 'ip6tables')));
      }
    }
    io.stdout(lines.length ? lines.join('\n') + '\n' : 'in sync: nothing would change\n');
  });
  return cmd;
}
