import { ENDPOINT_MAPS, EndpointElement, HairpinElement, serviceElements, type Contribution } from '../backends/nftables/elements.js';
import { SET } from '../backends/nftables/names.js';
import type { FamilyPlan, ServicePortPlan } from '../proxy/plan-types.js';
import { joinEndpointData, type EndpointClaim } from './nft-endpoint-claims.js';

/** What one service port puts into the kernel, split by how the daemon holds it. */
export interface PortState {
  /** Elements of the sets kept in the element index (everything but endpoint maps and hairpin). */
  indexed: Contribution;
  /** Endpoint-map lists, per map and service key. */
  endpoints: EndpointClaim[];
  /** Distinct local endpoint addresses (hairpin masquerade). */
  hairpin: string[];
}

/** Port id → its state; the plan's element objects are dropped once split. */
export function portStates(ports: ServicePortPlan[], shell: FamilyPlan): Map<string, PortState> {
  return new Map(ports.map((p) => [p.id, splitContribution(serviceElements(p, shell))]));
}

export function splitContribution(contribution: Contribution): PortState {
  const state: PortState = { indexed: {}, endpoints: [], hairpin: [] };
  for (const [set, elements] of Object.entries(contribution) as [keyof Contribution, Contribution[keyof Contribution]][]) {
    if (!elements) continue;
    if (set === SET.hairpin) state.hairpin = [...new Set(elements.map((e) => (e as HairpinElement).address))];
    else if (ENDPOINT_MAPS.has(set)) state.endpoints.push(...claimsOf(set, elements as EndpointElement[]));
    else state.indexed[set] = elements;
  }
  return state;
}

/**
 * Groups a map's endpoint elements by service key. A key listed twice by one port (an external IP equal to
 * its ClusterIP) ends as the index would leave it: later elements replace earlier ones position by position.
 */
function claimsOf(set: string, elements: EndpointElement[]): EndpointClaim[] {
  const byKey = new Map<string, string[]>();
  for (const e of elements) {
    let data = byKey.get(e.serviceKeyText);
    if (!data) byKey.set(e.serviceKeyText, (data = []));
    data[e.position] = e.dataText;
  }
  return [...byKey].map(([serviceKey, data]) => ({ set, serviceKey, data: joinEndpointData(data) }));
}
