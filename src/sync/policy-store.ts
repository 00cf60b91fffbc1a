import type { PolicySource } from '../policy/types.js';

const KINDS = new Set(['Pod', 'Namespace', 'NetworkPolicy']);

/** Raw Pods, Namespaces and NetworkPolicies from the watches; the policy compiler reads them whole. */
export class PolicyStore {
  private readonly objects = new Map<string, PolicySource>();
  private dirty = false;

  upsert(object: Record<string, unknown>): void {
    const key = keyOf(object);
    if (!key) return;
    this.objects.set(key, { object, file: 'api' });
    this.dirty = true;
  }

  remove(object: Record<string, unknown>): void {
    const key = keyOf(object);
    if (key && this.objects.delete(key)) this.dirty = true;
  }

  sources(): PolicySource[] {
    return [...this.objects.values()];
  }

  /** True when something changed since the last call. */
  takeDirty(): boolean {
    const d = this.dirty;
    this.dirty = false;
    return d;
  }

  hasDirty(): boolean {
    return this.dirty;
  }
}

function keyOf(object: Record<string, unknown>): string | undefined {
  const kind = String(object.kind ?? '');
  if (!KINDS.has(kind)) return undefined;
  const meta = (object.metadata ?? {}) as { namespace?: string; name?: string };
  return `${kind}/${meta.namespace ?? ''}/${meta.name ?? ''}`;
}
