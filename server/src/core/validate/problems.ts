// What the validator reports: a problem on a line, its code (one per rule, stable: settings and tests name them)
// and its quick fix.

export type Severity = 'error' | 'warning' | 'info';

/** A text edit inside one line (columns) or, with `line`, on another line of the document. */
export interface LineEdit {
  line?: number;
  start: number;
  end: number;
  newText: string;
}

export interface QuickFix {
  title: string;
  edits: LineEdit[];
}

/** One problem on one line; columns are UTF-16 offsets from the start of the line, `end` exclusive. */
export interface Problem {
  code: string;
  severity: Severity;
  message: string;
  start: number;
  end: number;
  fix?: QuickFix;
}

/** Stable diagnostic codes, one per rule. */
export const Codes = {
  fieldCount: 'field-count',
  formatMismatch: 'format-mismatch',
  jsonRecord: 'json-record',
  csvRecord: 'csv-record',
  version: 'version',
  accountId: 'account-id',
  interfaceId: 'interface-id',
  address: 'address',
  port: 'port-range',
  protocol: 'protocol-range',
  count: 'count',
  timestamp: 'timestamp',
  startAfterEnd: 'start-after-end',
  action: 'action',
  logStatus: 'log-status',
  enumValue: 'enum-value',
  tcpFlags: 'tcp-flags',
  trafficPath: 'traffic-path',
  integer: 'integer',
  missingValue: 'missing-value',
  headerUnknownField: 'header-unknown-field',
  headerDuplicateField: 'header-duplicate-field',
  multipleSpaces: 'multiple-spaces',
  nodataWithTraffic: 'nodata-with-traffic',
  icmpPorts: 'icmp-ports',
  tooFewBytes: 'too-few-bytes',
  tooManyBytesPerPacket: 'too-many-bytes-per-packet',
  tooManyProblems: 'too-many-problems',
} as const;
