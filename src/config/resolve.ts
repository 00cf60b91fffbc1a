import { DEFAULT_BACKEND, defaultConfig } from './defaults.js';
import { expandNodePortAddresses, normalizeNodePortAddresses } from './node-port-addresses.js';
import type { DaemonConfig } from './types.js';
import { validateConfig, type Origins } from './validate.js';

/** Settings given on the command line; a field left undefined (or '' or []) was not given. */
export type ConfigFlags = Partial<DaemonConfig>;

/** process.env or a test's stand-in; only NODE_NAME is read. */
export type ConfigEnv = Readonly<Record<string, string | undefined>>;

/**
 * Merges flags > file > defaults (NODE_NAME is the nodeName default), expands nodePortAddresses keywords,
 * and validates the result: returns a usable DaemonConfig or throws one ConfigError listing every problem.
 */
export function resolveConfig(fileConfig: Partial<DaemonConfig>, flags: ConfigFlags = {}, env: ConfigEnv = {}): DaemonConfig {
  const file = given(fileConfig);
  const cli = given(flags);
  const origins: Origins = {};
  for (const key of Object.keys(file) as (keyof DaemonConfig)[]) origins[key] = 'the config file';
  for (const key of Object.keys(cli) as (keyof DaemonConfig)[]) origins[key] = 'flags';

  const backend = cli.backend ?? file.backend ?? DEFAULT_BACKEND;
  const nodeName = cli.nodeName ?? file.nodeName ?? (env.NODE_NAME || '');
  if (!cli.nodeName && !file.nodeName && env.NODE_NAME) origins.nodeName = 'NODE_NAME';
  // Defaults follow the final backend (syncPeriod 3600s nftables, 30s iptables); a period that was set stays.
  const config: DaemonConfig = { ...defaultConfig(backend), ...file, ...cli, backend, nodeName };
  config.nodePortAddresses = expandNodePortAddresses(normalizeNodePortAddresses(config.nodePortAddresses), config.nodeIPs);
  validateConfig(config, origins);
  return config;
}

/** Drops what was not given: undefined, empty strings and empty lists (commander's defaults for repeatable flags). */
function given(partial: Partial<DaemonConfig>): Partial<DaemonConfig> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(partial)) {
    if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) continue;
    out[key] = value;
  }
  return out as Partial<DaemonConfig>;
}
