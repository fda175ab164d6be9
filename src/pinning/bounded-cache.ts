// A cache bounded by its number of entries and by the bytes they hold, oldest out first. The pin caches
// keep what servers list; a hostile server can list few but huge definitions, so a count alone bounds nothing.
// Pure.

export class BoundedCache<K, V> {
  private readonly entries = new Map<K, { value: V; bytes: number }>();
  private held = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes: number,
  ) {}

  get(key: K): V | undefined {
    return this.entries.get(key)?.value;
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  /** Keeps `value`, `bytes` its cost, evicting the oldest entries to make room; one larger than the whole budget is not kept. */
  set(key: K, value: V, bytes: number): void {
    this.delete(key);
    if (bytes > this.maxBytes) return;
    while (this.entries.size > 0 && (this.entries.size >= this.maxEntries || this.held + bytes > this.maxBytes)) {
      this.delete(this.entries.keys().next().value as K);
    }
    this.entries.set(key, { value, bytes });
    this.held += bytes;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The bytes the entries are counted as holding. */
  get bytes(): number {
    return this.held;
  }

  private delete(key: K): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.held -= entry.bytes;
  }
}

/** What a string costs held in memory, at most (two bytes a UTF-16 unit). */
export function stringBytes(text: string): number {
  return text.length * 2;
}
