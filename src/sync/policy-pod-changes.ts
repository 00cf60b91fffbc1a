import type { Diagnostic } from '../model/diagnostics.js';
import { readPodInfo } from '../policy/inventory.js';
import type { PodChange } from '../policy/membership.js';
import { readPolicyObjects } from '../policy/objects.js';
import type { PolicyStore } from './policy-store.js';

/**
 * The dirty keys of a policy sync as pod changes, read the way the compiler reads pods; undefined
 * when the batch holds anything else (a Namespace, a NetworkPolicy, our Node), which needs a full compile.
 */
export function podChangesOf(store: PolicyStore, dirty: ReadonlySet<string>, diagnostics: Diagnostic[]): PodChange[] | undefined {
  const changes: PodChange[] = [];
  for (const key of dirty) {
    const [kind, namespace, ...rest] = key.split('/');
    // A pod stored without a namespace is read as "default": let the full compile sort that out.
    if (kind !== 'Pod' || !namespace || rest.length !== 1) return undefined;
    const id = `${namespace}/${rest[0]}`;
    const source = store.source(key);
    const object = source ? readPolicyObjects([source], diagnostics).pods[0] : undefined;
    if (object && object.id !== id) return undefined;
    changes.push({ id, after: object ? readPodInfo(object, diagnostics) : undefined });
  }
  return changes;
}
