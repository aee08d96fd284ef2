// The random differential test: queries generated over the whole documented language (test/support/queryGen.ts)
// run by the engine and, translated, by DuckDB over the same generated files (NULL-heavy fields, IPv6, a header
// with another field order, a .gz with a second header, two formats in one query, malformed lines); rows, column
// names and record counts must agree, and invalid queries must get a positioned QueryError. A failure prints the
// seed, the query, the DuckDB SQL and a diff, shrunk to a small query.
//
//   FLOWLOG_QGEN_SEED=123 FLOWLOG_QGEN_COUNT=2000 node --import tsx --test test/unit/random-differential.test.ts
//   FLOWLOG_QGEN_CASE=17 …   only case 17 of the seed;   FLOWLOG_QGEN_SHRINK=10 …   shrink the first 10 failures
//   FLOWLOG_QGEN_ENGINE=cli …   through dist/cli.js with worker threads forced on (npm run build first; slow)
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lookupField } from '../../server/src/core/schema';
import { Dataset, writeDataset } from '../support/qgenData';
import { FIELD_ALIASES, NON_FIELD_ALIASES, QUOTED_ALIASES, generateCase } from '../support/queryGen';
import { DuckdbOracle } from '../support/duckdbOracle';
import { CaseContext, Failure, checkCase, formatFailure, shrink } from '../support/randomDifferential';
import { cliAvailable, runQueryByCli } from '../support/cliEngine';

const SEED = Number(process.env.FLOWLOG_QGEN_SEED ?? 20261124);
const COUNT = Number(process.env.FLOWLOG_QGEN_COUNT ?? 300);
const ONLY = process.env.FLOWLOG_QGEN_CASE === undefined ? undefined : Number(process.env.FLOWLOG_QGEN_CASE);
const SHRINK = Number(process.env.FLOWLOG_QGEN_SHRINK ?? 3);
const BY_CLI = process.env.FLOWLOG_QGEN_ENGINE === 'cli';

let dir: string;
let ds: Dataset;
let ctx: CaseContext;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flowlog-qgen-'));
  ds = writeDataset(dir, SEED);
  ctx = { ds, oracle: await DuckdbOracle.create(ds) };
  if (BY_CLI) {
    assert.ok(cliAvailable(), 'FLOWLOG_QGEN_ENGINE=cli runs dist/cli.js: npm run build first');
    ctx.engine = runQueryByCli;
  }
});

after(() => {
  ctx?.oracle.close();
  rmSync(dir, { recursive: true, force: true });
});

describe(`random differential: generated queries agree with DuckDB (seed ${SEED}${BY_CLI ? ', CLI with workers' : ''})`, () => {
  it('the oracle reads the generated files as they were written (records, malformed lines)', async () => {
    const counts = await ctx.oracle.fileCounts();
    assert.equal(counts.length, ds.files.length);
    ds.files.forEach((f, i) => {
      assert.equal(counts[i].records, f.records, `${f.path}: well-formed records`);
      assert.deepEqual(counts[i].malformedLines, f.malformedLines, `${f.path}: malformed lines`);
    });
    assert.ok(ds.files.every((f) => f.malformedLines.length > 0), 'every file has malformed lines');
  });

  it('aliases are field names only where the generator means them to be (an alias that is also a field)', () => {
    for (const n of [...NON_FIELD_ALIASES, ...QUOTED_ALIASES]) assert.equal(lookupField(n), undefined, n);
    for (const n of FIELD_ALIASES) assert.ok(lookupField(n), n);
  });

  const label = ONLY === undefined ? `${COUNT} queries` : `case ${ONLY}`;
  it(`${label}: the engine's answers are DuckDB's (rows, column names, record counts, positioned errors)`, async () => {
    const failures: { index: number; failure: Failure }[] = [];
    const indices = ONLY === undefined ? Array.from({ length: COUNT }, (_, i) => i) : [ONLY];
    for (const index of indices) {
      const q = generateCase(SEED, index, ds);
      const failure = await checkCase(ctx, q);
      if (failure) failures.push({ index, failure });
    }
    if (failures.length === 0) return;
    const byKind = new Map<string, number>();
    for (const f of failures) byKind.set(f.failure.kind, (byKind.get(f.failure.kind) ?? 0) + 1);
    const lines = [
      `${failures.length} of ${indices.length} generated queries disagree with DuckDB (seed ${SEED}): ${[...byKind].map(([k, n]) => `${k} ${n}`).join(', ')}`,
      `reproduce one: FLOWLOG_QGEN_SEED=${SEED} FLOWLOG_QGEN_CASE=<index> node --import tsx --test test/unit/random-differential.test.ts`,
      '',
    ];
    for (const [n, { index, failure }] of failures.entries()) {
      if (n < SHRINK) {
        const small = await shrink(ctx, generateCase(SEED, index, ds), failure);
        lines.push(`case ${index}, shrunk in ${small.tries} tries from: ${failure.query}`, formatFailure(small.failure), '');
      } else if (n < SHRINK + 25) {
        lines.push(`case ${index} [${failure.kind}] ${failure.query}`);
      }
    }
    if (failures.length > SHRINK + 25) lines.push(`… and ${failures.length - SHRINK - 25} more`);
    assert.fail(lines.join('\n'));
  });
});
