// The bench's data: two shapes (issue 14) at two sizes, generated once into bench/.data/ (deterministic, so a
// cached file is the same file). Record counts give the sizes the issue names: 1.8 M records ≈ 195 MB (MiB) and
// ≈ 1 GB (1,024 MiB); the high-cardinality lines are a few bytes longer, so they take fewer records for 1 GB.
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFlowLogFile } from '../test/support/generate';
import { writeWideFile } from '../test/support/generateWide';
import { fmt, mb } from './measure';

export type Shape = 'friendly' | 'wide';
export type Size = 'mid' | 'big';

export interface DataSet {
  shape: Shape;
  size: Size;
  records: number;
  path: string;
  /** For reports: `wide 1,024 MB (9.4 M records)`. */
  label: string;
  sizeMB: number;
}

export const SHAPE_NAMES: Record<Shape, string> = {
  friendly: 'friendly (test/support/generate.ts: 50 interfaces, ~64 k address pairs)',
  wide: 'high-cardinality (test/support/generateWide.ts: ~2^20 heavy-tailed sources, ephemeral ports)',
};

const RECORDS: Record<'full' | 'quick', Record<Shape, Record<Size, number>>> = {
  full: { friendly: { mid: 1_800_000, big: 9_700_000 }, wide: { mid: 1_800_000, big: 9_260_000 } },
  quick: { friendly: { mid: 100_000, big: 300_000 }, wide: { mid: 100_000, big: 300_000 } },
};

const count = (n: number) => (n >= 1e6 ? `${fmt(n / 1e6, 1)} M` : `${fmt(n / 1e3, 0)} k`);

export class DataFiles {
  constructor(private readonly folder: string, private readonly quick: boolean) {
    mkdirSync(folder, { recursive: true });
  }

  /** The file of `shape` at `size`, generated on first use (written aside, then renamed: never a half file). */
  async get(shape: Shape, size: Size): Promise<DataSet> {
    const records = RECORDS[this.quick ? 'quick' : 'full'][shape][size];
    const name = `${shape}-${count(records).replace(' ', '').toLowerCase()}.flowlog`;
    const path = join(this.folder, name);
    if (!existsSync(path)) {
      process.stdout.write(`  generating ${name} (${records.toLocaleString('en-US')} records)…`);
      const t0 = performance.now();
      const partial = `${path}.partial`;
      if (shape === 'friendly') await writeFlowLogFile(partial, { records, seed: 1, header: true });
      else await writeWideFile(partial, { records, seed: 7, header: true });
      renameSync(partial, path);
      process.stdout.write(` ${fmt(mb(statSync(path).size), 0)} MB in ${fmt((performance.now() - t0) / 1000, 0)} s\n`);
    }
    const sizeMB = mb(statSync(path).size);
    return { shape, size, records, path, sizeMB, label: `${shape} ${fmt(sizeMB, 0)} MB (${count(records)} records)` };
  }

  async all(): Promise<DataSet[]> {
    const out: DataSet[] = [];
    for (const size of ['mid', 'big'] as const) for (const shape of ['friendly', 'wide'] as const) out.push(await this.get(shape, size));
    return out;
  }
}
