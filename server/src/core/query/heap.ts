// Top-N by a bounded heap: keeps the `capacity` best items seen, in O(n log capacity) and O(capacity) memory.

export class BoundedHeap<T> {
  private readonly items: T[] = [];

  /** `better(a, b) < 0` when a ranks before b. The heap's root is the worst item kept. */
  constructor(private readonly capacity: number, private readonly better: (a: T, b: T) => number) {}

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    if (this.capacity <= 0) return;
    const h = this.items;
    if (h.length < this.capacity) {
      h.push(item);
      this.up(h.length - 1);
    } else if (this.better(item, h[0]) < 0) {
      h[0] = item;
      this.down(0);
    }
  }

  /** The worst item kept once the heap is full (an item that does not rank before it is not kept), else undefined. */
  worstIfFull(): T | undefined {
    return this.capacity > 0 && this.items.length >= this.capacity ? this.items[0] : undefined;
  }

  /** The kept items, best first. */
  sorted(): T[] {
    return [...this.items].sort(this.better);
  }

  private worse(i: number, j: number): boolean {
    return this.better(this.items[i], this.items[j]) > 0;
  }

  private up(i: number): void {
    const h = this.items;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.worse(i, parent)) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  private down(i: number): void {
    const h = this.items;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let w = i;
      if (l < h.length && this.worse(l, w)) w = l;
      if (r < h.length && this.worse(r, w)) w = r;
      if (w === i) return;
      [h[i], h[w]] = [h[w], h[i]];
      i = w;
    }
  }
}
