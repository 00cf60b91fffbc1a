import { Command, CommanderError } from 'commander';
import { UnreadableInputError } from '../kube/errors.js';
import { FlagError } from '../model/context.js';
import { renderCommand } from './render.js';
import { ConfigError, runCommand } from './run.js';
import { cleanupCommand, diffCommand } from './maintenance.js';

export const EXIT_USAGE = 2;

/** Entry point; returns the exit code instead of exiting so tests can call it. */
export async function main(argv: string[], io = { stdout: (s: string) => void process.stdout.write(s), stderr: (s: string) => void process.stderr.write(s) }): Promise<number> {
  const program = new Command('proxyctl')
    .description('Kubernetes Service proxy and NetworkPolicy enforcer: nftables / iptables rulesets per node')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  program.addCommand(renderCommand(io).exitOverride());
  program.addCommand(runCommand().exitOverride());
  program.addCommand(diffCommand(io).exitOverride());
  program.addCommand(cleanupCommand(io).exitOverride());
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT_USAGE;
    if (err instanceof FlagError || err instanceof UnreadableInputError || err instanceof ConfigError) {
      io.stderr(`error: ${err.message}\n`);
      return EXIT_USAGE;
    }
    throw err;
  }
}
