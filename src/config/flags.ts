import type { Command } from 'commander';

/**
 * The options the user actually gave (command line or env), without commander's defaults: a default there
 * would otherwise count as a flag and override the config file (`--masquerade-all` defaulting to false).
 */
export function explicitOptions(cmd: Command): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(cmd.opts())) {
    const source = cmd.getOptionValueSource(key);
    if (source !== undefined && source !== 'default') out[key] = value;
  }
  return out;
}
