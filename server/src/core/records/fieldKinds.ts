// How the engine reads each field of a record format from bytes: as text, as a number with a range, or as an
// address. The same table defines what a malformed record is (see wellFormed in recordScanner.ts).
import { FieldDef } from '../schema';
import { RecordFormat } from '../scan';

export const enum FieldKind {
  /** Text as written (version, account-id, interface-id, enums, identifiers); an unknown header name too. */
  Text = 0,
  /** An unsigned integer with a range: ports 0–65535, protocol and tcp-flags 0–255, traffic-path 1–8. */
  Bounded = 1,
  /** A decimal integer, sign allowed (counts, timestamps, integer codes): Tencent writes -1 counts for NODATA. */
  Integer = 2,
  /** An IPv4 or IPv6 address. */
  Address = 3,
}

/** What the engine needs of a format: a kind per position, and the range of each Bounded position. */
export interface FieldLayout {
  readonly format: RecordFormat;
  readonly kinds: Uint8Array;
  readonly low: Float64Array;
  readonly high: Float64Array;
  /** Positions whose values are numbers in SQL (Bounded or Integer). */
  readonly numeric: readonly boolean[];
}

export function kindOf(f: FieldDef | undefined): FieldKind {
  switch (f?.type) {
    case 'port':
    case 'protocol':
    case 'tcpFlags':
    case 'trafficPath':
      return FieldKind.Bounded;
    case 'count':
    case 'timestamp':
    case 'integer':
      return FieldKind.Integer;
    case 'address':
      return FieldKind.Address;
    default:
      return FieldKind.Text;
  }
}

function rangeOf(f: FieldDef | undefined): [number, number] {
  switch (f?.type) {
    case 'port': return [0, 65535];
    case 'protocol':
    case 'tcpFlags': return [0, 255];
    case 'trafficPath': return [1, 8];
    default: return [-Infinity, Infinity];
  }
}

const layouts = new WeakMap<RecordFormat, FieldLayout>();

export function layoutOf(format: RecordFormat): FieldLayout {
  let layout = layouts.get(format);
  if (!layout) {
    const n = format.fields.length;
    const kinds = new Uint8Array(n);
    const low = new Float64Array(n);
    const high = new Float64Array(n);
    const numeric: boolean[] = [];
    format.fields.forEach((f, k) => {
      kinds[k] = kindOf(f);
      [low[k], high[k]] = rangeOf(f);
      numeric.push(kinds[k] === FieldKind.Bounded || kinds[k] === FieldKind.Integer);
    });
    layout = { format, kinds, low, high, numeric };
    layouts.set(format, layout);
  }
  return layout;
}
