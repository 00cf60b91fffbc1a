import type { Diagnostic } from '../model/diagnostics.js';
import { readPodInfo } from '../policy/inventory.js';
import type { MembershipChanges, NamespaceChange, PodChange } from '../policy/membership.js';
import { readPolicyObjects } from '../policy/objects.js';
import type { PolicyStore } from './policy-store.js';

/**
 * The dirty keys of a policy sync as Pod and Namespace changes, read the way the compiler reads
 * them; undefined when the batch holds anything else (a NetworkPolicy, our Node), which needs a full compile.
 */
export function membershipChangesOf(store: PolicyStore, dirty: ReadonlySet<string>, diagnostics: Diagnostic[]): MembershipChanges | undefined {
  const pods: PodChange[] = [];
  const namespaces: NamespaceChange[] = [];
  for (const key of dirty) {
    const [kind, namespace, ...rest] = key.split('/');
    if (rest.length !== 1) return undefined;
    const source = store.source(key);
    const objects = source ? readPolicyObjects([source], diagnostics) : undefined;
    if (kind === 'Namespace') {
      const object = objects?.namespaces[0];
      if (object && object.name !== rest[0]) return undefined;
      namespaces.push({ name: rest[0], labels: object?.labels });
      continue;
    }
    // A pod stored without a namespace is read as "default": let the full compile sort that out.
    if (kind !== 'Pod' || !namespace) return undefined;
    const id = `${namespace}/${rest[0]}`;
    const object = objects?.pods[0];
    if (object && object.id !== id) return undefined;
    pods.push({ id, after: object ? readPodInfo(object, diagnostics) : undefined });
  }
  return { pods, namespaces };
}
