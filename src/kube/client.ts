import { existsSync } from 'node:fs';
import type * as ClientNode from '@kubernetes/client-node';

/** The parts of client-node the daemon and `render --kubeconfig` use. */
export type KubeClient = Pick<typeof ClientNode, 'KubeConfig' | 'Watch' | 'ListWatch'>;

// From dist/kube/ this is dist/vendor/; bin/build-kube-client.js writes it during `npm run build`.
const bundle = new URL('../vendor/kube-client.js', import.meta.url);

/**
 * client-node's KubeConfig, Watch and ListWatch from our bundle of them without the generated API clients and
 * models (~60 MB less resident memory, ~0.5 s less start-up; see bin/build-kube-client.js). Sources run
 * through tsx (src/ has no vendor/) load the whole package: the same classes.
 */
export async function loadKubeClient(): Promise<KubeClient> {
  if (existsSync(bundle)) return (await import(bundle.href)) as KubeClient;
  return import('@kubernetes/client-node');
}
