// The engine through the built CLI (`dist/cli.js query … --format json`), with worker threads forced on small
// files (FLOWLOG_PARALLEL_MIN_BYTES=0): the random differential test's way to check the parallel path (ranges
// scanned by workers, then merged), which runQuery under tsx never takes. Build first (`npm run build`).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { QueryError } from '../../server/src/core/query';
import type { QueryResult } from '../../server/src/core/query';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');

export function cliAvailable(): boolean {
  return existsSync(CLI);
}

/** runQuery's answer from the CLI; a query error (exit 2) becomes a QueryError at the position the CLI printed. */
export function runQueryByCli(paths: string[], query: string, options: { limit?: number }, workers = 3): Promise<Pick<QueryResult, 'columns' | 'rows' | 'stats'>> {
  const args = [CLI, 'query', ...paths, query, '--format', 'json', ...(options.limit !== undefined ? ['--limit', String(options.limit)] : [])];
  const env = { ...process.env, FLOWLOG_PARALLEL_MIN_BYTES: '0', FLOWLOG_QUERY_WORKERS: String(workers) };
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { env, maxBuffer: 1 << 30 }, (err, stdout, stderr) => {
      if (err) {
        const m = /query error at (\d+):(\d+): ([^\n]*)/.exec(stderr);
        if (m) {
          // Offset of line:column in the query (1-based both).
          const lines = query.split('\n');
          const offset = lines.slice(0, Number(m[1]) - 1).reduce((n, l) => n + l.length + 1, 0) + Number(m[2]) - 1;
          reject(new QueryError(m[3], query, offset));
        } else reject(new Error(`flowlog query failed: ${stderr || err.message}`));
        return;
      }
      resolve(JSON.parse(stdout));
    });
  });
}
