import type { Protocol } from '../model/types.js';
import { isAllowed } from './evaluate.js';
import type { PolicyPlan } from './types.js';

/** Expected reachability between named endpoints, in the layout of the upstream netpol e2e tests. */

export interface NamedAddress {
  /** Row/column label, e.g. `x/a`. */
  name: string;
  address: string;
}

/** rows[i][j]: may endpoints[i] open a connection to endpoints[j] on port/protocol? */
export function truthTable(plan: PolicyPlan, endpoints: readonly NamedAddress[], port: number, protocol: Protocol): boolean[][] {
  return endpoints.map((from) => endpoints.map((to) => isAllowed(plan, from.address, to.address, port, protocol)));
}

/** A grid with sources as rows and destinations as columns: '.' allowed, 'X' denied. */
export function formatTruthTable(endpoints: readonly NamedAddress[], rows: readonly boolean[][]): string {
  const width = Math.max(...endpoints.map((e) => e.name.length));
  const cell = (s: string) => s.padEnd(width);
  const header = [cell(''), ...endpoints.map((e) => cell(e.name))].join(' ').trimEnd();
  const lines = endpoints.map((from, i) => [cell(from.name), ...rows[i].map((ok) => cell(ok ? '.' : 'X'))].join(' ').trimEnd());
  return [header, ...lines].join('\n');
}
