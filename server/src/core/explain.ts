// Human readings of fields and records: what hovers and inlay hints show. Pure: no LSP, no vscode. The readings are
// plain text holding values from the file as they are: whoever puts them in Markdown escapes them (hover.ts).

import { FieldDef } from './schema';
import { FieldSpans, RecordFormat, scanFields } from './scan';
import { uintAt } from './validate';
import { addressClass } from './address';
import {
  describeTcpFlags, formatBytes, formatDuration, formatTimestamp, formatWindow, protocolInfo, protocolName,
  serviceName, shortUtc, tcpFlagsMeaning, trafficPathMeaning,
} from './decode';

export type TimeZoneSetting = 'utc' | 'local';

export interface ExplainOptions {
  timeZone: TimeZoneSetting;
}

export interface FieldAt {
  index: number;
  /** Schema entry; undefined for a field beyond the format or an unknown header name. */
  field: FieldDef | undefined;
  value: string;
  start: number;
  end: number;
}

/** The field under `character` of a record line, if any. */
export function fieldAt(text: string, format: RecordFormat, character: number, spans = new FieldSpans()): FieldAt | undefined {
  scanFields(text, 0, text.length, spans);
  for (let k = 0; k < spans.count; k++) {
    if (character >= spans.starts[k] && character <= spans.ends[k]) {
      return { index: k, field: format.fields[k], value: text.slice(spans.starts[k], spans.ends[k]), start: spans.starts[k], end: spans.ends[k] };
    }
  }
  return undefined;
}

/** The record's values by canonical field name (`-` kept as is). */
export function recordValues(text: string, format: RecordFormat, spans = new FieldSpans()): Map<string, string> {
  scanFields(text, 0, text.length, spans);
  const values = new Map<string, string>();
  const n = Math.min(spans.count, format.fields.length);
  for (let k = 0; k < n; k++) {
    const f = format.fields[k];
    if (f && !values.has(f.name)) values.set(f.name, text.slice(spans.starts[k], spans.ends[k]));
  }
  return values;
}

const asInt = (s: string | undefined): number | undefined => {
  if (s === undefined) return undefined;
  const v = uintAt(s, 0, s.length);
  return v >= 0 ? v : undefined;
};

/** The decoded reading of one field value, or undefined when there is nothing to add to the raw value. */
export function decodeValue(field: FieldDef, value: string, options: ExplainOptions, record?: Map<string, string>): string | undefined {
  if (value === '-') return 'no value (-): the field does not apply to this record or could not be computed';
  const n = asInt(value);
  switch (field.type) {
    case 'protocol': {
      const info = n === undefined ? undefined : protocolInfo(n);
      if (!info) return undefined;
      return info.keyword && info.keyword !== info.name ? `${info.keyword} (${info.name})` : info.name || `protocol ${n}`;
    }
    case 'port': {
      if (n === undefined) return undefined;
      const proto = asInt(record?.get('protocol'));
      if (proto === 1 || proto === 58) return n === 0 ? 'no port (ICMP)' : undefined;
      const service = serviceName(n, proto);
      if (service) return service;
      if (n === 0) return 'no port';
      return n >= 49152 ? 'dynamic/ephemeral port' : n >= 1024 ? 'registered port range, no well-known service' : undefined;
    }
    case 'timestamp': {
      if (n === undefined) return undefined;
      const at = formatTimestamp(n, options.timeZone);
      if (field.name === 'end') {
        const start = asInt(record?.get('start'));
        if (start !== undefined && start <= n) return `${at} (${formatDuration(n - start)} after start)`;
      }
      return at;
    }
    case 'address': {
      const c = addressClass(value);
      return c ? `IPv${c.family}, ${c.label}` : undefined;
    }
    case 'count':
      if (value === '-1') return 'not reported (Tencent writes -1 for records without traffic)';
      if (n === undefined) return undefined;
      return field.name === 'bytes' || field.name.startsWith('bytes') ? formatBytes(n) : `${n.toLocaleString('en-US')} ${field.name === 'packets' ? 'packets' : ''}`.trim();
    case 'tcpFlags': {
      if (n === undefined) return undefined;
      const meaning = tcpFlagsMeaning(n);
      return meaning ? `${describeTcpFlags(n)}: ${meaning}` : describeTcpFlags(n);
    }
    case 'trafficPath':
      return n === undefined ? undefined : trafficPathMeaning(n);
    case 'version':
      return value === 'V1' ? 'Tencent Cloud format V1 (same 14 fields as version 2)' : `format version ${value}`;
    case 'enum':
      return enumMeaning(field.name, value);
    default:
      return undefined;
  }
}

function enumMeaning(name: string, value: string): string | undefined {
  switch (`${name}=${value}`) {
    case 'action=ACCEPT': return 'the traffic was allowed by the security group and network ACL';
    case 'action=REJECT': return 'the traffic was refused by a security group or network ACL';
    case 'log-status=OK': return 'data logged normally';
    case 'log-status=NODATA': return 'no traffic on the interface during the window';
    case 'log-status=SKIPDATA': return 'some records were skipped during the window (capacity limits or an internal error)';
    case 'flow-direction=ingress': return 'incoming to the interface';
    case 'flow-direction=egress': return 'outgoing from the interface';
    default: return undefined;
  }
}

function endpoint(addr: string, port: string | undefined, withPort: boolean): string {
  if (!withPort || port === undefined || port === '-') return addr;
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

/**
 * A one-line reading of the whole flow, e.g.
 * `TCP 172.31.16.139:20641 → 172.31.16.21:22 (ssh) · 20 packets, 4.1 KiB · 60 s window 2014-12-14 04:06:50–04:07:50 UTC · ACCEPT`.
 */
export function describeRecord(text: string, format: RecordFormat, options: ExplainOptions): string {
  const v = recordValues(text, format);
  const parts: string[] = [];
  const status = v.get('log-status');
  const start = asInt(v.get('start'));
  const end = asInt(v.get('end'));
  const window = start !== undefined && end !== undefined && start <= end
    ? `${formatDuration(end - start)} window ${formatWindow(start, end, options.timeZone)}`
    : start !== undefined ? `from ${formatTimestamp(start, options.timeZone)}` : undefined;

  if (status === 'NODATA' || status === 'SKIPDATA') {
    const iface = v.get('interface-id');
    const what = status === 'NODATA' ? 'no traffic' : 'records skipped';
    parts.push(`${status}${iface && iface !== '-' ? ` on ${iface}` : ''}: ${what}`);
    if (window) parts.push(window);
    return parts.join(' · ');
  }

  const protoNum = asInt(v.get('protocol'));
  const proto = protoNum !== undefined ? protocolName(protoNum) : undefined;
  const hasPorts = protoNum !== 1 && protoNum !== 58;
  const src = v.get('srcaddr');
  const dst = v.get('dstaddr');
  if (src !== undefined || dst !== undefined) {
    const srcPort = asInt(v.get('srcport'));
    const dstPort = asInt(v.get('dstport'));
    const dstService = hasPorts && dstPort !== undefined ? serviceName(dstPort, protoNum) : undefined;
    const srcService = hasPorts && !dstService && srcPort !== undefined ? serviceName(srcPort, protoNum) : undefined;
    const from = endpoint(src ?? '-', v.get('srcport'), hasPorts) + (srcService ? ` (${srcService})` : '');
    const to = endpoint(dst ?? '-', v.get('dstport'), hasPorts) + (dstService ? ` (${dstService})` : '');
    parts.push(`${proto ? proto + ' ' : ''}${from} → ${to}`);
  } else if (proto) {
    parts.push(proto);
  }
  const packets = asInt(v.get('packets'));
  const bytes = asInt(v.get('bytes'));
  if (packets !== undefined || bytes !== undefined) {
    const p = packets !== undefined ? `${packets.toLocaleString('en-US')} packet${packets === 1 ? '' : 's'}` : undefined;
    const b = bytes !== undefined ? formatBytes(bytes) : undefined;
    parts.push([p, b].filter(Boolean).join(', '));
  }
  const flags = asInt(v.get('tcp-flags'));
  if (flags !== undefined && protoNum === 6) parts.push(describeTcpFlags(flags));
  if (window) parts.push(window);
  const action = v.get('action');
  if (action && action !== '-') parts.push(action);
  return parts.join(' · ');
}

export type InlayHintKind = 'protocol' | 'ports' | 'timestamps' | 'tcpFlags' | 'bytes';

export interface InlayHintSettings extends ExplainOptions {
  protocol: boolean;
  ports: boolean;
  timestamps: boolean;
  tcpFlags: boolean;
  bytes: boolean;
}

export const DEFAULT_INLAY_HINTS: InlayHintSettings = {
  timeZone: 'utc', protocol: true, ports: true, timestamps: true, tcpFlags: true, bytes: false,
};

export interface FieldHint {
  /** Column after the field, where the hint goes. */
  character: number;
  label: string;
  kind: InlayHintKind;
}

/** Inlay hints for one record line. */
export function inlayHintsForLine(text: string, format: RecordFormat, settings: InlayHintSettings, spans = new FieldSpans()): FieldHint[] {
  scanFields(text, 0, text.length, spans);
  const hints: FieldHint[] = [];
  const n = Math.min(spans.count, format.fields.length);
  let protocol: number | undefined;
  const proto = format.positionOf.get('protocol');
  if (proto !== undefined && proto < n) {
    const p = uintAt(text, spans.starts[proto], spans.ends[proto]);
    if (p >= 0) protocol = p;
  }
  for (let k = 0; k < n; k++) {
    const f = format.fields[k];
    if (!f) continue;
    const s = spans.starts[k];
    const e = spans.ends[k];
    const value = uintAt(text, s, e);
    if (value < 0) continue;
    let label: string | undefined;
    let kind: InlayHintKind | undefined;
    switch (f.type) {
      case 'protocol':
        if (settings.protocol && value <= 255) { label = protocolName(value); kind = 'protocol'; }
        break;
      case 'port':
        if (settings.ports && protocol !== 1 && protocol !== 58) { label = serviceName(value, protocol); kind = 'ports'; }
        break;
      case 'timestamp':
        if (settings.timestamps && value <= 9_999_999_999) {
          label = settings.timeZone === 'utc' ? shortUtc(value) : formatTimestamp(value, 'local');
          kind = 'timestamps';
        }
        break;
      case 'tcpFlags':
        if (settings.tcpFlags && value <= 255) { label = describeTcpFlags(value); kind = 'tcpFlags'; }
        break;
      case 'count':
        if (settings.bytes && f.name === 'bytes' && value >= 1024) { label = formatBytes(value); kind = 'bytes'; }
        break;
    }
    if (label && kind) hints.push({ character: e, label, kind });
  }
  return hints;
}
