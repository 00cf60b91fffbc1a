import type { NftSet } from '../ruleset.js';

/**
 * The sets of one table that rules share: the first rule needing a name creates the set, later
 * ones only reference it. Content is a function of the name, so whichever rule comes first
 * builds the same set.
 */
export class SharedSets {
  private readonly byName = new Map<string, NftSet>();

  use(name: string, build: () => Omit<NftSet, 'name'>): string {
    if (!this.byName.has(name)) this.byName.set(name, { name, ...build() });
    return name;
  }

  /** In order of first use. */
  list(): NftSet[] {
    return [...this.byName.values()];
  }
}
