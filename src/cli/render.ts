import { Command, Option } from 'commander';
import { fileURLToPath } from 'node:url';
import { UnreadableInputError } from '../kube/errors.js';
import { FlagError } from '../model/context.js';
import { formatDiagnostic } from '../model/diagnostics.js';
import type { RenderOptions } from '../pipeline.js';
import { addNodeContextOptions, collect, nodeFlagsFrom } from './node-options.js';

export const EXAMPLE_MANIFEST = fileURLToPath(new URL('../examples/cluster.yaml', import.meta.url));

/** Thin: read input, run the pure pipeline, print the ruleset to stdout and diagnostics to stderr. */
export function renderCommand(io: { stdout: (s: string) => void; stderr: (s: string) => void }): Command {
  const cmd = new Command('render')
    .description('render the ruleset for one node and print it; never touches the kernel')
    .option('--dry-run', 'print the ruleset instead of applying it (render never applies)')
    .option('-f, --filename <path>', 'manifest file, directory or - for stdin (repeatable)', collect, [])
    .option('--kubeconfig <path>', 'list the objects from a live cluster instead of -f')
    .option('--example', 'render the bundled example cluster (node-a)')
    .addOption(new Option('--backend <backend>', 'ruleset backend').choices(['nftables', 'iptables']).default('nftables'))
    .addOption(new Option('--output <format>', 'nftables: nft -f text or libnftables JSON; iptables: text, or the NetworkPolicy ipset restore input').choices(['text', 'json', 'ipset']).default('text'))
    .addOption(new Option('--policy-unknown-pods <verdict>', 'traffic of pod-CIDR addresses no known pod holds').choices(['allow', 'deny']).default('allow'))
    .addOption(new Option('--ip-family <family>', 'family the iptables backend prints').choices(['ipv4', 'ipv6']).default('ipv4'));
  addNodeContextOptions(cmd);
  cmd.action(async (opts) => {
    if (opts.example && !opts.nodeName) opts.nodeName = 'node-a';
    if (!opts.nodeName) throw new FlagError('--node-name', 'is required (or set NODE_NAME)');
    const files: string[] = opts.example ? [EXAMPLE_MANIFEST, ...opts.filename] : opts.filename;
    // Loaded here, not at start-up: `proxyctl run` never needs the manifest reader or the pipeline.
    const [{ loadManifests }, { renderObjects }] = await Promise.all([import('../kube/manifests.js'), import('../pipeline.js')]);
    let loaded;
    if (files.length > 0) loaded = loadManifests(files);
    else if (opts.kubeconfig) loaded = await (await import('../kube/list.js')).listFromCluster(opts.kubeconfig);
    else throw new FlagError('-f', 'give -f FILE (repeatable), --kubeconfig PATH or --example');
    const options: RenderOptions = { ...nodeFlagsFrom(opts), backend: opts.backend, output: opts.output, ipFamily: opts.ipFamily, policyUnknownPods: opts.policyUnknownPods };
    const result = renderObjects(loaded.objects, options);
    const diagnostics = [...loaded.diagnostics, ...result.diagnostics];
    for (const d of diagnostics) io.stderr(formatDiagnostic(d) + '\n');
    if (loaded.objects.length === 0 && loaded.diagnostics.length > 0) {
      throw new UnreadableInputError(files.join(', '), 'no object could be read');
    }
    io.stdout(result.output);
  });
  return cmd;
}
