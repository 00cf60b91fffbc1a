// Records what a client-node informer reports, in order, for assertions.

import type { Informer, KubernetesObject, ObjectCache } from '@kubernetes/client-node';

export interface Recorder {
  /** "add ns/name rv", "update ...", "delete ..." (cluster-scoped objects have no "ns/"). */
  events: string[];
  errors: unknown[];
  connects: number;
}

export function record<T extends KubernetesObject>(informer: Informer<T> & ObjectCache<T>): Recorder {
  const recorder: Recorder = { events: [], errors: [], connects: 0 };
  const describe = (verb: string, obj: T): string => {
    const meta = obj.metadata ?? {};
    const id = meta.namespace === undefined ? meta.name : `${meta.namespace}/${meta.name}`;
    return `${verb} ${id} ${meta.resourceVersion}`;
  };
  informer.on('add', (obj) => recorder.events.push(describe('add', obj)));
  informer.on('update', (obj) => recorder.events.push(describe('update', obj)));
  informer.on('delete', (obj) => recorder.events.push(describe('delete', obj)));
  informer.on('error', (err) => recorder.errors.push(err));
  informer.on('connect', () => recorder.connects++);
  return recorder;
}

/** The cache as sorted "ns/name rv" lines, to compare with the server's view. */
export function cacheLines<T extends KubernetesObject>(cache: ObjectCache<T>): string[] {
  return cache
    .list()
    .map((obj) => `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name} ${obj.metadata?.resourceVersion}`)
    .sort();
}
