// Where the fields of the validator's cross-field rules are in a format, resolved once per format.
import { RecordFormat } from '../scan';

/** Field positions the cross-field rules need, resolved once per format. */
export interface FormatPlan {
  version: number;
  logStatus: number;
  protocol: number;
  srcport: number;
  dstport: number;
  srcaddr: number;
  dstaddr: number;
  packets: number;
  bytes: number;
  start: number;
  end: number;
  action: number;
  type: number;
}

const plans = new WeakMap<RecordFormat, FormatPlan>();

let lastFormat: RecordFormat | undefined;
let lastPlan: FormatPlan | undefined;

export function planOf(format: RecordFormat): FormatPlan {
  // Every line of a file usually has the same format: skip the WeakMap on the hot path.
  if (format === lastFormat) return lastPlan!;
  let plan = plans.get(format);
  if (!plan) {
    const at = (n: string) => format.positionOf.get(n) ?? -1;
    plan = {
      version: at('version'), logStatus: at('log-status'), protocol: at('protocol'), srcport: at('srcport'),
      dstport: at('dstport'), srcaddr: at('srcaddr'), dstaddr: at('dstaddr'), packets: at('packets'),
      bytes: at('bytes'), start: at('start'), end: at('end'), action: at('action'), type: at('type'),
    };
    plans.set(format, plan);
  }
  lastFormat = format;
  lastPlan = plan;
  return plan;
}
