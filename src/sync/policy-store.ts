import type { PolicySource } from '../policy/types.js';
import type { DirtyBatch } from './store.js';

const KINDS = new Set(['Pod', 'Namespace', 'NetworkPolicy']);

/** Raw Pods, Namespaces and NetworkPolicies from the watches; the policy compiler reads them whole. */
export class PolicyStore {
  private readonly objects = new Map<string, PolicySource>();
  private dirty = new Set<string>();

  upsert(object: Record<string, unknown>): void {
    const key = keyOf(object);
    if (!key) return;
    this.objects.set(key, { object, file: 'api' });
    this.dirty.add(key);
  }

  remove(object: Record<string, unknown>): void {
    const key = keyOf(object);
    if (key && this.objects.delete(key)) this.dirty.add(key);
  }

  /** Something the policy depends on outside the store changed (our Node's addresses or pod CIDRs). */
  touch(reason: string): void {
    this.dirty.add(reason);
  }

  /** The object stored under a key `Kind/namespace/name` (as takeDirty names them). */
  source(key: string): PolicySource | undefined {
    return this.objects.get(key);
  }

  sources(): PolicySource[] {
    return [...this.objects.values()];
  }

  /** The objects (`Kind/namespace/name`) changed since the last call. */
  takeDirty(): DirtyBatch {
    const services = this.dirty;
    this.dirty = new Set();
    return { services, nodeChanged: false, triggerTimes: new Map() };
  }

  hasDirty(): boolean {
    return this.dirty.size > 0;
  }
}

function keyOf(object: Record<string, unknown>): string | undefined {
  const kind = String(object.kind ?? '');
  if (!KINDS.has(kind)) return undefined;
  const meta = (object.metadata ?? {}) as { namespace?: string; name?: string };
  return `${kind}/${meta.namespace ?? ''}/${meta.name ?? ''}`;
}
