import type { LoadedManifests } from './manifests.js';
import { loadKubeClient } from './client.js';
import { listRaw } from './raw-list.js';

/** Lists Services, EndpointSlices and Nodes from a live cluster; client-node is loaded only here. */
export async function listFromCluster(kubeconfigPath: string | undefined): Promise<LoadedManifests> {
  const k8s = await loadKubeClient();
  const kc = new k8s.KubeConfig();
  if (kubeconfigPath) kc.loadFromFile(kubeconfigPath);
  else kc.loadFromCluster(); // inside the DaemonSet's pod: the service account
  const file = `cluster ${kc.getCurrentCluster()?.server ?? kubeconfigPath ?? 'in-cluster'}`;
  const [services, slices, nodes] = await Promise.all([
    listRaw(kc, '/api/v1/services'),
    listRaw(kc, '/apis/discovery.k8s.io/v1/endpointslices'),
    listRaw(kc, '/api/v1/nodes'),
  ]);
  // List items carry no kind/apiVersion, as from a real API server.
  const tag = (kind: string, apiVersion: string) => (o: Record<string, unknown>) => ({ object: { ...o, kind, apiVersion }, file });
  return {
    objects: [
      ...services.items.map(tag('Service', 'v1')),
      ...slices.items.map(tag('EndpointSlice', 'discovery.k8s.io/v1')),
      ...nodes.items.map(tag('Node', 'v1')),
    ],
    diagnostics: [],
  };
}
