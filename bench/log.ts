const start = Date.now();

/** Progress goes to stderr so stdout stays the table (or JSON). */
export function log(message: string): void {
  process.stderr.write(`[${((Date.now() - start) / 1000).toFixed(0).padStart(4)} s] ${message}\n`);
}
