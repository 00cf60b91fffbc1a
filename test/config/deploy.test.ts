import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { parseConfig, resolveConfig } from '../../src/config/index.js';

const DEPLOY = new URL('../../deploy/', import.meta.url).pathname;

// Loose on purpose: only the fields these tests look at.
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [field: string]: any;
}

function readManifests(file: string): Manifest[] {
  const docs = parseAllDocuments(readFileSync(join(DEPLOY, file), 'utf8'));
  const list = Array.isArray(docs) ? docs : [docs];
  for (const d of list) expect(d.errors, `${file}: ${d.errors.map((e) => e.message).join('; ')}`).to.deep.equal([]);
  return list.map((d) => d.toJS() as Manifest).filter(Boolean);
}

const files = readdirSync(DEPLOY).filter((f) => /\.ya?ml$/.test(f)).sort();
const kustomization = readManifests('kustomization.yaml')[0];
const objects = files.filter((f) => f !== 'kustomization.yaml').flatMap(readManifests);
const find = (kind: string, name: string): Manifest => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in deploy/`);
  return found;
};

const ds = find('DaemonSet', 'proxyctl');
const pod = ds.spec.template.spec;
const main = pod.containers.find((c: Manifest) => c.name === 'proxyctl');
const mountOf = (container: Manifest, volume: string) => container.volumeMounts?.find((m: Manifest) => m.name === volume);
const volume = (name: string) => pod.volumes.find((v: Manifest) => v.name === name);

/** Whether a ClusterRole's rules grant `verb` on `group`/`resource`. */
function allowed(rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[], group: string, resource: string, verb: string): boolean {
  return rules.some((r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb));
}

describe('deploy/ manifests', () => {
  it('every manifest parses and names its kind and object', () => {
    expect(objects.length).to.be.greaterThan(0);
    for (const o of objects) {
      expect(o.apiVersion, JSON.stringify(o.metadata)).to.be.a('string');
      expect(o.kind).to.be.a('string');
      expect(o.metadata.name).to.be.a('string');
    }
  });

  it('kustomization.yaml lists every file in deploy/, and only those', () => {
    expect(kustomization.kind).to.equal('Kustomization');
    expect([...kustomization.resources].sort()).to.deep.equal(files.filter((f) => f !== 'kustomization.yaml'));
    expect(readdirSync(DEPLOY).filter((f) => !/\.ya?ml$/.test(f))).to.deep.equal([]);
  });

  it('the DaemonSet runs on every node, on the host network, as critical', () => {
    expect(ds.metadata.namespace).to.equal('kube-system');
    expect(pod.hostNetwork).to.equal(true);
    expect(pod.dnsPolicy).to.equal('ClusterFirstWithHostNet');
    expect(pod.priorityClassName).to.equal('system-node-critical');
    expect(pod.tolerations).to.deep.include({ operator: 'Exists' });
    expect(ds.spec.updateStrategy).to.deep.equal({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } });
    expect(ds.spec.selector.matchLabels).to.deep.equal(ds.spec.template.metadata.labels);
  });

  it('the daemon container is unprivileged with NET_ADMIN and NET_RAW', () => {
    expect(main.securityContext.privileged).to.equal(false);
    expect(main.securityContext.capabilities.add).to.include.members(['NET_ADMIN', 'NET_RAW']);
    expect(main.args).to.deep.equal(['run', '--config', '/etc/proxyctl/config.yaml']);
    expect(main.resources.requests).to.have.keys('cpu', 'memory');
  });

  it('NODE_NAME comes from the downward API', () => {
    const env = main.env.find((e: Manifest) => e.name === 'NODE_NAME');
    expect(env.valueFrom.fieldRef.fieldPath).to.equal('spec.nodeName');
  });

  it('the liveness probe asks /healthz on the port the config serves it on', () => {
    expect(main.livenessProbe.httpGet).to.deep.equal({ path: '/healthz', port: 10256 });
    const config = resolveConfig(parseConfig(find('ConfigMap', 'proxyctl-config').data['config.yaml'], 'config.yaml').config, {}, { NODE_NAME: 'node-a' });
    expect(config.healthzBindAddress).to.equal('0.0.0.0:10256');
  });

  it('mounts the xtables lock, /lib/modules read-only and the ConfigMap at /etc/proxyctl', () => {
    expect(volume('xtables-lock').hostPath).to.deep.equal({ path: '/run/xtables.lock', type: 'FileOrCreate' });
    expect(mountOf(main, 'xtables-lock').mountPath).to.equal('/run/xtables.lock');
    expect(volume('lib-modules').hostPath.path).to.equal('/lib/modules');
    expect(mountOf(main, 'lib-modules')).to.include({ mountPath: '/lib/modules', readOnly: true });
    expect(mountOf(main, 'config').mountPath).to.equal('/etc/proxyctl');
    const cm = find('ConfigMap', volume('config').configMap.name);
    expect(cm.metadata.namespace).to.equal('kube-system');
    expect(cm.data).to.have.key('config.yaml');
  });

  it('ships a ConfigMap that is a valid ProxyctlConfiguration, without warnings', () => {
    const { config, warnings } = parseConfig(find('ConfigMap', 'proxyctl-config').data['config.yaml'], 'config.yaml');
    expect(warnings).to.deep.equal([]);
    expect(() => resolveConfig(config, {}, { NODE_NAME: 'node-a' })).not.to.throw();
  });

  it('reserves the NodePort range in a privileged init container, since the daemon cannot write /proc/sys', () => {
    const { config } = parseConfig(find('ConfigMap', 'proxyctl-config').data['config.yaml'], 'config.yaml');
    expect(config.reserveNodePortRange).to.equal(true);
    const init = pod.initContainers.find((c: Manifest) => c.name === 'reserve-node-ports');
    expect(init.securityContext.privileged).to.equal(true);
    expect(init.command.join(' ')).to.contain('/proc/sys/net/ipv4/ip_local_reserved_ports');
    expect(mountOf(init, 'config').mountPath).to.equal('/etc/proxyctl');
  });

  it('every container uses the image kustomization.yaml can override', () => {
    const name = kustomization.images[0].name;
    for (const c of [...pod.initContainers, ...pod.containers]) expect(c.image).to.match(new RegExp(`^${name.replace(/\./g, '\\.')}:`));
  });

  it('the ServiceAccount is bound to the ClusterRole', () => {
    expect(pod.serviceAccountName).to.equal('proxyctl');
    expect(find('ServiceAccount', 'proxyctl').metadata.namespace).to.equal('kube-system');
    const binding = find('ClusterRoleBinding', 'proxyctl');
    expect(binding.roleRef).to.deep.equal({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'proxyctl' });
    expect(binding.subjects).to.deep.equal([{ kind: 'ServiceAccount', name: 'proxyctl', namespace: 'kube-system' }]);
  });

  const reads: [string, string][] = [['', 'services'], ['discovery.k8s.io', 'endpointslices'], ['', 'nodes'], ['', 'pods'], ['', 'namespaces'], ['networking.k8s.io', 'networkpolicies']];
  for (const [group, resource] of reads) {
    it(`the ClusterRole can get, list and watch ${group ? `${resource}.${group}` : resource}`, () => {
      const { rules } = find('ClusterRole', 'proxyctl');
      for (const verb of ['get', 'list', 'watch']) expect(allowed(rules, group, resource, verb), verb).to.equal(true);
      for (const verb of ['create', 'update', 'patch', 'delete']) expect(allowed(rules, group, resource, verb), verb).to.equal(false);
    });
  }

  for (const group of ['', 'events.k8s.io']) {
    it(`the ClusterRole can create and patch events${group ? `.${group}` : ''}`, () => {
      const { rules } = find('ClusterRole', 'proxyctl');
      for (const verb of ['create', 'patch']) expect(allowed(rules, group, 'events', verb), verb).to.equal(true);
    });
  }

  it('kubectl kustomize builds it (skipped without kubectl)', function () {
    let out: string;
    try {
      out = execFileSync('kubectl', ['kustomize', DEPLOY], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') this.skip();
      throw err;
    }
    const kinds = parseAllDocuments(out).map((d) => (d.toJS() as Manifest).kind).sort();
    expect(kinds).to.deep.equal(objects.map((o) => o.kind).sort());
  });
});
