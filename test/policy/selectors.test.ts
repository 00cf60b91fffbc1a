import { expect } from 'chai';
import { FieldError } from '../../src/model/diagnostics.js';
import { matchesSelector, parseSelector } from '../../src/policy/selectors.js';

describe('policy/selectors', () => {
  const web = { app: 'web', tier: 'front' };
  const db = { app: 'db' };
  const none = {};

  const matching: { name: string; selector: unknown; want: [Record<string, string>, boolean][] }[] = [
    { name: 'empty selector matches everything', selector: {}, want: [[web, true], [db, true], [none, true]] },
    { name: 'matchLabels requires every pair', selector: { matchLabels: { app: 'web', tier: 'front' } }, want: [[web, true], [db, false], [{ app: 'web' }, false]] },
    { name: 'In matches a listed value', selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'api'] }] }, want: [[web, true], [db, false], [none, false]] },
    { name: 'NotIn matches other values and an absent key', selector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] }, want: [[web, false], [db, true], [none, true]] },
    { name: 'Exists matches any value of the key', selector: { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, want: [[web, true], [db, false], [{ tier: '' }, true]] },
    { name: 'DoesNotExist matches an absent key only', selector: { matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, want: [[web, false], [db, true], [none, true]] },
    {
      name: 'matchLabels and matchExpressions are ANDed',
      selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['back'] }, { key: 'tier', operator: 'Exists' }] },
      want: [[web, true], [{ app: 'web' }, false], [{ app: 'web', tier: 'back' }, false]],
    },
    { name: 'label keys with a prefix', selector: { matchLabels: { 'kubernetes.io/metadata.name': 'x' } }, want: [[{ 'kubernetes.io/metadata.name': 'x' }, true], [{ name: 'x' }, false]] },
  ];
  for (const c of matching) {
    it(c.name, () => {
      const selector = parseSelector(c.selector, 'sel');
      for (const [labels, want] of c.want) expect(matchesSelector(selector, labels), JSON.stringify(labels)).to.equal(want);
    });
  }

  const invalid: { name: string; selector: unknown; field: string }[] = [
    { name: 'unknown operator', selector: { matchExpressions: [{ key: 'a', operator: 'Equals', values: ['x'] }] }, field: 'sel.matchExpressions[0].operator' },
    { name: 'In with empty values', selector: { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }, field: 'sel.matchExpressions[0].values' },
    { name: 'NotIn without values', selector: { matchExpressions: [{ key: 'a', operator: 'NotIn' }] }, field: 'sel.matchExpressions[0].values' },
    { name: 'Exists with values', selector: { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }, field: 'sel.matchExpressions[0].values' },
    { name: 'missing key', selector: { matchExpressions: [{ operator: 'Exists' }] }, field: 'sel.matchExpressions[0].key' },
    { name: 'invalid label key', selector: { matchLabels: { 'bad key': 'x' } }, field: 'sel.matchLabels["bad key"]' },
    { name: 'non-string label value', selector: { matchLabels: { version: 1 } }, field: 'sel.matchLabels["version"]' },
    { name: 'matchExpressions not a list', selector: { matchExpressions: { key: 'a' } }, field: 'sel.matchExpressions' },
    { name: 'selector not an object', selector: 'app=web', field: 'sel' },
  ];
  for (const c of invalid) {
    it(`rejects ${c.name}`, () => {
      expect(() => parseSelector(c.selector, 'sel')).to.throw(FieldError).with.property('field', c.field);
    });
  }
});
