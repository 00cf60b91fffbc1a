import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Diagnostic } from '../model/diagnostics.js';
import { isObject, type Json } from '../model/fields.js';
import type { SourcedObject } from '../model/convert.js';
import { UnreadableInputError } from './errors.js';

export { UnreadableInputError };


export interface LoadedManifests {
  objects: SourcedObject[];
  diagnostics: Diagnostic[];
}

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

/** Reads every -f argument: files, directories (their manifest files, sorted) and '-' for stdin. */
export function loadManifests(paths: string[], readStdin: () => string = () => readFileSync(0, 'utf8')): LoadedManifests {
  const out: LoadedManifests = { objects: [], diagnostics: [] };
  for (const path of paths) {
    if (path === '-') {
      parseManifestText(readOrThrow('<stdin>', readStdin), '<stdin>', out);
      continue;
    }
    for (const file of expandPath(path)) parseManifestText(readOrThrow(file, () => readFileSync(file, 'utf8')), file, out);
  }
  return out;
}

function expandPath(path: string): string[] {
  let stat;
  try {
    stat = statSync(path);
  } catch (err) {
    throw new UnreadableInputError(path, (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : String(err));
  }
  if (!stat.isDirectory()) return [path];
  return readdirSync(path).filter((n) => MANIFEST_FILE.test(n)).sort().map((n) => join(path, n));
}

function readOrThrow(path: string, read: () => string): string {
  try {
    return read();
  } catch (err) {
    throw new UnreadableInputError(path, `cannot read: ${(err as Error).message}`);
  }
}

/** Parses JSON or (multi-document) YAML; a malformed document is reported and skipped. */
export function parseManifestText(text: string, file: string, out: LoadedManifests): void {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      addDocument(JSON.parse(text), file, out);
      return;
    } catch (err) {
      // JSON that does not parse may still be YAML (flow style); fall through and let YAML report it.
      if (!(err instanceof SyntaxError)) throw err;
    }
  }
  const docs = parseAllDocuments(text, { prettyErrors: true });
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    if (doc.errors.length > 0) {
      const e = doc.errors[0];
      const line = e.linePos?.[0] ? ` (line ${e.linePos[0].line}, column ${e.linePos[0].col})` : '';
      out.diagnostics.push({ severity: 'warning', file, message: `malformed YAML/JSON${line}: ${e.message.split('\n')[0]}; document skipped` });
      continue;
    }
    addDocument(doc.toJS({ maxAliasCount: 100 }), file, out);
  }
}

function addDocument(value: unknown, file: string, out: LoadedManifests): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    value.forEach((v) => addDocument(v, file, out));
    return;
  }
  if (!isObject(value)) {
    out.diagnostics.push({ severity: 'warning', file, message: `expected a Kubernetes object, got ${typeof value}; document skipped` });
    return;
  }
  const kind = value.kind;
  if (typeof kind === 'string' && (kind === 'List' || kind.endsWith('List')) && Array.isArray(value.items)) {
    // kubectl's List items carry no kind when the list is typed (ServiceList): restore it.
    const itemKind = kind === 'List' ? undefined : kind.slice(0, -'List'.length);
    for (const item of value.items) {
      if (isObject(item) && itemKind && item.kind === undefined) addObject({ ...item, kind: itemKind }, file, out);
      else addDocument(item, file, out);
    }
    return;
  }
  addObject(value, file, out);
}

function addObject(object: Json, file: string, out: LoadedManifests): void {
  if (typeof object.kind !== 'string') {
    const meta = isObject(object.metadata) ? object.metadata : {};
    out.diagnostics.push({
      severity: 'warning', file, name: typeof meta.name === 'string' ? meta.name : undefined,
      field: 'kind', message: 'object has no kind; skipped',
    });
    return;
  }
  out.objects.push({ object, file });
}
