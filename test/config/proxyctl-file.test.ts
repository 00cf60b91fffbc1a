import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, parseConfig } from '../../src/config/index.js';

const HEAD = 'apiVersion: proxyctl.io/v1alpha1\nkind: ProxyctlConfiguration\n';

function problemsOf(text: string, file = 'config.yaml'): string[] {
  try {
    parseConfig(text, file);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('config: ProxyctlConfiguration files', () => {
  it('maps every field, durations to seconds / milliseconds', () => {
    const { config, warnings } = parseConfig(`${HEAD}
nodeName: node-a
nodeIPs: [192.168.56.10, "fd00::10"]
clusterCIDRs: [10.244.0.0/16, "fd00:244::/56"]
nodePortAddresses: [192.168.56.0/24]
masqueradeAll: true
nodePortRange: 30000-31000
backend: iptables
syncPeriod: 1m
minSyncPeriod: 1s
coalesce: 50ms
healthzBindAddress: "[::]:10256"
metricsBindAddress: 0.0.0.0:10249
kubeconfig: /etc/kubernetes/proxy.conf
logLevel: debug
unhealthyAfter: 2m
policyUnknownPods: deny
conntrackCleanup: false
reserveNodePortRange: false
`, 'config.yaml');
    expect(warnings).to.deep.equal([]);
    expect(config).to.deep.equal({
      nodeName: 'node-a',
      nodeIPs: ['192.168.56.10', 'fd00::10'],
      clusterCIDRs: ['10.244.0.0/16', 'fd00:244::/56'],
      nodePortAddresses: ['192.168.56.0/24'],
      masqueradeAll: true,
      nodePortRange: '30000-31000',
      backend: 'iptables',
      syncPeriodSeconds: 60,
      minSyncPeriodSeconds: 1,
      coalesceMs: 50,
      healthzBindAddress: '[::]:10256',
      metricsBindAddress: '0.0.0.0:10249',
      kubeconfig: '/etc/kubernetes/proxy.conf',
      logLevel: 'debug',
      unhealthyAfterSeconds: 120,
      policyUnknownPods: 'deny',
      conntrackCleanup: false,
      reserveNodePortRange: false,
    });
  });

  it('returns only the fields the file sets', () => {
    expect(parseConfig(`${HEAD}backend: nftables\n`, 'c.yaml').config).to.deep.equal({ backend: 'nftables' });
  });

  it('reads JSON too', () => {
    const json = JSON.stringify({ apiVersion: 'proxyctl.io/v1alpha1', kind: 'ProxyctlConfiguration', syncPeriod: '30s', masqueradeAll: true });
    expect(parseConfig(json, 'config.json').config).to.deep.equal({ syncPeriodSeconds: 30, masqueradeAll: true });
  });

  it('expands nodePortAddresses "all" and keeps "primary" for resolveConfig', () => {
    expect(parseConfig(`${HEAD}nodePortAddresses: [all, primary]\n`, 'c.yaml').config.nodePortAddresses).to.deep.equal(['0.0.0.0/0', '::/0', 'primary']);
  });

  const bad: { name: string; body: string; problems: string[] }[] = [
    { name: 'a number where a duration belongs', body: 'syncPeriod: 30\n', problems: ['config.yaml: field syncPeriod: expected a duration like 30s, 1m, 1h; got 30'] },
    { name: 'a duration without unit', body: 'minSyncPeriod: "5"\n', problems: ['config.yaml: field minSyncPeriod: expected a duration like 30s, 1m, 1h; got "5"'] },
    { name: 'a negative duration', body: 'coalesce: -20ms\n', problems: ['config.yaml: field coalesce: expected a duration like 30s, 1m, 1h; got "-20ms"'] },
    { name: 'an unknown field, with a hint', body: 'syncPeriodSeconds: 30\n', problems: ['config.yaml: field syncPeriodSeconds: unknown field (did you mean syncPeriod?)'] },
    { name: 'a typo', body: 'masqueradAll: true\n', problems: ['config.yaml: field masqueradAll: unknown field (did you mean masqueradeAll?)'] },
    { name: 'an unknown field, no hint', body: 'ipvs: {}\n', problems: ['config.yaml: field ipvs: unknown field'] },
    { name: 'a bad backend', body: 'backend: ipvs\n', problems: ['config.yaml: field backend: expected "nftables" or "iptables"; got "ipvs"'] },
    { name: 'a YAML 1.1 boolean', body: 'masqueradeAll: yes\n', problems: ['config.yaml: field masqueradeAll: expected true or false; got "yes"'] },
    { name: 'a bad IP in a list', body: 'nodeIPs: [10.0.0.1, 10.0.0.300]\n', problems: ['config.yaml: field nodeIPs[1]: invalid IP address "10.0.0.300"'] },
    { name: 'a list given as a string', body: 'clusterCIDRs: 10.244.0.0/16\n', problems: ['config.yaml: field clusterCIDRs: expected a list; got "10.244.0.0/16"'] },
    { name: 'a bad CIDR', body: 'clusterCIDRs: [10.244.0.0/33]\n', problems: ['config.yaml: field clusterCIDRs[0]: invalid CIDR "10.244.0.0/33"'] },
    { name: 'localhost NodePorts', body: 'nodePortAddresses: [localhost]\n', problems: ['config.yaml: field nodePortAddresses[0]: NodePorts on localhost are not supported (proxyctl never accepts NodePort traffic on loopback)'] },
    { name: 'a bad port range', body: 'nodePortRange: 32767-30000\n', problems: ['config.yaml: field nodePortRange: invalid port range "32767-30000" (expected A-B within 1-65535)'] },
    { name: 'a bind address without port', body: 'healthzBindAddress: 0.0.0.0\n', problems: ['config.yaml: field healthzBindAddress: invalid bind address "0.0.0.0" (expected IP:port or [IPv6]:port, e.g. 0.0.0.0:10256)'] },
    { name: 'an unbracketed IPv6 bind address', body: 'metricsBindAddress: "::1:10249"\n', problems: ['config.yaml: field metricsBindAddress: invalid bind address "::1:10249" (expected IP:port or [IPv6]:port, e.g. 0.0.0.0:10256)'] },
    { name: 'a bad log level', body: 'logLevel: verbose\n', problems: ['config.yaml: field logLevel: expected "fatal" or "error" or "warn" or "info" or "debug" or "trace"; got "verbose"'] },
    { name: 'an empty field', body: 'kubeconfig:\n', problems: ['config.yaml: field kubeconfig: expected a string; got null'] },
    { name: 'an upper-case node name', body: 'nodeName: Node-A\n', problems: ['config.yaml: field nodeName: invalid node name "Node-A" (expected a lowercase RFC 1123 subdomain)'] },
    {
      name: 'several problems at once',
      body: 'syncPeriod: soon\nbackend: ipvs\nfoo: 1\n',
      problems: [
        'config.yaml: field syncPeriod: expected a duration like 30s, 1m, 1h; got "soon"',
        'config.yaml: field backend: expected "nftables" or "iptables"; got "ipvs"',
        'config.yaml: field foo: unknown field',
      ],
    },
  ];
  for (const c of bad) {
    it(`rejects ${c.name}`, () => {
      expect(problemsOf(HEAD + c.body)).to.have.members(c.problems);
    });
  }

  const unreadable: { name: string; text: string; problem: RegExp }[] = [
    { name: 'an empty file', text: '', problem: /^config\.yaml: empty; expected a ProxyctlConfiguration or a KubeProxyConfiguration$/ },
    { name: 'another kind', text: 'apiVersion: v1\nkind: ConfigMap\n', problem: /^config\.yaml: expected apiVersion proxyctl\.io\/v1alpha1, kind ProxyctlConfiguration .*got apiVersion "v1", kind "ConfigMap"$/ },
    { name: 'a wrong apiVersion', text: 'apiVersion: proxyctl.io/v1\nkind: ProxyctlConfiguration\n', problem: /got apiVersion "proxyctl\.io\/v1", kind "ProxyctlConfiguration"$/ },
    { name: 'two documents', text: `${HEAD}---\n${HEAD}`, problem: /^config\.yaml: expected one settings document, found 2$/ },
    { name: 'malformed YAML', text: `${HEAD}nodeIPs: [1.2.3.4\n`, problem: /^config\.yaml: malformed YAML\/JSON \(line \d+, column \d+\): / },
    { name: 'duplicate keys', text: `${HEAD}backend: nftables\nbackend: iptables\n`, problem: /^config\.yaml: malformed YAML\/JSON .*unique/ },
    { name: 'a list', text: '- a\n', problem: /got apiVersion none, kind none$/ },
  ];
  for (const c of unreadable) {
    it(`rejects ${c.name}`, () => {
      const problems = problemsOf(c.text);
      expect(problems).to.have.length(1);
      expect(problems[0]).to.match(c.problem);
    });
  }

  it('loadConfig reads a file and names it in problems', () => {
    const dir = mkdtempSync(join(tmpdir(), 'proxyctl-config-'));
    const good = join(dir, 'config.yaml');
    writeFileSync(good, `${HEAD}backend: iptables\n`);
    expect(loadConfig(good)).to.deep.equal({ config: { backend: 'iptables' }, warnings: [] });
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, `${HEAD}syncPeriod: 10\n`);
    expect(() => loadConfig(bad)).to.throw(ConfigError, `${bad}: field syncPeriod: expected a duration like 30s, 1m, 1h; got 10`);
    expect(() => loadConfig(join(dir, 'missing.yaml'))).to.throw(ConfigError, `${join(dir, 'missing.yaml')}: no such file or directory`);
  });
});
