// The scenarios: NetworkPolicies over the x/y/z × a/b/c model, and the checks beyond the matrix.
// Scenarios marked `iptables` also run against the iptables backend.
import { checkClusterIP, checkFromOutside, p50, timeChanges } from './checks.js';
import { change, leakedPolicyObjects, nodesWithoutServiceRules, report, resetNode, settle } from './cluster.js';
import { ALL_PORTS } from './matrix.js';
import { namespaceObject, netpol, pod, podObject, refOf, SVC_XA } from './model.js';
import { CheckFailed, checkMatrices, type Scenario } from './runner.js';

export interface NamedScenario extends Scenario {
  iptables?: boolean;
}

const ns = (name: string) => ({ matchLabels: { ns: name } });
const podSel = (name: string) => ({ matchLabels: { pod: name } });
const tcp80 = [{ port: 80, protocol: 'TCP' }];
const only80tcp = [ALL_PORTS[0]];

const denyIngress = (namespace: string) => netpol(`${namespace}/deny-ingress`, { podSelector: {}, policyTypes: ['Ingress'] });
const denyEgress = (namespace: string) => netpol(`${namespace}/deny-egress`, { podSelector: {}, policyTypes: ['Egress'] });
const denyAll = (namespace: string) => netpol(`${namespace}/deny-all`, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });

export const SCENARIOS: NamedScenario[] = [
  { name: 'allow-all baseline (no policies)', policies: [], iptables: true },
  { name: 'default-deny ingress in x', policies: [denyIngress('x')], iptables: true },
  { name: 'default-deny egress in x', policies: [denyEgress('x')], iptables: true },
  { name: 'default-deny ingress and egress in x, y and z', policies: ['x', 'y', 'z'].map(denyAll) },
  {
    name: 'x: allow ingress from the same namespace',
    policies: [netpol('x/allow-same-ns', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] })],
  },
  {
    name: 'x/a: podSelector peer (from x/b only)',
    policies: [netpol('x/a-from-b', { podSelector: podSel('a'), ingress: [{ from: [{ podSelector: podSel('b') }] }] })],
  },
  {
    name: 'x: namespaceSelector peer (from namespace y)',
    policies: [netpol('x/from-y', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: ns('y') }] }] })],
  },
  {
    name: 'x/a: namespaceSelector AND podSelector in one peer (y/c only)',
    policies: [netpol('x/a-from-y-and-c', { podSelector: podSel('a'), ingress: [{ from: [{ namespaceSelector: ns('y'), podSelector: podSel('c') }] }] })],
    iptables: true,
  },
  {
    name: 'x/a: the same as two peers, OR (all of y, plus x/c)',
    policies: [netpol('x/a-from-y-or-c', { podSelector: podSel('a'), ingress: [{ from: [{ namespaceSelector: ns('y') }, { podSelector: podSel('c') }] }] })],
  },
  {
    name: 'x: ipBlock 10.244.0.0/16 except y/a\'s /32',
    policies: [netpol('x/ipblock', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.244.0.0/16', except: [`${pod('y/a').ip}/32`] } }] }] })],
    iptables: true,
  },
  {
    name: 'y: egress only to ipBlock 10.244.1.0/24 (node-b\'s pods)',
    policies: [netpol('y/egress-node-b', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.244.1.0/24' } }] }] })],
  },
  {
    name: 'x: named port "serve" (80 on a and c, 81 on b), TCP only',
    policies: [netpol('x/named-serve', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: 'serve', protocol: 'TCP' }] }] })],
    iptables: true,
  },
  {
    name: 'x: endPort ranges TCP 80-81 and UDP 81-85',
    policies: [netpol('x/ranges', { podSelector: {}, ingress: [{ ports: [{ protocol: 'TCP', port: 80, endPort: 81 }, { protocol: 'UDP', port: 81, endPort: 85 }] }] })],
    iptables: true,
  },
  {
    name: 'x/a: two policies are a union (x/b on 80/TCP; namespace z on all ports)',
    policies: [
      netpol('x/a-from-b-80', { podSelector: podSel('a'), ingress: [{ from: [{ podSelector: podSel('b') }], ports: tcp80 }] }),
      netpol('x/a-from-z', { podSelector: podSel('a'), ingress: [{ from: [{ namespaceSelector: ns('z') }] }] }),
    ],
  },
  {
    // Three times: the first policy on a node (its policy tables appear), checked at once.
    name: 'policy syncs leave the Service rules in place (3 create/delete cycles)',
    policies: [],
    ports: only80tcp,
    iptables: true,
    async extra(cluster, log) {
      const seen: string[] = [];
      for (let i = 1; i <= 3; i += 1) {
        const policy = denyIngress('z');
        await change(cluster, [policy]);
        const missing = await nodesWithoutServiceRules(cluster);
        if (missing.length) seen.push(`cycle ${i}: missing on ${missing.join(', ')} right after z/deny-ingress was applied`);
        await change(cluster, [], [policy]);
      }
      log(seen.length ? seen.join('; ') : 'Service rules intact after every policy sync');
      if (seen.length) throw new CheckFailed(`Service rules (x/svc-a ClusterIP ${SVC_XA.clusterIP}) removed by policy syncs:\n${seen.join('\n')}\n${await report(cluster)}`);
    },
  },
  {
    name: 'y: egress only to x/a; ClusterIP of x/svc-a works from y',
    policies: [netpol('y/egress-to-xa', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: ns('x'), podSelector: podSel('a') }] }] })],
    extra: checkClusterIP,
    iptables: true,
  },
  {
    name: 'y: egress only to x/b; ClusterIP of x/svc-a (backend x/a) blocked from y',
    policies: [netpol('y/egress-to-xb', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: ns('x'), podSelector: podSel('b') }] }] })],
    extra: checkClusterIP,
    iptables: true,
  },
  {
    name: 'policy added and removed while the daemons run (y deny-all)',
    policies: [],
    ports: only80tcp,
    async extra(cluster, log) {
      const policy = denyAll('y');
      const added = await change(cluster, [policy]);
      log(`added y/deny-all: kernels matched after node-a ${added.ms['node-a']} ms, node-b ${added.ms['node-b']} ms`);
      await checkMatrices(cluster, 'with y/deny-all', ALL_PORTS);
      const removed = await change(cluster, [], [policy]);
      log(`removed y/deny-all: kernels matched after node-a ${removed.ms['node-a']} ms, node-b ${removed.ms['node-b']} ms`);
      await checkMatrices(cluster, 'after removing y/deny-all', ALL_PORTS);
    },
  },
  {
    name: 'policy churn (a second policy joins and leaves x/a\'s group) leaves no unused chains or sets',
    policies: [denyIngress('x')],
    ports: only80tcp,
    iptables: true,
    async extra(cluster, log) {
      const second = netpol('x/a-from-z', { podSelector: podSel('a'), ingress: [{ from: [{ namespaceSelector: ns('z') }] }] });
      await change(cluster, [second]);
      await checkMatrices(cluster, 'with x/a-from-z added', only80tcp);
      await change(cluster, [], [second]);
      await checkMatrices(cluster, 'after x/a-from-z was deleted', only80tcp);
      const leaked = await leakedPolicyObjects(cluster);
      log(leaked.length ? `left behind: ${leaked.join(', ')}` : 'no unused policy chains or ipsets');
      if (leaked.length) throw new CheckFailed(`unused policy chains/ipsets left in the kernel after x/a-from-z came and went (x/deny-ingress still in force):\n${leaked.join('\n')}\n${await report(cluster)}`);
    },
  },
  {
    name: 'pod label change moves z/b in and out of a peer selector (timed)',
    policies: [netpol('x/from-access', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { access: 'true' } } }] }] })],
    ports: only80tcp,
    iptables: true,
    async extra(cluster, log) {
      const zb = pod('z/b');
      const states = [1, 2, 3].flatMap((i) => [
        { what: `change ${i}: z/b access=true`, object: podObject(zb, { access: 'true' }) },
        { what: `change ${i}: z/b label removed`, object: podObject(zb) },
      ]);
      try {
        // First in and out with matrices, then the rest only timed (the kernel state is still compared).
        const first = await timeChanges(cluster, states.slice(0, 1), log);
        await checkMatrices(cluster, 'z/b labelled access=true', only80tcp);
        const second = await timeChanges(cluster, states.slice(1, 2), log);
        await checkMatrices(cluster, 'z/b label removed', only80tcp);
        const rest = await timeChanges(cluster, states.slice(2), log);
        const all = [...first.samples, ...second.samples, ...rest.samples];
        log(`label change -> both kernels: p50 ${p50(all.map((s) => s.both))} ms, max ${Math.max(...all.map((s) => s.both))} ms over ${all.length} changes`);
      } finally {
        await change(cluster, [podObject(zb)]);
      }
    },
  },
  {
    name: 'pod label change moves y/b in and out of a policy\'s target selector',
    policies: [netpol('y/quarantine', { podSelector: { matchLabels: { quarantine: 'true' } }, policyTypes: ['Ingress', 'Egress'] })],
    ports: only80tcp,
    async extra(cluster, log) {
      const yb = pod('y/b');
      try {
        const inside = await change(cluster, [podObject(yb, { quarantine: 'true' })]);
        log(`y/b quarantined: node-a ${inside.ms['node-a']} ms, node-b ${inside.ms['node-b']} ms`);
        await checkMatrices(cluster, 'y/b quarantined', ALL_PORTS);
        const outside = await change(cluster, [podObject(yb)]);
        log(`y/b released: node-a ${outside.ms['node-a']} ms, node-b ${outside.ms['node-b']} ms`);
        await checkMatrices(cluster, 'y/b released', only80tcp);
      } finally {
        await change(cluster, [podObject(yb)]);
      }
    },
  },
  {
    name: 'namespace label change moves z in and out of a namespaceSelector',
    policies: [netpol('x/from-team-blue', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'blue' } } }] }] })],
    ports: only80tcp,
    async extra(cluster, log) {
      try {
        const labelled = await change(cluster, [namespaceObject('z', { team: 'blue' })]);
        log(`namespace z team=blue: node-a ${labelled.ms['node-a']} ms, node-b ${labelled.ms['node-b']} ms`);
        await checkMatrices(cluster, 'namespace z labelled team=blue', only80tcp);
      } finally {
        const back = await change(cluster, [namespaceObject('z')]);
        log(`namespace z label removed: node-a ${back.ms['node-a']} ms, node-b ${back.ms['node-b']} ms`);
      }
      await checkMatrices(cluster, 'namespace z label removed', only80tcp);
    },
  },
  {
    // Seed: "a workload ... only allows ingress to it via the ingress controller on a specific port".
    name: 'seed (Weave Net case study): x/a reachable only from the ingress controller (z/c) on 80/TCP',
    policies: [netpol('x/a-only-ingress-controller', {
      podSelector: podSel('a'),
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } } }], ports: tcp80 }],
    })],
    iptables: true,
  },
  {
    // Seed: webapp + MySQL: the database only from the web tier on its port; the frontend stays
    // reachable from outside through its NodePort (masqueraded when it crosses nodes).
    name: 'seed (web + database): y/b db only from frontend on 81/TCP; frontend NodePort from outside',
    policies: [
      netpol('y/default-deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] }),
      netpol('y/frontend-from-anywhere', { podSelector: { matchLabels: { tier: 'frontend' } }, ingress: [{ ports: tcp80 }] }),
      netpol('y/db-from-frontend', { podSelector: { matchLabels: { tier: 'db' } }, ingress: [{ from: [{ podSelector: { matchLabels: { tier: 'frontend' } } }], ports: [{ port: 81, protocol: 'TCP' }] }] }),
    ],
    extra: (cluster, log) => checkFromOutside(cluster, log, { TCP: true, UDP: false }, [{ pod: 'y/a', port: 80, open: true }, { pod: 'y/c', port: 80, open: true }, { pod: 'y/b', port: 81, open: false }, { pod: 'y/a', port: 81, open: false }]),
    iptables: true,
  },
  // Last: when it fails, node-a is reset afterwards.
  {
    name: 'daemon restart: policies swapped while node-a\'s daemon was down',
    policies: [],
    ports: only80tcp,
    iptables: true,
    async extra(cluster, log) {
      const before = denyIngress('x');
      const after = denyIngress('y');
      await change(cluster, [before]);
      const daemon = cluster.daemons['node-a'];
      await daemon.stop(); // SIGTERM: its rules stay in the kernel
      try {
        cluster.model.remove(before);
        await cluster.api.delete(refOf(before));
        cluster.model.set(after);
        await cluster.api.apply(after);
        const t = Date.now();
        await daemon.start(cluster.topology.lab, cluster.backend);
        let stale: unknown;
        try {
          const applied = await settle(cluster, t, 10_000);
          log(`node-a restarted (x/deny-ingress deleted, y/deny-ingress created while down): kernel matched ${applied.ms['node-a']} ms after the start`);
        } catch (error) {
          stale = error;
          log('node-a restarted: its kernel does not hold the expected rules (see failure)');
        }
        try {
          await checkMatrices(cluster, 'after the restart of node-a', ALL_PORTS);
        } catch (error) {
          throw new CheckFailed(`${(error as Error).message}${stale ? `\n${String(stale)}` : ''}`);
        }
        if (stale) throw new CheckFailed(`traffic as expected, but node-a's kernel differs from the expected rules after the restart:\n${String(stale)}`);
      } finally {
        // Whatever happened, the next scenario gets a node-a that starts from clean rules.
        if (!daemon.running) await daemon.start(cluster.topology.lab, cluster.backend);
        if (await settle(cluster, Date.now(), 3000).then(() => false, () => true)) {
          log('node-a reset (stop, proxyctl cleanup, start) so later scenarios start clean');
          await resetNode(cluster, 'node-a');
        }
      }
    },
  },
];

export const IPTABLES_SCENARIOS = SCENARIOS.filter((s) => s.iptables);
