import { Command, Option } from 'commander';
import { ConfigError, loadConfig, parseDuration, resolveConfig, type ConfigFlags } from '../config/index.js';
import { createLogger, isLogLevel } from '../daemon/logger.js';
import { FlagError } from '../model/context.js';
import { addNodeContextOptions } from './node-options.js';

function seconds(flag: string) {
  return (text: string): number => {
    const ms = parseDuration(text);
    if (ms === undefined) throw new FlagError(flag, `expected a duration like 30s, 1m, 1h; got ${JSON.stringify(text)}`);
    return ms / 1000;
  };
}

/** `proxyctl run`: the node daemon. Flags override --config, which overrides defaults. */
export function runCommand(): Command {
  const cmd = new Command('run')
    .description('watch the cluster and keep this node\'s rules in sync (replaces kube-proxy)')
    .option('--config <file>', 'ProxyctlConfiguration or kube-proxy KubeProxyConfiguration file')
    .option('--kubeconfig <path>', 'kubeconfig (default: in-cluster service account)')
    .addOption(new Option('--backend <backend>', 'ruleset backend').choices(['nftables', 'iptables']))
    .option('--sync-period <duration>', 'full resync period (default 1h nftables, 30s iptables)', seconds('--sync-period'))
    .option('--min-sync-period <duration>', 'minimum time between syncs (default 0s)', seconds('--min-sync-period'))
    .option('--coalesce <duration>', 'extra wait after the first event of a burst (default 0s: sync at once; events during a sync form the next batch)', seconds('--coalesce'))
    .option('--healthz-bind-address <host:port>', 'healthz server (default 0.0.0.0:10256)')
    .option('--metrics-bind-address <host:port>', 'metrics server (default 127.0.0.1:10249)')
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace')
    .addOption(new Option('--policy-unknown-pods <verdict>', 'traffic of pod-CIDR addresses no known pod holds yet (the pod-start window)').choices(['allow', 'deny']));
  addNodeContextOptions(cmd);
  cmd.action(async (opts) => {
    const file = opts.config ? loadConfig(opts.config) : { config: {}, warnings: [] };
    const flags: ConfigFlags = {
      nodeName: opts.nodeName, nodeIPs: opts.nodeIp, clusterCIDRs: opts.clusterCidr, nodePortAddresses: opts.nodeportAddresses,
      masqueradeAll: opts.masqueradeAll || undefined,
      nodePortRange: opts.serviceNodePortRange === '30000-32767' ? undefined : opts.serviceNodePortRange,
      backend: opts.backend, kubeconfig: opts.kubeconfig,
      syncPeriodSeconds: opts.syncPeriod, minSyncPeriodSeconds: opts.minSyncPeriod,
      coalesceMs: opts.coalesce === undefined ? undefined : opts.coalesce * 1000,
      healthzBindAddress: opts.healthzBindAddress, metricsBindAddress: opts.metricsBindAddress,
      policyUnknownPods: opts.policyUnknownPods,
      logLevel: opts.logLevel && isLogLevel(opts.logLevel) && opts.logLevel !== 'silent' ? opts.logLevel : undefined,
    };
    const config = resolveConfig(file.config, flags, process.env);
    const log = createLogger({ level: config.logLevel });
    for (const w of file.warnings) log.warn({ config: opts.config }, w);
    log.info({ config: { ...config } }, 'starting proxyctl');
    const { startDaemon } = await import('../run/daemon.js');
    const daemon = await startDaemon(config, { log });
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        log.info({ signal }, 'stopping; rules stay in place');
        void daemon.stop().then(resolve);
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
  });
  return cmd;
}

export { ConfigError };
