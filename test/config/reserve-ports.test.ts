import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describeKernel } from '../kernel/kernel-gate.js';

const DAEMONSET = new URL('../../deploy/daemonset.yaml', import.meta.url).pathname;
const RESERVED = '/proc/sys/net/ipv4/ip_local_reserved_ports';

/** The init container's script, reading its settings from `configPath` instead of the ConfigMap mount. */
function initScript(configPath: string): string {
  const ds = parse(readFileSync(DAEMONSET, 'utf8'));
  const init = ds.spec.template.spec.initContainers.find((c: { name: string }) => c.name === 'reserve-node-ports');
  const [shell, flags, script] = init.command as string[];
  expect([shell, flags]).to.deep.equal(['/bin/sh', '-ec']);
  return script.replaceAll('/etc/proxyctl/config.yaml', configPath);
}

/** Runs the script twice in a fresh network namespace whose reserved ports start as `initial`; returns the end value. */
function runTwice(config: string, initial: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'proxyctl-reserve-'));
  const path = join(dir, 'config.yaml');
  writeFileSync(path, config);
  const script = initScript(path);
  const outer = `echo "$1" > ${RESERVED}; sh -ec "$2" >/dev/null; sh -ec "$2" >/dev/null; cat ${RESERVED}`;
  return execFileSync('unshare', ['-n', 'sh', '-ec', outer, 'sh', initial, script], { encoding: 'utf8', timeout: 10_000 }).trim();
}

describeKernel('deploy/: the reserve-node-ports init container @kernel', () => {
  const cases: { name: string; config: string; initial: string; want: string }[] = [
    { name: 'reserves the default range', config: 'apiVersion: proxyctl.io/v1alpha1\nkind: ProxyctlConfiguration\n', initial: '', want: '30000-32767' },
    { name: 'reserves the ConfigMap\'s nodePortRange, keeping what was reserved', config: 'nodePortRange: 30000-31000\n', initial: '1000', want: '1000,30000-31000' },
    { name: 'reads a quoted range', config: 'nodePortRange: "30100-30200"\n', initial: '', want: '30100-30200' },
    { name: 'uses the default with a KubeProxyConfiguration', config: 'apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\n', initial: '', want: '30000-32767' },
  ];
  for (const c of cases) {
    it(`${c.name}, idempotently`, () => {
      expect(runTwice(c.config, c.initial)).to.equal(c.want);
    });
  }
});
