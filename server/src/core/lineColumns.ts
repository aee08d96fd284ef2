// Per-line state of a document as typed-array columns with spare capacity, spliced in place when lines are
// inserted or removed: an edit moves each column once (memmove), never allocates a column per keystroke, and
// costs what the document is, not what its problems are.

export class LineColumns {
  /** LineKind of each line. */
  kinds: Uint8Array;
  /** Bit flags of each line (the document's FLAG_* constants). */
  flags: Uint8Array;
  /** Problems, and errors among them, found on each line when it was last validated. */
  problems: Uint32Array;
  errors: Uint32Array;
  private size: number;

  constructor(length: number) {
    const capacity = Math.max(16, length);
    this.kinds = new Uint8Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.problems = new Uint32Array(capacity);
    this.errors = new Uint32Array(capacity);
    this.size = length;
  }

  get length(): number {
    return this.size;
  }

  get capacity(): number {
    return this.kinds.length;
  }

  /** Replaces `removed` lines at `at` by `added` zeroed lines. */
  splice(at: number, removed: number, added: number): void {
    const oldSize = this.size;
    const newSize = oldSize - removed + added;
    const tail = at + removed;
    // Reallocate when full, or when three quarters would stay empty (a big paste deleted again).
    if (newSize > this.capacity || (newSize < this.capacity >> 2 && this.capacity > 1024)) {
      const capacity = Math.max(16, newSize + (newSize >> 1));
      this.kinds = moved(this.kinds, new Uint8Array(capacity), at, tail, oldSize, added);
      this.flags = moved(this.flags, new Uint8Array(capacity), at, tail, oldSize, added);
      this.problems = moved(this.problems, new Uint32Array(capacity), at, tail, oldSize, added);
      this.errors = moved(this.errors, new Uint32Array(capacity), at, tail, oldSize, added);
    } else if (removed !== added) {
      for (const column of [this.kinds, this.flags, this.problems, this.errors]) {
        column.copyWithin(at + added, tail, oldSize);
        column.fill(0, at, at + added);
      }
    } else {
      for (const column of [this.kinds, this.flags, this.problems, this.errors]) column.fill(0, at, at + added);
    }
    if (newSize < oldSize) for (const column of [this.kinds, this.flags, this.problems, this.errors]) column.fill(0, newSize, oldSize);
    this.size = newSize;
  }
}

function moved<T extends Uint8Array | Uint32Array>(from: T, to: T, at: number, tail: number, oldSize: number, added: number): T {
  to.set(from.subarray(0, at), 0);
  to.set(from.subarray(tail, oldSize), at + added);
  return to;
}

/** Replaces `removed` items of `a` at `at` by `added`, in place (native splice; a loop for many lines). */
export function spliceArray<T>(a: T[], at: number, removed: number, added: readonly T[]): void {
  if (added.length < 10_000) {
    a.splice(at, removed, ...added);
    return;
  }
  // Spreading that many arguments would exceed the call's limit: move the tail by hand.
  const oldLength = a.length;
  const delta = added.length - removed;
  if (delta > 0) {
    a.length = oldLength + delta;
    for (let i = oldLength - 1; i >= at + removed; i--) a[i + delta] = a[i];
  } else if (delta < 0) {
    for (let i = at + removed; i < oldLength; i++) a[i + delta] = a[i];
    a.length = oldLength + delta;
  }
  for (let k = 0; k < added.length; k++) a[at + k] = added[k];
}
