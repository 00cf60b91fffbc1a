// Objects plus a bounded event history, versioned by one global resourceVersion counter
// (like etcd's revision): every write bumps it, and watches replay history after a version.

import { randomUUID } from 'node:crypto';
import { type ResourceRegistry, type ResourceType, apiVersionOf, resourceKey } from './resources.js';

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  [key: string]: unknown;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  rv: number;
  type: EventType;
  /** resourceKey() of the object's type. */
  resource: string;
  object: KubeObject;
  /** The version replaced by a MODIFIED event; watches with selectors need it. */
  previous?: KubeObject;
}

/** Identifies one object without its body. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

/** A failed write, shaped like the Status the API server would return. */
export class StoreError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export interface StoreOptions {
  /** How many events the history keeps; older resume points get 410 Expired. */
  historyLimit: number;
}

export class ObjectStore {
  private rv = 0;
  /** Every event with rv > floor is still in history. */
  private floor = 0;
  private history: StoreEvent[] = [];
  /** history[0..head) is expired; kept until compaction so trimming stays O(1) per write. */
  private head = 0;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly listeners = new Set<(event: StoreEvent) => void>();

  constructor(
    private readonly registry: ResourceRegistry,
    private readonly options: StoreOptions,
  ) {}

  get resourceVersion(): number {
    return this.rv;
  }

  // Writes return the stored object itself: callers must not mutate it (the server clones).

  create(input: KubeObject): KubeObject {
    return this.write(input, 'create');
  }

  /** Replaces an existing object; a resourceVersion in the input is a precondition. */
  update(input: KubeObject): KubeObject {
    return this.write(input, 'update');
  }

  /** Creates or replaces, ignoring any resourceVersion in the input (like `kubectl apply --force`). */
  apply(input: KubeObject): KubeObject {
    return this.write(input, 'apply');
  }

  delete(ref: ObjectRef): KubeObject {
    const type = this.typeOf(ref.apiVersion, ref.kind);
    const namespace = type.namespaced ? (ref.namespace ?? 'default') : undefined;
    const previous = this.bucket(type).get(`${namespace ?? ''}/${ref.name}`);
    if (previous === undefined) {
      throw new StoreError(404, 'NotFound', `${type.plural} "${ref.name}" not found`);
    }
    // The DELETED event carries the object at the deletion's resourceVersion, as the real server does.
    return this.commit(type, 'DELETED', clone(previous), previous);
  }

  get(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.bucket(type).get(`${type.namespaced ? (namespace ?? 'default') : ''}/${name}`);
  }

  /** Objects of one type, sorted by namespace/name; namespace undefined means all. Do not mutate. */
  list(type: ResourceType, namespace: string | undefined): KubeObject[] {
    const out: KubeObject[] = [];
    for (const obj of this.bucket(type).values()) {
      if (namespace === undefined || obj.metadata.namespace === namespace) out.push(obj);
    }
    return out.sort((a, b) => compareKeys(objectKey(a), objectKey(b)));
  }

  /** Events of one type after `rv`, or undefined when history no longer reaches back that far. */
  eventsSince(type: ResourceType, rv: number): StoreEvent[] | undefined {
    if (rv < this.floor) return undefined;
    const resource = resourceKey(type);
    const out: StoreEvent[] = [];
    for (let i = this.firstAfter(rv); i < this.history.length; i++) {
      if (this.history[i].resource === resource) out.push(this.history[i]);
    }
    return out;
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Forgets all history and moves the version past every version a client has seen, so the
   * next watch resume from any earlier version gets 410 Expired (like an etcd compaction).
   */
  expireHistory(): void {
    this.rv++;
    this.floor = this.rv;
    this.history = [];
    this.head = 0;
  }

  /** Index of the first retained event with rv > `rv` (history is sorted by rv). */
  private firstAfter(rv: number): number {
    let lo = this.head;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.history[mid].rv > rv) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  private write(input: KubeObject, mode: 'create' | 'update' | 'apply'): KubeObject {
    const { type, obj } = this.normalize(input);
    const previous = this.bucket(type).get(objectKey(obj));
    const what = `${type.plural} "${obj.metadata.name}"`;
    if (previous === undefined) {
      if (mode === 'update') throw new StoreError(404, 'NotFound', `${what} not found`);
      obj.metadata.uid = obj.metadata.uid ?? randomUUID();
      obj.metadata.creationTimestamp = obj.metadata.creationTimestamp ?? new Date().toISOString();
      return this.commit(type, 'ADDED', obj, undefined);
    }
    if (mode === 'create') throw new StoreError(409, 'AlreadyExists', `${what} already exists`);
    const expected = input.metadata.resourceVersion;
    if (mode === 'update' && expected !== undefined && expected !== '' && expected !== previous.metadata.resourceVersion) {
      throw new StoreError(409, 'Conflict', `${what}: resourceVersion ${expected} is stale`);
    }
    obj.metadata.uid = previous.metadata.uid;
    obj.metadata.creationTimestamp = previous.metadata.creationTimestamp;
    return this.commit(type, 'MODIFIED', obj, previous);
  }

  private commit(type: ResourceType, kind: EventType, obj: KubeObject, previous: KubeObject | undefined): KubeObject {
    this.rv++;
    obj.metadata.resourceVersion = String(this.rv);
    const key = objectKey(obj);
    if (kind === 'DELETED') this.bucket(type).delete(key);
    else this.bucket(type).set(key, obj);
    const event: StoreEvent = { rv: this.rv, type: kind, resource: resourceKey(type), object: obj, previous };
    this.history.push(event);
    this.trimHistory();
    for (const listener of this.listeners) listener(event);
    return obj;
  }

  private trimHistory(): void {
    while (this.history.length - this.head > this.options.historyLimit) {
      this.floor = this.history[this.head].rv;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.history.length) {
      this.history = this.history.slice(this.head);
      this.head = 0;
    }
  }

  private normalize(input: KubeObject): { type: ResourceType; obj: KubeObject } {
    const type = this.typeOf(input.apiVersion, input.kind);
    if (typeof input.metadata?.name !== 'string' || input.metadata.name === '') {
      throw new StoreError(422, 'Invalid', `${type.kind}: metadata.name is required`);
    }
    const obj = clone(input);
    obj.apiVersion = apiVersionOf(type);
    obj.kind = type.kind;
    if (type.namespaced) obj.metadata.namespace = obj.metadata.namespace ?? 'default';
    else delete obj.metadata.namespace;
    return { type, obj };
  }

  private typeOf(apiVersion: string | undefined, kind: string | undefined): ResourceType {
    const type = this.registry.forObject(apiVersion, kind);
    if (type === undefined) {
      throw new StoreError(400, 'BadRequest', `no resource type for apiVersion "${apiVersion}" kind "${kind}"`);
    }
    return type;
  }

  private bucket(type: ResourceType): Map<string, KubeObject> {
    const key = resourceKey(type);
    let bucket = this.objects.get(key);
    if (bucket === undefined) {
      bucket = new Map();
      this.objects.set(key, bucket);
    }
    return bucket;
  }
}

function objectKey(obj: KubeObject): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Objects are plain JSON; this is ~3x faster than structuredClone on Kubernetes objects. */
export function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
