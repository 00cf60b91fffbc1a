/**
 * Lines collected as bytes in a growing Buffer. Rendering 10k services makes ~160k lines (18 MB); kept
 * as strings until a final join they were most of the render's garbage-collection time, while bytes
 * live outside the JS heap. Lines are gathered into a short string first: one native write per ~16 KB.
 */
export class TextSink {
  private buf = Buffer.allocUnsafe(16 * 1024);
  private used = 0;
  private pending = '';

  line(s: string): void {
    this.pending += s;
    this.pending += '\n';
    if (this.pending.length > 16 * 1024) this.flush();
  }

  bytes(): Buffer {
    this.flush();
    return this.buf.subarray(0, this.used);
  }

  private flush(): void {
    const need = this.used + this.pending.length * 3; // worst case of UTF-8; our text is ASCII
    if (need > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
      this.buf.copy(next, 0, 0, this.used);
      this.buf = next;
    }
    this.used += this.buf.write(this.pending, this.used, 'utf8');
    this.pending = '';
  }
}

/** The sinks' lines, in order, as one string. */
export function joinSinks(sinks: TextSink[]): string {
  return Buffer.concat(sinks.map((s) => s.bytes())).toString('utf8');
}
