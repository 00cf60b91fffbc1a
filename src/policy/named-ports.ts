import type { Protocol } from '../model/types.js';
import { hash16 } from './hash.js';
import type { PodInfo } from './inventory.js';
import { compareStrings } from './objects.js';
import { resolveNamedPorts } from './ports.js';
import type { NamedPortEntry, NamedPortGroup } from './types.js';

type NamedSpec = { name: string; protocol: Protocol };

/**
 * Named ports for one compile: each rule's exact list (for the evaluator), memoised by the
 * destination selection it resolves on, and the shared groups renderers turn into one set each.
 * Group entries are filled by `finish`, once the enforcement targets are known.
 */
export class NamedPorts {
  private readonly groups = new Map<string, NamedPortGroup>();
  private readonly exact = new Map<string, NamedPortEntry[]>();

  /** A rule's entries on its destinations; `selectionKey` identifies those destinations. */
  resolve(selectionKey: string, specs: readonly NamedSpec[], destinations: () => Iterable<PodInfo>): NamedPortEntry[] {
    if (specs.length === 0) return [];
    const key = `${selectionKey} | ${specs.map((s) => `${s.name}/${s.protocol}`).join(',')}`;
    let hit = this.exact.get(key);
    if (!hit) {
      hit = resolveNamedPorts(specs, destinations());
      this.exact.set(key, hit);
    }
    return hit;
  }

  /** The shared groups of a rule's named ports, sorted by id. */
  groupsFor(scope: NamedPortGroup['scope'], specs: readonly NamedSpec[]): NamedPortGroup[] {
    return specs.map((s) => this.group(scope, s)).sort((a, b) => compareStrings(a.id, b.id));
  }

  /** Resolves every group on its scope: `targets` on the enforcement targets, `pods` on every pod. */
  finish(targets: readonly PodInfo[], pods: readonly PodInfo[]): void {
    for (const g of this.groups.values()) g.entries = resolveNamedPorts([g], g.scope === 'targets' ? targets : pods);
  }

  private group(scope: NamedPortGroup['scope'], spec: NamedSpec): NamedPortGroup {
    const identity = `${scope} ${spec.name}/${spec.protocol}`;
    let g = this.groups.get(identity);
    if (!g) {
      g = { id: hash16(identity), scope, name: spec.name, protocol: spec.protocol, entries: [] };
      this.groups.set(identity, g);
    }
    return g;
  }
}
