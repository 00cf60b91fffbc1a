import type { LoadedManifests } from './manifests.js';
import { toWire } from './wire.js';

/** Lists Services, EndpointSlices and Nodes from a live cluster; client-node is loaded only here (~400 ms). */
export async function listFromCluster(kubeconfigPath: string | undefined): Promise<LoadedManifests> {
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  if (kubeconfigPath) kc.loadFromFile(kubeconfigPath);
  else kc.loadFromCluster(); // inside the DaemonSet's pod: the service account
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const discovery = kc.makeApiClient(k8s.DiscoveryV1Api);
  const file = `cluster ${kc.getCurrentCluster()?.server ?? kubeconfigPath ?? 'in-cluster'}`;
  const [services, slices, nodes] = await Promise.all([
    core.listServiceForAllNamespaces(),
    discovery.listEndpointSliceForAllNamespaces(),
    core.listNode(),
  ]);
  const tag = (kind: string, apiVersion: string) => (o: object) => ({ object: { ...(toWire(o) as Record<string, unknown>), kind, apiVersion }, file });
  return {
    objects: [
      ...services.items.map(tag('Service', 'v1')),
      ...slices.items.map(tag('EndpointSlice', 'discovery.k8s.io/v1')),
      ...nodes.items.map(tag('Node', 'v1')),
    ],
    diagnostics: [],
  };
}
