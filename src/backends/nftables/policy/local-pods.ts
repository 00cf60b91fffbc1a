import { buildInventory, type PodInfo } from '../../../policy/inventory.js';
import { isOnNode } from '../../../policy/isolation.js';
import { readPolicyObjects } from '../../../policy/objects.js';
import { sortAddresses } from '../../../policy/cidr.js';
import type { AddressSet, PolicySource } from '../../../policy/types.js';

/**
 * The addresses of the pods on `nodeName` that take part in policy (Running, pod network), read
 * the same way compilePolicyPlan reads them: the `localPods` option for `unknownPods: 'deny'`.
 * Diagnostics are not returned: compilePolicyPlan reports the same ones for the same input.
 */
export function localPodAddresses(sources: readonly PolicySource[], nodeName: string | null): AddressSet {
  const objects = readPolicyObjects(sources, []);
  const inventory = buildInventory(objects.pods, objects.namespaces, []);
  const local = inventory.pods.filter((p: PodInfo) => isOnNode(p, nodeName));
  return {
    ipv4: sortAddresses(local.flatMap((p) => p.addresses.ipv4)),
    ipv6: sortAddresses(local.flatMap((p) => p.addresses.ipv6)),
  };
}
