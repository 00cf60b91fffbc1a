import { z } from 'zod';
import type { Check } from './checks.js';

/** A string field whose value a Check validates; the Check's text becomes the field's error. */
export function checked(check: Check) {
  return z.string().superRefine((v, ctx) => {
    const problem = check(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
}

const NOUNS: Readonly<Record<string, string>> = { array: 'a list', object: 'a mapping', string: 'a string', boolean: 'true or false', number: 'a number' };

/** Messages in the operator's terms ("expected a list; got "x"") for every schema parsed here. */
export const errorMap: z.core.$ZodErrorMap = (iss) => {
  if (iss.code === 'invalid_type') return `expected ${NOUNS[iss.expected] ?? iss.expected}; got ${JSON.stringify(iss.input) ?? 'nothing'}`;
  if (iss.code === 'invalid_value') return `expected ${iss.values.map((v) => JSON.stringify(v)).join(' or ')}; got ${JSON.stringify(iss.input)}`;
  return undefined;
};

/** Only the fields that were set, so `{...defaults, ...file}` never overwrites a default with undefined. */
export function dropUndefined<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}
