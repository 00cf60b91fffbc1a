/** Characters per piece: lines are joined this often, so they die young. */
const PIECE = 16 * 1024;
/** Characters per chunk: above V8's largest regular object (128 KB), so every chunk is a large object. */
const CHUNK = 256 * 1024;

/**
 * Lines collected as a few large strings. Rendering 10k services makes ~160k lines (18 MB). Kept as
 * line strings until a final join they were most of the render's garbage-collection time; written as
 * UTF-8 bytes and decoded again, encoding cost more than the rest of the printing. Joined into chunks of
 * 256K characters instead: each line dies young (before a scavenge would copy it), and a chunk is a
 * large object, which the garbage collector promotes in place rather than copying.
 */
export class TextSink {
  private readonly chunks: string[] = [];
  private readonly pieces: string[] = [];
  private piecesSize = 0;
  private readonly lines: string[] = [];
  private linesSize = 0;

  line(s: string): void {
    this.lines.push(s);
    this.linesSize += s.length + 1;
    if (this.linesSize > PIECE) this.flushPiece();
  }

  /** The text written, in order, as strings. */
  texts(): string[] {
    this.flushPiece();
    this.flushChunk();
    return this.chunks;
  }

  private flushPiece(): void {
    if (this.lines.length === 0) return;
    this.lines.push(''); // the last line's newline
    this.pieces.push(this.lines.join('\n'));
    this.piecesSize += this.linesSize;
    this.lines.length = 0;
    this.linesSize = 0;
    if (this.piecesSize > CHUNK) this.flushChunk();
  }

  private flushChunk(): void {
    if (this.pieces.length === 0) return;
    this.chunks.push(this.pieces.join(''));
    this.pieces.length = 0;
    this.piecesSize = 0;
  }
}

/** The sinks' lines, in order, as one string. */
export function joinSinks(sinks: TextSink[]): string {
  const parts: string[] = [];
  for (const s of sinks) for (const text of s.texts()) parts.push(text);
  return parts.join('');
}
