/** Annotations we read; every other annotation (last-applied-configuration can be kilobytes) is dropped. */
const KEPT_ANNOTATIONS = new Set(['endpoints.kubernetes.io/last-change-trigger-time']);

/**
 * Drops, in place, the parts of a watched object no rule depends on, so the informer cache and the
 * store do not carry them for the daemon's lifetime: managedFields, unread annotations, and a Pod's
 * volumes and container statuses.
 */
export function trimObject(object: Record<string, unknown>): Record<string, unknown> {
  const metadata = object.metadata as Record<string, unknown> | undefined;
  if (metadata) {
    delete metadata.managedFields;
    const annotations = metadata.annotations as Record<string, string> | undefined;
    if (annotations) {
      for (const key of Object.keys(annotations)) if (!KEPT_ANNOTATIONS.has(key)) delete annotations[key];
    }
  }
  const spec = object.spec as Record<string, unknown> | undefined;
  const status = object.status as Record<string, unknown> | undefined;
  if (spec && 'volumes' in spec) delete spec.volumes;
  if (status) {
    delete status.containerStatuses;
    delete status.initContainerStatuses;
    delete status.ephemeralContainerStatuses;
  }
  return object;
}
