// How an aggregation reads a record of one format (aggregatePass.ts compiles it once per format): its filter, the
// writer of its group key, and how each aggregate takes its argument (a numeric field read as a number, or an
// expression evaluated on the record).
import { RecordFormat } from '../scan';
import { lookupField } from '../schema';
import { QueryPlan } from './plan';
import { RecordCompiler, RecordExpr, RecordTest } from './recordEval';
import { isNumericField } from './values';
import { KeyWriter, keyPart, keyWriter } from './groups/groupKeys';
import { filterOf } from './passes';

/** What an aggregation needs per format: the filter, the key writer, and how each aggregate reads its argument. */
export interface AggregateBinding {
  filter?: RecordTest;
  keys: KeyWriter;
  /** Per aggregate: the position of a plain numeric field argument (read as a number), else -1. */
  numberArg: Int32Array;
  /** Per aggregate: its argument's evaluator (when not a plain numeric field; undefined for count(*)). */
  valueArg: (RecordExpr | undefined)[];
  /** Per DISTINCT aggregate: the writer of its argument after the group key. */
  distinctArg: KeyWriter[];
}

/** Per aggregate: whether its argument is a numeric field (its state keeps numbers only). */
export function numericArguments(plan: QueryPlan): boolean[] {
  return plan.aggs.map((a) => a.arg?.kind === 'column' && isNumericField(lookupField(a.arg.name)));
}

/** The binding of `plan` to records of `format`; `distinct` lists the DISTINCT aggregates' indexes. */
export function bindAggregate(plan: QueryPlan, distinct: readonly number[], format: RecordFormat): AggregateBinding {
  const rc = new RecordCompiler(format);
  const numberArg = Int32Array.from(plan.aggs, (a) => {
    const k = a.arg?.kind === 'column' ? rc.position(a.arg.name) : -1;
    return !a.distinct && k >= 0 && rc.isNumeric(k) ? k : -1;
  });
  return {
    filter: filterOf(plan, rc),
    keys: keyWriter(plan.groupBy, rc),
    numberArg,
    valueArg: plan.aggs.map((a, i) => (a.arg && numberArg[i] < 0 ? rc.expr(a.arg) : undefined)),
    // A histogram() argument is written as its value (its bucket text), as min/max of it must give the text.
    distinctArg: distinct.map((i) => {
      const arg = plan.aggs[i].arg!;
      if (arg.kind === 'call' && arg.name === 'histogram') {
        const x = rc.expr(arg);
        return (r, s) => s.value(x(r));
      }
      return keyPart(arg, rc);
    }),
  };
}
