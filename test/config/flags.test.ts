import { expect } from 'chai';
import { Command } from 'commander';
import { explicitOptions, resolveConfig } from '../../src/config/index.js';

function parse(argv: string[]): Command {
  const collect = (v: string, prev: string[]) => [...prev, v];
  const cmd = new Command('run')
    .exitOverride()
    .option('--masquerade-all', 'masquerade', false)
    .option('--node-ip <ip>', 'node IP', collect, [])
    .option('--service-node-port-range <range>', 'range', '30000-32767')
    .option('--backend <backend>', 'backend', 'nftables');
  return cmd.parse(argv, { from: 'user' });
}

describe('config: explicitOptions', () => {
  it('drops values that only come from commander defaults', () => {
    expect(explicitOptions(parse([]))).to.deep.equal({});
  });

  it('keeps what was given, including false-y values', () => {
    expect(explicitOptions(parse(['--masquerade-all', '--node-ip', '10.0.0.1', '--backend', 'iptables']))).to.deep.equal({
      masqueradeAll: true,
      nodeIp: ['10.0.0.1'],
      backend: 'iptables',
    });
  });

  it('so a defaulted flag does not override the config file', () => {
    const opts = explicitOptions(parse([]));
    const flags = { masqueradeAll: opts.masqueradeAll as boolean | undefined, backend: opts.backend as 'nftables' | undefined };
    const config = resolveConfig({ masqueradeAll: true, backend: 'iptables' }, flags, { NODE_NAME: 'node-a' });
    expect(config).to.include({ masqueradeAll: true, backend: 'iptables', syncPeriodSeconds: 30 });
  });
});
