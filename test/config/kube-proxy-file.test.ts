import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { ConfigError, loadConfig, parseConfig, resolveConfig } from '../../src/config/index.js';

const HEAD = 'apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\n';
const KUBEADM = new URL('./fixtures/kubeadm-kube-proxy.conf', import.meta.url).pathname;

function problemsOf(text: string): string[] {
  try {
    parseConfig(text, 'config.conf');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('config: KubeProxyConfiguration files', () => {
  it('reads kubeadm\'s ConfigMap: zero values are defaults, empty mode means iptables (with a warning)', () => {
    const { config, warnings } = loadConfig(KUBEADM);
    expect(config).to.deep.equal({
      backend: 'iptables',
      clusterCIDRs: ['10.244.0.0/16', 'fd00:10:244::/56'],
      kubeconfig: '/var/lib/kube-proxy/kubeconfig.conf',
    });
    expect(warnings).to.deep.equal([
      `${KUBEADM}: field mode: empty, so kube-proxy would run in iptables mode; proxyctl uses its iptables backend too (set mode: nftables for the nftables backend)`,
    ]);
    const resolved = resolveConfig(config, {}, { NODE_NAME: 'node-a' });
    expect(resolved.syncPeriodSeconds).to.equal(30);
    expect(resolved.healthzBindAddress).to.equal('0.0.0.0:10256');
  });

  it('reads the same ConfigMap in nftables mode without warnings', () => {
    const text = readFileSync(KUBEADM, 'utf8').replace('mode: ""', 'mode: nftables');
    const { config, warnings } = parseConfig(text, 'config.conf');
    expect(warnings).to.deep.equal([]);
    expect(config.backend).to.equal('nftables');
    expect(resolveConfig(config, {}, { NODE_NAME: 'node-a' }).syncPeriodSeconds).to.equal(3600);
  });

  const mapped: { name: string; body: string; config: object }[] = [
    { name: 'iptables mode and its section', body: 'mode: iptables\niptables: {masqueradeAll: true, syncPeriod: 1m, minSyncPeriod: 1s}\n', config: { backend: 'iptables', masqueradeAll: true, syncPeriodSeconds: 60, minSyncPeriodSeconds: 1 } },
    { name: 'nftables mode and its section', body: 'mode: nftables\nnftables: {masqueradeAll: true, syncPeriod: 1h0m0s, minSyncPeriod: 500ms}\n', config: { backend: 'nftables', masqueradeAll: true, syncPeriodSeconds: 3600, minSyncPeriodSeconds: 0.5 } },
    { name: 'nftables mode honouring iptables.masqueradeAll (older kube-proxy read it there)', body: 'mode: nftables\niptables: {masqueradeAll: true}\n', config: { backend: 'nftables', masqueradeAll: true } },
    { name: 'top-level sync periods over the section\'s', body: 'mode: iptables\nsyncPeriod: 45s\nminSyncPeriod: 2s\niptables: {syncPeriod: 30s, minSyncPeriod: 1s}\n', config: { backend: 'iptables', syncPeriodSeconds: 45, minSyncPeriodSeconds: 2 } },
    { name: 'a single-stack clusterCIDR', body: 'mode: nftables\nclusterCIDR: 10.244.0.0/16\n', config: { backend: 'nftables', clusterCIDRs: ['10.244.0.0/16'] } },
    { name: 'a dual-stack clusterCIDR with spaces', body: 'mode: nftables\nclusterCIDR: "10.244.0.0/16, fd00::/56"\n', config: { backend: 'nftables', clusterCIDRs: ['10.244.0.0/16', 'fd00::/56'] } },
    { name: 'a clusterCIDRs list', body: 'mode: nftables\nclusterCIDRs: [10.244.0.0/16]\n', config: { backend: 'nftables', clusterCIDRs: ['10.244.0.0/16'] } },
    { name: 'detectLocalMode NodeCIDR (the Node\'s podCIDRs: our default)', body: 'mode: nftables\ndetectLocalMode: NodeCIDR\nclusterCIDR: 10.244.0.0/16\n', config: { backend: 'nftables' } },
    { name: 'nodePortAddresses CIDRs and keywords', body: 'mode: nftables\nnodePortAddresses: [primary, 192.168.0.0/16, all]\n', config: { backend: 'nftables', nodePortAddresses: ['primary', '192.168.0.0/16', '0.0.0.0/0', '::/0'] } },
    { name: 'bind and metrics addresses', body: 'mode: nftables\nhealthzBindAddress: "[::]:10256"\nmetricsBindAddress: 0.0.0.0:10249\n', config: { backend: 'nftables', healthzBindAddress: '[::]:10256', metricsBindAddress: '0.0.0.0:10249' } },
    { name: 'hostnameOverride as the node name, lower-cased like kube-proxy', body: 'mode: nftables\nhostnameOverride: " Node-A "\n', config: { backend: 'nftables', nodeName: 'node-a' } },
    { name: 'bindAddress as the node IP', body: 'mode: nftables\nbindAddress: 192.168.56.10\n', config: { backend: 'nftables', nodeIPs: ['192.168.56.10'] } },
    { name: 'a dual-stack bindAddress as the node IPs', body: 'mode: nftables\nbindAddress: 192.168.56.10,fd00::10\n', config: { backend: 'nftables', nodeIPs: ['192.168.56.10', 'fd00::10'] } },
    { name: 'an unspecified bindAddress as nothing', body: 'mode: nftables\nbindAddress: "::"\n', config: { backend: 'nftables' } },
    { name: 'clientConnection.kubeconfig', body: 'mode: iptables\nclientConnection: {kubeconfig: /k.conf, qps: 0}\n', config: { backend: 'iptables', kubeconfig: '/k.conf' } },
  ];
  for (const c of mapped) {
    it(`maps ${c.name}`, () => {
      const { config, warnings } = parseConfig(HEAD + c.body, 'config.conf');
      expect(warnings).to.deep.equal([]);
      expect(config).to.deep.equal(c.config);
    });
  }

  it('lists every set field it ignores in one warning, sorted, feature gates included even when false', () => {
    const { warnings } = parseConfig(`${HEAD}mode: iptables
featureGates: {KubeProxyDrainingTerminatingNodes: false, Foo: true}
conntrack: {maxPerCore: 32768, min: 131072, tcpEstablishedTimeout: 24h0m0s, udpTimeout: 0s}
ipvs: {scheduler: rr, strictARP: true, syncPeriod: 0s}
nftables: {syncPeriod: 1h}
iptables: {masqueradeBit: 14, syncPeriod: 30s}
oomScoreAdj: -999
clientConnection: {kubeconfig: /k, qps: 5}
`, 'config.conf');
    expect(warnings).to.deep.equal([
      'config.conf: ignoring KubeProxyConfiguration fields proxyctl does not use: clientConnection.qps, conntrack.maxPerCore, conntrack.min, '
      + 'conntrack.tcpEstablishedTimeout, featureGates.Foo, featureGates.KubeProxyDrainingTerminatingNodes, iptables.masqueradeBit, '
      + 'ipvs.scheduler, ipvs.strictARP, nftables.syncPeriod, oomScoreAdj',
    ]);
  });

  const warned: { name: string; body: string; warning: string; config: object }[] = [
    { name: 'localhost in nodePortAddresses', body: 'mode: nftables\nnodePortAddresses: [localhost, 10.0.0.0/8]\n', warning: 'config.conf: field nodePortAddresses[0]: "localhost" ignored: proxyctl never accepts NodePort traffic on loopback', config: { backend: 'nftables', nodePortAddresses: ['10.0.0.0/8'] } },
    { name: 'an interface-based detectLocalMode', body: 'mode: nftables\ndetectLocalMode: BridgeInterface\nclusterCIDR: 10.244.0.0/16\n', warning: 'config.conf: field detectLocalMode: "BridgeInterface" is not supported: proxyctl tells pod traffic by source CIDR (clusterCIDR if set, else the Node\'s spec.podCIDRs)', config: { backend: 'nftables', clusterCIDRs: ['10.244.0.0/16'] } },
  ];
  for (const c of warned) {
    it(`warns about ${c.name}`, () => {
      const { config, warnings } = parseConfig(HEAD + c.body, 'config.conf');
      expect(warnings).to.include(c.warning);
      expect(config).to.deep.equal(c.config);
    });
  }

  const bad: { name: string; body: string; problems: (string | RegExp)[] }[] = [
    { name: 'ipvs mode, explaining what to do', body: 'mode: ipvs\n', problems: [/^config\.conf: field mode: "ipvs" is not supported: .*Set mode: nftables \(or iptables\).*kube-proxy --cleanup.*kube-ipvs0/] },
    { name: 'an unknown mode', body: 'mode: kernelspace\n', problems: ['config.conf: field mode: expected "iptables" or "nftables"; got "kernelspace"'] },
    { name: 'a bad sync period', body: 'mode: iptables\niptables: {syncPeriod: 30}\n', problems: ['config.conf: field iptables.syncPeriod: expected a duration like 30s, 1m, 1h; got 30'] },
    { name: 'a bad top-level sync period', body: 'mode: iptables\nminSyncPeriod: 1x\n', problems: ['config.conf: field minSyncPeriod: expected a duration like 30s, 1m, 1h; got "1x"'] },
    { name: 'a bad masqueradeAll', body: 'mode: iptables\niptables: {masqueradeAll: "true"}\n', problems: ['config.conf: field iptables.masqueradeAll: expected true or false; got "true"'] },
    { name: 'a bad clusterCIDR', body: 'mode: iptables\nclusterCIDR: 10.244.0.0/16,nope\n', problems: ['config.conf: field clusterCIDR: invalid CIDR "nope"'] },
    { name: 'a bad nodePortAddresses entry', body: 'mode: iptables\nnodePortAddresses: [10.0.0.0/8, eth0]\n', problems: ['config.conf: field nodePortAddresses[1]: invalid value "eth0" (expected a CIDR, "primary" or "all")'] },
    { name: 'a bad healthz address', body: 'mode: iptables\nhealthzBindAddress: 0.0.0.0\n', problems: [/^config\.conf: field healthzBindAddress: invalid bind address "0\.0\.0\.0"/] },
    { name: 'a bad bindAddress', body: 'mode: iptables\nbindAddress: node-a\n', problems: ['config.conf: field bindAddress: invalid IP address "node-a"'] },
    { name: 'a hostnameOverride that is no node name', body: 'mode: iptables\nhostnameOverride: node_a\n', problems: [/^config\.conf: field hostnameOverride: invalid node name "node_a"/] },
    {
      name: 'several at once',
      body: 'mode: ipvs\nclusterCIDR: x\nmetricsBindAddress: y\n',
      problems: [/field mode: "ipvs"/, 'config.conf: field clusterCIDR: invalid CIDR "x"', /field metricsBindAddress: invalid bind address "y"/],
    },
  ];
  for (const c of bad) {
    it(`rejects ${c.name}`, () => {
      const problems = problemsOf(HEAD + c.body);
      expect(problems).to.have.length(c.problems.length);
      for (const want of c.problems) {
        if (typeof want === 'string') expect(problems).to.include(want);
        else expect(problems.some((p) => want.test(p)), `${want} in ${JSON.stringify(problems)}`).to.equal(true);
      }
    });
  }
});
