import { convertObject, type SourcedObject } from '../model/convert.js';
import type { Diagnostic } from '../model/diagnostics.js';
import type { EndpointSliceInfo, NodeInfo, ServiceInfo } from '../model/types.js';

const TRIGGER_TIME_ANNOTATION = 'endpoints.kubernetes.io/last-change-trigger-time';

export interface DirtyBatch {
  /** Services (`namespace/name`) whose rules must be recomputed. */
  services: Set<string>;
  /** Our Node changed (addresses, pod CIDRs): the node context changes, so the next sync is full. */
  nodeChanged: boolean;
  /** Earliest EndpointSlice change-trigger time (ms) per service in this batch, for programming latency. */
  triggerTimes: Map<string, number>;
}

/**
 * The daemon's view of the cluster, updated one object at a time from watch events. It tracks which
 * services a change touches (a change tracker: a slice event dirties only its own service).
 */
export class ClusterStore {
  readonly services = new Map<string, ServiceInfo>();
  private readonly slicesByService = new Map<string, Map<string, EndpointSliceInfo>>();
  private readonly sliceOwner = new Map<string, string>();
  node: NodeInfo | undefined;
  private dirty: DirtyBatch = emptyBatch();

  constructor(readonly nodeName: string, private readonly onDiagnostic: (d: Diagnostic) => void = () => {}) {}

  upsert(object: Record<string, unknown>): void {
    this.apply(object, false);
  }

  remove(object: Record<string, unknown>): void {
    this.apply(object, true);
  }

  slicesOf(serviceKey: string): EndpointSliceInfo[] {
    return [...(this.slicesByService.get(serviceKey)?.values() ?? [])];
  }

  /** Hands over what changed since the last call. */
  takeDirty(): DirtyBatch {
    const batch = this.dirty;
    this.dirty = emptyBatch();
    return batch;
  }

  hasDirty(): boolean {
    return this.dirty.services.size > 0 || this.dirty.nodeChanged;
  }

  /** Every service key, e.g. for a full sync. */
  allServiceKeys(): string[] {
    return [...new Set([...this.services.keys(), ...this.slicesByService.keys()])].sort();
  }

  private apply(object: Record<string, unknown>, deleted: boolean): void {
    const meta = (object.metadata ?? {}) as { name?: string; namespace?: string; annotations?: Record<string, string> };
    const id = `${meta.namespace ?? ''}/${meta.name ?? ''}`;
    const diagnostics: Diagnostic[] = [];
    const src: SourcedObject = { object, file: 'api' };
    switch (object.kind) {
      case 'Service': {
        const c = deleted ? undefined : convertObject(src, diagnostics);
        const service = c?.kind === 'Service' ? c.service : undefined;
        if (service) this.services.set(id, service);
        else this.services.delete(id); // deleted, invalid, headless or not ours: no rules either way
        this.dirty.services.add(id);
        break;
      }
      case 'EndpointSlice': {
        const previousOwner = this.sliceOwner.get(id);
        if (previousOwner) {
          this.slicesByService.get(previousOwner)?.delete(id);
          if (this.slicesByService.get(previousOwner)?.size === 0) this.slicesByService.delete(previousOwner);
          this.sliceOwner.delete(id);
          this.dirty.services.add(previousOwner);
        }
        const c = deleted ? undefined : convertObject(src, diagnostics);
        if (c?.kind === 'EndpointSlice') {
          const owner = `${c.slice.namespace}/${c.slice.serviceName}`;
          let slices = this.slicesByService.get(owner);
          if (!slices) this.slicesByService.set(owner, (slices = new Map()));
          slices.set(id, c.slice);
          this.sliceOwner.set(id, owner);
          this.dirty.services.add(owner);
          const trigger = Date.parse(meta.annotations?.[TRIGGER_TIME_ANNOTATION] ?? '');
          if (!Number.isNaN(trigger)) {
            const seen = this.dirty.triggerTimes.get(owner);
            this.dirty.triggerTimes.set(owner, seen === undefined ? trigger : Math.min(seen, trigger));
          }
        }
        break;
      }
      case 'Node': {
        if (meta.name !== this.nodeName) return;
        const c = deleted ? undefined : convertObject(src, diagnostics);
        this.node = c?.kind === 'Node' ? c.node : undefined;
        this.dirty.nodeChanged = true;
        break;
      }
      default:
        return;
    }
    diagnostics.forEach(this.onDiagnostic);
  }
}

function emptyBatch(): DirtyBatch {
  return { services: new Set(), nodeChanged: false, triggerTimes: new Map() };
}
