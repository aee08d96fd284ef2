// The layout of a JSON line's object: which keys it has (CLS metadata left out), the order its values are written
// in (the last header's, when the key set is the same), and the header line a new key set needs.
import { lookupField } from '../schema';
import { FlatObjectScanner } from './jsonScan';
import { Projection, hasBlank } from './jsonProjection';

/** Whether a key is CLS metadata (`__TIMESTAMP__`…). */
export function isMetadataKey(key: string): boolean {
  return key.length > 4 && key.startsWith('__') && key.endsWith('__');
}

/** Keys whose value, when it is an object's only field, is a whole text record (CLS full text, CloudWatch/Firehose). */
export const RAW_TEXT_KEYS: ReadonlySet<string> = new Set(['__CONTENT__', 'message']);

/** How the keys of objects seen lately map to output columns. */
export interface Layout {
  /** Every key of the object in source order, as bytes (for the fast comparison), and as text. */
  keyBytes: Uint8Array[];
  keys: string[];
  /** Source position of each output column. */
  sourceOf: Int32Array;
  /** Source position of the raw text key when the object is a wrapper of a text record; else -1. */
  rawText: number;
  identity: boolean;
  /** Keys (as written) of the header this layout needs, when it differs from the last header written. */
  pendingHeader: string[] | undefined;
  /** The columns the consumer reads, when lines may keep only those (jsonProjection.ts). */
  projection: Projection | undefined;
}

/**
 * The layout of the object just scanned (`headerKeys`: those of the last header line written), or why the object
 * cannot be a record.
 */
export function keyLayout(scan: FlatObjectScanner, buf: Uint8Array, headerKeys: readonly string[] | undefined, decoder: { decode(bytes: Uint8Array): string }): Layout | string {
  const n = scan.count;
  const keys: string[] = [];
  const keyBytes: Uint8Array[] = [];
  for (let k = 0; k < n; k++) {
    const raw = buf.subarray(scan.keyStart[k], scan.keyEnd[k]);
    let key = decoder.decode(raw);
    // Escaped keys are told by their bytes (a key matched against the last object's is not scanned for escapes).
    if (raw.includes(92 /* \\ */)) {
      try {
        key = JSON.parse(`"${key}"`) as string;
      } catch {
        return 'a key is not a valid JSON string';
      }
    }
    keys.push(key);
    keyBytes.push(new Uint8Array(raw)); // a plain Uint8Array: the scanner reads every key through one kind of array
  }
  if (new Set(keys).size !== n) return 'a key appears twice in the object';
  const fields: number[] = [];
  let rawText = -1;
  for (let k = 0; k < n; k++) {
    if (!isMetadataKey(keys[k]) || keys[k] === '__CONTENT__') fields.push(k);
  }
  if (fields.length === 1 && RAW_TEXT_KEYS.has(keys[fields[0]])) rawText = fields[0];
  if (fields.length === 0) return 'the object has no field, only CLS metadata';
  let sourceOf: Int32Array;
  let pendingHeader: string[] | undefined;
  if (rawText >= 0) {
    sourceOf = new Int32Array(0);
  } else {
    for (const k of fields) {
      const key = keys[k];
      if (!isFieldName(key)) return `the key ${JSON.stringify(key)} cannot be a field name`;
    }
    const fieldKeys = fields.map((k) => keys[k]);
    const header = headerKeys;
    const sameSet = header !== undefined && header.length === fieldKeys.length && fieldKeys.every((key) => header.includes(key));
    const order = sameSet ? header! : fieldKeys;
    pendingHeader = sameSet ? undefined : fieldKeys;
    sourceOf = new Int32Array(order.length);
    order.forEach((key, c) => {
      const k = keys.indexOf(key);
      sourceOf[c] = k;
    });
  }
  let identity = rawText < 0 && sourceOf.length === n;
  for (let c = 0; identity && c < sourceOf.length; c++) identity = sourceOf[c] === c;
  return { keyBytes, keys, sourceOf, rawText, identity, pendingHeader, projection: undefined };
}

/** A key usable in a header line: no blanks or control characters. */
function isFieldName(key: string): boolean {
  return key.length > 0 && !hasBlank(key);
}

/** The header name for a key: the canonical field name when the key is a known spelling. */
export function headerName(key: string): string {
  return lookupField(key)?.name ?? key;
}
