/** A problem found in the input: it names the file, the object and the field so an operator can fix it. */
export interface Diagnostic {
  severity: 'warning' | 'error';
  message: string;
  file?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  field?: string;
}

export interface ObjectRef {
  file?: string;
  kind: string;
  namespace?: string;
  name?: string;
}

export function objectLabel(ref: ObjectRef): string {
  const id = ref.namespace ? `${ref.namespace}/${ref.name ?? '<unnamed>'}` : (ref.name ?? '<unnamed>');
  return `${ref.kind} ${id}`;
}

export function formatDiagnostic(d: Diagnostic): string {
  const where: string[] = [];
  if (d.file) where.push(d.file);
  if (d.kind) where.push(objectLabel({ kind: d.kind, namespace: d.namespace, name: d.name }));
  if (d.field) where.push(`field ${d.field}`);
  return `${d.severity}: ${where.length ? where.join(': ') + ': ' : ''}${d.message}`;
}

/** Thrown for input that names a bad field; caught per object so one object never stops the others. */
export class FieldError extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
    this.name = 'FieldError';
  }
}

export function warningFor(ref: ObjectRef, field: string | undefined, message: string): Diagnostic {
  return { severity: 'warning', message, file: ref.file, kind: ref.kind, namespace: ref.namespace, name: ref.name, field };
}
