// The decoded reading shown beside a raw value where it helps: protocol names, service names of ports, dates of
// Unix timestamps, TCP flag names. The same decoders as the hovers (server/src/core/decode), no second copy.
import { protocolName } from '../../../server/src/core/decode/protocols';
import { serviceName } from '../../../server/src/core/decode/ports';
import { shortUtc } from '../../../server/src/core/decode/time';
import { describeTcpFlags } from '../../../server/src/core/decode/tcpFlags';
import type { Cell } from './messages';

export type Decoder = (v: Cell) => string | undefined;

const norm = (column: string) => column.toLowerCase().replace(/-/g, '_');

/** Unix seconds between 2001 and 2096: anything else in a time column is left alone. */
const asTimestamp = (v: Cell) => (typeof v === 'number' && Number.isInteger(v) && v >= 1e9 && v < 4e9 ? v : undefined);
const asInt = (v: Cell) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined);

/** The decoder for a column, by its name, or undefined when its values are best shown raw. */
export function decoderFor(column: string): Decoder | undefined {
  const name = norm(column);
  if (name === 'protocol' || name.endsWith('_protocol')) {
    return (v) => {
      const n = asInt(v);
      return n === undefined ? undefined : protocolName(n);
    };
  }
  if (name === 'srcport' || name === 'dstport' || name.endsWith('port')) {
    return (v) => {
      const n = asInt(v);
      return n === undefined ? undefined : serviceName(n);
    };
  }
  if (name === 'tcp_flags') {
    return (v) => {
      const n = asInt(v);
      return n === undefined || n === 0 ? undefined : describeTcpFlags(n);
    };
  }
  if (/(^|_)(start|end|time|first|last)$|^(start|end)_|^t$/.test(name)) {
    return (v) => {
      const t = asTimestamp(v);
      return t === undefined ? undefined : shortUtc(t);
    };
  }
  return undefined;
}
