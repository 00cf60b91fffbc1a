#!/usr/bin/env node
// Runs the TypeScript sources through tsx, so no build step stands between a clone and the CLI.
import { setFlagsFromString } from 'node:v8';
import { register } from 'tsx/esm/api';

// One-shot commands allocate a large, short-lived ruleset: a bigger young generation halves GC time.
// The daemon (`run`) keeps the default to stay small in memory.
if (process.argv[2] !== 'run') setFlagsFromString('--max-semi-space-size=64');
register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
