// The columns of a result over records of several formats (files with different headers, a header mid-file):
// one column list, the union of the formats' fields in the order they first appear; a record's values are placed
// by field name, NULL where its format lacks a field.
import { lookupField } from '../schema';
import { RecordFormat } from '../scan';

export class ColumnUnion {
  /** Column names, as the first format that had the field wrote them. */
  readonly names: string[] = [];
  private readonly byField = new Map<string, number>();
  private readonly maps = new Map<RecordFormat, Int32Array>();

  constructor(formats: readonly RecordFormat[] = []) {
    for (const f of formats) this.positions(f);
  }

  private keyOf(name: string): string {
    return lookupField(name)?.name ?? `?${name}`;
  }

  /** For each position of `format`, its column in the union (the union grows with new fields). */
  positions(format: RecordFormat): Int32Array {
    let map = this.maps.get(format);
    if (!map) {
      map = new Int32Array(format.names.length);
      format.names.forEach((name, k) => {
        const key = this.keyOf(name);
        let col = this.byField.get(key);
        if (col === undefined) {
          col = this.names.length;
          this.names.push(name);
          this.byField.set(key, col);
        }
        map![k] = col;
      });
      this.maps.set(format, map);
    }
    return map;
  }

  /** Adds the columns of other, in order (merging the unions of several threads). */
  addNames(names: readonly string[]): void {
    for (const name of names) {
      const key = this.keyOf(name);
      if (!this.byField.has(key)) {
        this.byField.set(key, this.names.length);
        this.names.push(name);
      }
    }
  }

  /** The column of a name, or -1. */
  columnOf(name: string): number {
    return this.byField.get(this.keyOf(name)) ?? -1;
  }
}
