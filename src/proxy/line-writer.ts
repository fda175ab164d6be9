// Writes lines to a pipe, one write() per batch: while corked, lines are held and then written as one
// buffer (a single system call), the chunk's own bytes when the lines were contiguous in it.
export class LineWriter {
  private held: (Buffer | string)[] = [];
  private depth = 0;

  constructor(private readonly write: (data: Buffer | string) => void) {}

  send(line: Buffer | string): void {
    if (this.depth > 0) this.held.push(line);
    else this.write(line);
  }

  cork(): void {
    this.depth++;
  }

  uncork(): void {
    if (this.depth === 0 || --this.depth > 0) return;
    const held = this.held;
    if (held.length === 0) return;
    this.held = [];
    this.write(held.length === 1 ? held[0] : joined(held));
  }
}

/** The lines as one buffer: a slice of their chunk when they follow each other in it, else a copy. */
function joined(lines: (Buffer | string)[]): Buffer {
  const first = lines[0];
  if (typeof first !== 'string') {
    let next = first.byteOffset + first.length;
    let contiguous = true;
    for (let i = 1; i < lines.length && contiguous; i++) {
      const line = lines[i];
      contiguous = typeof line !== 'string' && line.buffer === first.buffer && line.byteOffset === next;
      if (contiguous) next += (line as Buffer).length;
    }
    if (contiguous) return Buffer.from(first.buffer, first.byteOffset, next - first.byteOffset);
  }
  return Buffer.concat(lines.map((line) => (typeof line === 'string' ? Buffer.from(line) : line)));
}
