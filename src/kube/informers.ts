import type { KubeConfig, KubernetesObject, ListWatch } from '@kubernetes/client-node';
import { loadKubeClient } from './client.js';
import { listRaw } from './raw-list.js';
import { trimObject } from './trim.js';

export type WatchedKind = 'Service' | 'EndpointSlice' | 'Node' | 'Pod' | 'Namespace' | 'NetworkPolicy';

export interface WatchEvents {
  upsert(kind: WatchedKind, object: Record<string, unknown>): void;
  remove(kind: WatchedKind, object: Record<string, unknown>): void;
  error(kind: WatchedKind, err: unknown, restartInMs: number): void;
}

export interface WatcherOptions {
  /**
   * Kinds whose handler converts each object before returning and keeps no reference to it. Their cached
   * copy is then cut down to what the informer itself reads (name, namespace, resourceVersion): the
   * daemon's store already holds the converted form, and a second whole copy of every EndpointSlice is
   * tens of MB at 10k services.
   */
  convertedKinds?: WatchedKind[];
}

export interface Watchers {
  /** Resolves when every informer has listed once. */
  synced: Promise<void>;
  stop(): Promise<void>;
}

/**
 * client-node informers for what the proxy reads. They relist by themselves after 410 Gone, but stop
 * after any other error (refused, premature close, 503): we restart them with backoff, keeping the
 * resourceVersion so a restart resumes rather than relists. Our own stop() surfaces as AbortError.
 * Lists are fetched as plain JSON (src/kube/raw-list.ts), not through client-node's typed API calls.
 */
export async function startWatchers(kc: KubeConfig, nodeName: string, kinds: WatchedKind[], events: WatchEvents, options: WatcherOptions = {}): Promise<Watchers> {
  const converted = new Set(options.convertedKinds ?? []);
  const k8s = await loadKubeClient();
  const node = { fieldSelector: `metadata.name=${nodeName}` };
  const specs: Record<WatchedKind, { path: string; field?: string; apiVersion: string }> = {
    Service: { path: '/api/v1/services', apiVersion: 'v1' },
    EndpointSlice: { path: '/apis/discovery.k8s.io/v1/endpointslices', apiVersion: 'discovery.k8s.io/v1' },
    Node: { path: '/api/v1/nodes', field: node.fieldSelector, apiVersion: 'v1' },
    Pod: { path: '/api/v1/pods', apiVersion: 'v1' },
    Namespace: { path: '/api/v1/namespaces', apiVersion: 'v1' },
    NetworkPolicy: { path: '/apis/networking.k8s.io/v1/networkpolicies', apiVersion: 'networking.k8s.io/v1' },
  };
  /** Watch events arrive as plain JSON already; trim them before the informer caches them. */
  class TrimmingWatch extends k8s.Watch {
    override watch(path: string, query: Record<string, string | number | boolean | undefined>, callback: (phase: string, object: any, watchObject?: any) => void, done: (err: any) => void) {
      return super.watch(path, query, (phase, object, watchObject) => callback(phase, isObject(object) ? trimObject(object) : object, watchObject), done);
    }
  }
  let stopped = false;
  const informers: ListWatch<KubernetesObject>[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const starts = kinds.map(async (kind) => {
    const spec = specs[kind];
    const list = async () => {
      return (await listRaw(kc, spec.path, spec.field ? { fieldSelector: spec.field } : {}, { onItem: trimObject })) as never;
    };
    const informer = new k8s.ListWatch<KubernetesObject>(spec.path, new TrimmingWatch(kc), list, false, undefined, spec.field);
    informers.push(informer);
    // List items carry no kind/apiVersion (as from a real API server): restore them for conversion.
    const tag = (o: KubernetesObject) => {
      const object = o as Record<string, unknown>;
      object.kind = kind;
      object.apiVersion = spec.apiVersion;
      return object;
    };
    const shrink = converted.has(kind);
    const deliver = (handle: (kind: WatchedKind, object: Record<string, unknown>) => void) => (o: KubernetesObject) => {
      handle(kind, tag(o));
      if (shrink) shrinkToIdentity(o);
    };
    informer.on('add', deliver((k, o) => events.upsert(k, o)));
    informer.on('update', deliver((k, o) => events.upsert(k, o)));
    informer.on('delete', deliver((k, o) => events.remove(k, o)));
    let failures = 0;
    informer.on('connect', () => (failures = 0));
    informer.on('error', (err) => {
      if (stopped || (err as { name?: string })?.name === 'AbortError') return;
      failures++;
      const delay = Math.min(30_000, 250 * 2 ** Math.min(failures - 1, 7));
      events.error(kind, err, delay);
      const t = setTimeout(() => {
        timers.delete(t);
        if (!stopped) void informer.start().catch(() => {});
      }, delay);
      timers.add(t);
    });
    await informer.start();
    // start() also resolves when the first list failed: only a resourceVersion proves we have listed.
    // Until then the store is incomplete and must not be applied (it would wipe working rules).
    while (!stopped && !informer.latestResourceVersion()) await new Promise((r) => setTimeout(r, 100));
  });
  return {
    synced: Promise.all(starts).then(() => undefined),
    async stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      await Promise.all(informers.map((i) => i.stop().catch(() => {})));
    },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Keeps what client-node's cache compares (namespace/name, resourceVersion) and what a later delete event needs. */
function shrinkToIdentity(object: KubernetesObject): void {
  const o = object as Record<string, unknown>;
  const { name, namespace, resourceVersion } = (o.metadata ?? {}) as Record<string, unknown>;
  // Emptied, not deleted: `delete` turns each object into a slow dictionary of ~430 bytes (9 MB at 10k).
  for (const key of Object.keys(o)) if (key !== 'kind' && key !== 'apiVersion') o[key] = undefined;
  o.metadata = { name, namespace, resourceVersion };
}
