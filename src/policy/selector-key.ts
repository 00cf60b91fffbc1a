import type { Requirement, Selector } from './selectors.js';

/**
 * Canonical text of a parsed selector: requirements sorted and deduplicated, so selectors that
 * mean the same thing written differently (matchLabels vs an In expression, another key order)
 * share memoised selections and kernel sets. `*` selects everything.
 */
const keys = new WeakMap<Selector, string>();

export function selectorKey(selector: Selector): string {
  let key = keys.get(selector);
  if (key === undefined) {
    const parts = [...new Set(selector.requirements.map(requirementText))].sort();
    key = parts.length ? parts.join(', ') : '*';
    keys.set(selector, key);
  }
  return key;
}

function requirementText(r: Requirement): string {
  switch (r.operator) {
    case 'In':
    case 'NotIn':
      // parseSelector sorts values; duplicates are harmless but not canonical.
      return `${r.key} ${r.operator} (${[...new Set(r.values)].join(',')})`;
    case 'Exists':
      return r.key;
    case 'DoesNotExist':
      return `!${r.key}`;
  }
}
