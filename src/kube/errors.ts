/** Input that cannot be read at all (missing file, unreadable stdin): the CLI exits 2. */
export class UnreadableInputError extends Error {
  constructor(readonly path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'UnreadableInputError';
  }
}
