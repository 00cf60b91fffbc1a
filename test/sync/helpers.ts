import type { Executor } from '../../src/sync/exec.js';
import type { NodeContext } from '../../src/model/types.js';

export interface Recorded {
  cmd: string;
  args: string[];
  input?: string;
}

/** An executor that records every command and answers from a script (exit 0 by default). */
export function recorder(answer: (cmd: string, args: string[], input?: string) => { exitCode: number; stdout?: string; stderr?: string } = () => ({ exitCode: 0 })) {
  const calls: Recorded[] = [];
  const exec: Executor = {
    async run(cmd, args, input) {
      calls.push({ cmd, args, input });
      const r = answer(cmd, args, input);
      return { exitCode: r.exitCode, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
    },
  };
  return { exec, calls };
}

export const CTX: NodeContext = {
  nodeName: 'node-a',
  nodeIPs: ['192.168.56.10'],
  clusterCIDRs: ['10.244.0.0/16'],
  nodePortAddresses: [],
  masqueradeAll: false,
  nodePortRange: { min: 30000, max: 32767 },
};

export function svcObject(i: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'Service', apiVersion: 'v1',
    metadata: { name: `svc-${i}`, namespace: 'ns' },
    spec: { clusterIP: `10.96.${i >> 8}.${i & 255}`, ports: [{ name: 'http', port: 80, targetPort: 8080 }], ...extra },
  };
}

export function sliceObject(i: number, endpoints: number, opts: { node?: (j: number) => string; trigger?: string } = {}): Record<string, unknown> {
  return {
    kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1',
    metadata: {
      name: `svc-${i}-x`, namespace: 'ns', labels: { 'kubernetes.io/service-name': `svc-${i}` },
      annotations: opts.trigger ? { 'endpoints.kubernetes.io/last-change-trigger-time': opts.trigger } : undefined,
    },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: Array.from({ length: endpoints }, (_, j) => ({
      addresses: [`10.244.${j % 2}.${(i * 7 + j) % 250 + 2}`],
      conditions: { ready: true },
      nodeName: opts.node ? opts.node(j) : j % 2 === 0 ? 'node-a' : 'node-b',
    })),
  };
}
