// The columns a search's or plain SQL's rows are laid out on, known before the scan starts.
import { QueryPlan } from './plan';
import { ExpandedSource, ScanUnit, fileHeaderNames } from './input';
import { ColumnUnion } from './columns';
import { DEFAULT_FIELD_NAMES } from '../schema';

/**
 * The columns rows of a search or plain SQL are laid out on (for `*`), known before the scan starts, on the workers
 * and on this thread alike: the union of each file's first header (made up for JSON, CSV and Parquet), else the
 * default. So rows handed on as they are found have every column; a stream is not read ahead (its header is met as
 * it comes), nor a document's text.
 */
export async function columnsBeforeScan(plans: readonly QueryPlan[], expanded: ExpandedSource | undefined, units: readonly ScanUnit[]): Promise<ColumnUnion> {
  const columns = new ColumnUnion();
  if (expanded && plans.some(needsColumns) && !expanded.files.some((f) => f.stream)) for (const names of await firstHeaders(expanded, units)) columns.addNames(names ?? DEFAULT_FIELD_NAMES);
  return columns;
}

/** Whether a plan's rows are laid out on the columns of the records' formats (a search, plain SQL rows). */
function needsColumns(plan: QueryPlan): boolean {
  return plan.kind === 'search' || !plan.aggregate;
}

/** Each file's first header line (in file order; undefined where there is none), read a few files at a time. */
async function firstHeaders(expanded: ExpandedSource, units: readonly ScanUnit[]): Promise<(string[] | undefined)[]> {
  const decode = new Map(units.map((u) => [u.fileIndex, u.decode] as const));
  const out: (string[] | undefined)[] = new Array(expanded.files.length);
  let next = 0;
  const worker = async () => {
    while (next < expanded.files.length) {
      const i = next++;
      out[i] = await fileHeaderNames(expanded.files[i].path, decode.get(i)).catch(() => undefined);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return out;
}
