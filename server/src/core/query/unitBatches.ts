// How a run hands its units to the threads: small files in batches (a day of 5-minute deliveries is thousands of
// files, and a batch costs one round trip), each big file or range alone; and a lone big compressed file on a
// worker rather than on the thread that runs the query.
import { ScanUnit } from './input';
import { detectFile } from '../readers';

/** A lone compressed file this big (as stored) is read on a worker. */
const ONE_WORKER_BYTES = 4 << 20;

export async function bigCompressedFile(unit: ScanUnit): Promise<boolean> {
  if (unit.kind !== 'file' || unit.fileSize < ONE_WORKER_BYTES) return false;
  const format = await detectFile(unit.file, unit.decode).catch(() => undefined);
  return format !== undefined && format.compression !== 'none';
}

/** Files this small (as stored) are handed to the threads in batches. */
const SMALL_UNIT = 4 << 20;

/**
 * The units as batches for the threads: runs of small files together (a batch costs one round trip between
 * threads, and a day of 5-minute deliveries is thousands of files), each big file or range alone. Batches stay
 * small enough that the threads finish together: about eight per thread at least, at most 64 files or 16 MB each.
 */
export function batchUnits(units: readonly ScanUnit[], threads: number): ScanUnit[][] {
  const most = Math.max(1, Math.min(64, Math.floor(units.length / (threads * 8))));
  const batches: ScanUnit[][] = [];
  let batch: ScanUnit[] = [];
  let bytes = 0;
  for (const unit of units) {
    const small = unit.kind === 'file' && unit.fileSize < SMALL_UNIT;
    if (batch.length > 0 && (!small || batch.length >= most || bytes + unit.fileSize > 4 * SMALL_UNIT)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    if (!small) {
      batches.push([unit]);
      continue;
    }
    batch.push(unit);
    bytes += unit.fileSize;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}
