// What every section of the bench gets: where things are, the data files, the report and the results.
import { join } from 'node:path';
import { DataFiles } from './data';
import { Report } from './measure';

export class BenchContext {
  readonly cli: string;
  readonly server: string;
  readonly data: DataFiles;
  readonly report = new Report();
  /** Every figure, written to bench/.data/results.json at the end. */
  readonly results: Record<string, unknown> = {};
  /** DuckDB's rows by file and query, so a later section compares with them without running DuckDB again. */
  readonly duckdbRows = new Map<string, unknown[][]>();

  constructor(readonly root: string, readonly quick: boolean) {
    this.cli = join(root, 'dist/cli.js');
    this.server = join(root, 'dist/server.js');
    this.data = new DataFiles(join(root, 'bench/.data'), quick);
  }

  path(relative: string): string {
    return join(this.root, relative);
  }

  /** Runs of each measurement: fewer on 1 GB files, where one run takes seconds. */
  runs(big: boolean): number {
    return this.quick ? 2 : big ? 2 : 3;
  }
}
