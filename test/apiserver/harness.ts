// Per-test wiring: a server, a KubeConfig pointing at it, API clients, and informers that
// are stopped afterwards.

import {
  CoreV1Api,
  DiscoveryV1Api,
  type Informer,
  KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  ListWatch,
  NetworkingV1Api,
  type ObjectCache,
  Watch,
  makeInformer,
} from '@kubernetes/client-node';
import { TestApiServer, type TestApiServerOptions } from './server.js';

export type TestInformer<T extends KubernetesObject> = Informer<T> & ObjectCache<T>;

export interface Harness {
  server: TestApiServer;
  kc: KubeConfig;
  core: CoreV1Api;
  discovery: DiscoveryV1Api;
  networking: NetworkingV1Api;
  /** makeInformer(), remembered so close() stops it. Not started. */
  informer<T extends KubernetesObject>(path: string, list: () => Promise<KubernetesListObject<T>>): TestInformer<T>;
  /** A ListWatch with a field selector (makeInformer() cannot pass one). Not started. */
  fieldInformer<T extends KubernetesObject>(
    path: string,
    list: () => Promise<KubernetesListObject<T>>,
    fieldSelector: string,
  ): TestInformer<T>;
  close(): Promise<void>;
}

export async function startHarness(options: TestApiServerOptions = {}): Promise<Harness> {
  const server = await TestApiServer.start(options);
  const kc = new KubeConfig();
  kc.loadFromString(server.kubeconfig());
  const informers: TestInformer<KubernetesObject>[] = [];
  const remember = <T extends KubernetesObject>(informer: TestInformer<T>): TestInformer<T> => {
    informers.push(informer as unknown as TestInformer<KubernetesObject>);
    return informer;
  };
  return {
    server,
    kc,
    core: kc.makeApiClient(CoreV1Api),
    discovery: kc.makeApiClient(DiscoveryV1Api),
    networking: kc.makeApiClient(NetworkingV1Api),
    informer: (path, list) => remember(makeInformer(kc, path, list)),
    fieldInformer: (path, list, fieldSelector) =>
      remember(new ListWatch(path, new Watch(kc), list, false, undefined, fieldSelector)),
    close: async () => {
      for (const informer of informers) await informer.stop();
      await server.stop();
    },
  };
}
