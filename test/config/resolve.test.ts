import { expect } from 'chai';
import { ConfigError, defaultConfig, resolveConfig, validateConfig, type DaemonConfig } from '../../src/config/index.js';

const ENV = { NODE_NAME: 'node-a' };

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('config: resolveConfig (flags > file > defaults)', () => {
  it('gives kube-proxy\'s defaults for nftables when nothing is set', () => {
    expect(resolveConfig({}, {}, ENV)).to.deep.equal({
      nodeName: 'node-a',
      nodeIPs: [],
      clusterCIDRs: [],
      nodePortAddresses: [],
      masqueradeAll: false,
      nodePortRange: '30000-32767',
      backend: 'nftables',
      syncPeriodSeconds: 3600,
      minSyncPeriodSeconds: 0,
      coalesceMs: 0,
      healthzBindAddress: '0.0.0.0:10256',
      metricsBindAddress: '127.0.0.1:10249',
      logLevel: 'info',
      unhealthyAfterSeconds: 60,
      policyUnknownPods: 'allow',
      conntrackCleanup: true,
      reserveNodePortRange: true,
    } satisfies DaemonConfig);
  });

  const precedence: { name: string; file: Partial<DaemonConfig>; flags: Partial<DaemonConfig>; env?: Record<string, string>; want: Partial<DaemonConfig> }[] = [
    { name: 'file over default', file: { masqueradeAll: true, coalesceMs: 5 }, flags: {}, want: { masqueradeAll: true, coalesceMs: 5 } },
    { name: 'flag over file', file: { masqueradeAll: true, logLevel: 'debug' }, flags: { masqueradeAll: false }, want: { masqueradeAll: false, logLevel: 'debug' } },
    { name: 'undefined, empty string and empty list flags are "not given"', file: { nodeIPs: ['10.0.0.1'], kubeconfig: '/k' }, flags: { nodeIPs: [], kubeconfig: '', nodeName: undefined }, want: { nodeIPs: ['10.0.0.1'], kubeconfig: '/k' } },
    { name: 'iptables default sync period', file: { backend: 'iptables' }, flags: {}, want: { backend: 'iptables', syncPeriodSeconds: 30 } },
    { name: 'the default sync period follows a backend flag', file: { backend: 'iptables' }, flags: { backend: 'nftables' }, want: { backend: 'nftables', syncPeriodSeconds: 3600 } },
    { name: 'a set sync period stays when the backend changes', file: { backend: 'iptables', syncPeriodSeconds: 30 }, flags: { backend: 'nftables' }, want: { backend: 'nftables', syncPeriodSeconds: 30 } },
    { name: 'NODE_NAME as the node name default', file: {}, flags: {}, env: { NODE_NAME: 'node-b' }, want: { nodeName: 'node-b' } },
    { name: 'the file\'s node name over NODE_NAME', file: { nodeName: 'node-c' }, flags: {}, env: { NODE_NAME: 'node-b' }, want: { nodeName: 'node-c' } },
    { name: 'the flag\'s node name over both', file: { nodeName: 'node-c' }, flags: { nodeName: 'node-d' }, env: { NODE_NAME: 'node-b' }, want: { nodeName: 'node-d' } },
    { name: '"primary" alone without node IPs → empty (the Node\'s IPs)', file: { nodePortAddresses: ['primary'] }, flags: {}, want: { nodePortAddresses: [] } },
    { name: '"primary" with node IPs → host CIDRs', file: { nodePortAddresses: ['primary', '10.0.0.0/8'] }, flags: { nodeIPs: ['192.168.56.10', 'fd00::10'] }, want: { nodePortAddresses: ['10.0.0.0/8', '192.168.56.10/32', 'fd00::10/128'] } },
    { name: '"all" from a flag', file: {}, flags: { nodePortAddresses: ['all'] }, want: { nodePortAddresses: ['0.0.0.0/0', '::/0'] } },
    { name: 'lists are replaced, not merged', file: { clusterCIDRs: ['10.244.0.0/16', 'fd00::/56'] }, flags: { clusterCIDRs: ['10.0.0.0/8'] }, want: { clusterCIDRs: ['10.0.0.0/8'] } },
  ];
  for (const c of precedence) {
    it(c.name, () => {
      const got = resolveConfig(c.file, c.flags, c.env ?? ENV);
      expect(got).to.include(Object.fromEntries(Object.entries(c.want).filter(([, v]) => !Array.isArray(v))));
      for (const [k, v] of Object.entries(c.want)) if (Array.isArray(v)) expect(got[k as keyof DaemonConfig]).to.deep.equal(v);
    });
  }

  it('does not modify its inputs', () => {
    const file = { nodePortAddresses: ['primary'] };
    const flags = { nodeIPs: ['10.0.0.1'] };
    resolveConfig(file, flags, ENV);
    expect(file).to.deep.equal({ nodePortAddresses: ['primary'] });
    expect(flags).to.deep.equal({ nodeIPs: ['10.0.0.1'] });
  });

  const invalid: { name: string; file?: Partial<DaemonConfig>; flags?: Partial<DaemonConfig>; env?: Record<string, string>; problems: string[] }[] = [
    { name: 'no node name anywhere', env: {}, problems: ['nodeName: required: set NODE_NAME, --node-name or nodeName in the config file'] },
    { name: 'a bad NODE_NAME', env: { NODE_NAME: 'Node_A' }, problems: ['nodeName (from NODE_NAME): invalid node name "Node_A" (expected a lowercase RFC 1123 subdomain)'] },
    { name: 'a bad flag value, naming flags', flags: { nodeIPs: ['10.0.0.1', 'x'] }, problems: ['nodeIPs[1] (from flags): invalid IP address "x"'] },
    { name: 'a bad node port range flag', flags: { nodePortRange: '30000' }, problems: ['nodePortRange (from flags): invalid port range "30000" (expected A-B within 1-65535)'] },
    { name: 'minSyncPeriod above syncPeriod', file: { syncPeriodSeconds: 10, minSyncPeriodSeconds: 20 }, problems: ['minSyncPeriodSeconds (from the config file): must not exceed syncPeriod (10s)'] },
    { name: 'a zero sync period', flags: { syncPeriodSeconds: 0 }, problems: ['syncPeriodSeconds (from flags): must be greater than 0'] },
    { name: 'coalescing as long as the sync period', file: { syncPeriodSeconds: 1, coalesceMs: 1000 }, problems: ['coalesceMs (from the config file): must be shorter than syncPeriod (1s)'] },
    { name: 'a negative coalesce', flags: { coalesceMs: -1 }, problems: ['coalesceMs (from flags): must be 0 or more'] },
    { name: 'a zero unhealthy threshold', flags: { unhealthyAfterSeconds: 0 }, problems: ['unhealthyAfterSeconds (from flags): must be greater than 0'] },
    { name: 'healthz and metrics on one port', file: { metricsBindAddress: '127.0.0.1:10256' }, problems: ['metricsBindAddress (from the config file): port 10256 is already healthzBindAddress\'s'] },
    { name: '"primary" mixed with CIDRs and no node IPs', file: { nodePortAddresses: ['primary', '10.0.0.0/8'] }, problems: ['nodePortAddresses[0] (from the config file): "primary" together with CIDRs needs nodeIPs (set nodeIPs or --node-ip); alone, an empty list already means the node\'s IPs'] },
    {
      name: 'every problem, joined',
      env: {},
      flags: { backend: 'ipvs' as never, clusterCIDRs: ['10.0.0.0/40'], logLevel: 'loud' as never },
      problems: [
        'nodeName: required: set NODE_NAME, --node-name or nodeName in the config file',
        'clusterCIDRs[0] (from flags): invalid CIDR "10.0.0.0/40"',
        'backend (from flags): expected one of nftables, iptables; got "ipvs"',
        'logLevel (from flags): expected one of fatal, error, warn, info, debug, trace; got "loud"',
      ],
    },
  ];
  for (const c of invalid) {
    it(`rejects ${c.name}`, () => {
      expect(problemsOf(() => resolveConfig(c.file ?? {}, c.flags ?? {}, c.env ?? ENV))).to.deep.equal(c.problems);
    });
  }

  it('joins every problem into one error message, one per line', () => {
    const config: DaemonConfig = { ...defaultConfig(), nodeName: '', syncPeriodSeconds: -1 };
    expect(() => validateConfig(config)).to.throw(ConfigError, 'invalid configuration:\n  nodeName: required: set NODE_NAME, --node-name or nodeName in the config file\n  syncPeriodSeconds: must be greater than 0');
  });

  it('accepts distinct healthz and metrics addresses on one port', () => {
    expect(() => resolveConfig({ healthzBindAddress: '10.0.0.1:9000', metricsBindAddress: '127.0.0.1:9000' }, {}, ENV)).not.to.throw();
  });
});
