/**
 * client-node's typed models rename some wire fields (NetworkPolicy's `from` is `_from` in TypeScript):
 * a JSON round trip of a listed object would silently drop them — and a policy without its `from` peers
 * allows every source. Converts a model (or plain watch JSON) back to the API's wire form.
 */
export function toWire(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toWire);
  if (value instanceof Date) return value.toISOString();
  if (value === null || typeof value !== 'object') return value;
  const attributes = (value.constructor as { getAttributeTypeMap?: () => { name: string; baseName: string }[] }).getAttributeTypeMap?.();
  const rename = new Map((attributes ?? []).map((a) => [a.name, a.baseName]));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue;
    out[rename.get(key) ?? key] = toWire(v);
  }
  return out;
}
