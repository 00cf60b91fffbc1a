const BLOCK = 256 * 1024;
const CHUNK = 16 * 1024;

/**
 * Lines collected as bytes. Rendering 10k services makes ~160k lines (18 MB); kept as strings until a
 * final join they were most of the render's garbage-collection time, while bytes live outside the JS
 * heap. Lines are gathered into a short string first (one native write per ~16 KB), into fixed blocks
 * (no copying as the text grows).
 */
export class TextSink {
  private readonly blocks: Buffer[] = [];
  private block = Buffer.allocUnsafe(0);
  private used = 0;
  private pending = '';
  /** Every byte is ASCII: the text can be decoded as latin1, a plain copy. */
  ascii = true;

  line(s: string): void {
    this.pending += s;
    this.pending += '\n';
    if (this.pending.length > CHUNK) this.flush();
  }

  /** The bytes written, in order, as buffers. */
  buffers(): Buffer[] {
    this.flush();
    return this.used ? [...this.blocks, this.block.subarray(0, this.used)] : this.blocks;
  }

  private flush(): void {
    if (!this.pending) return;
    const worst = this.pending.length * 3; // UTF-8 worst case
    if (this.used + worst > this.block.length) {
      if (this.used) this.blocks.push(this.block.subarray(0, this.used));
      this.block = Buffer.allocUnsafe(Math.max(BLOCK, worst));
      this.used = 0;
    }
    const written = this.block.write(this.pending, this.used, 'utf8');
    if (written !== this.pending.length) this.ascii = false; // a multi-byte character
    this.used += written;
    this.pending = '';
  }
}

/** The sinks' lines, in order, as one string. */
export function joinSinks(sinks: TextSink[]): string {
  const parts = sinks.flatMap((s) => s.buffers());
  return Buffer.concat(parts).toString(sinks.every((s) => s.ascii) ? 'latin1' : 'utf8');
}
