// Differential: the diagnosis's verdict counts against the same rule written in plain SQL and run by DuckDB over the
// same file (test/support/diagnoseSql.ts: a self-join, and a window-function form), on four kinds of log (one with records whose addresses are of different families).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { VERDICTS, diagnose } from '../../server/src/core/diagnose';
import { Formulation, readFlowsSql, verdictCountsSql } from '../support/diagnoseSql';
import { writeFlowLogFile } from '../support/generate';
import { writeWideFile } from '../support/generateWideConversations';
import { plantConversations } from '../support/plantConversations';

let dir: string;
let instance: DuckDBInstance;
let duck: DuckDBConnection;
const files: Record<string, string> = {};

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flowlog-diagnose-diff-'));
  files.generated = join(dir, 'generated.flowlog');
  await writeFlowLogFile(files.generated, { records: 20_000, seed: 42, header: true, nodataShare: 0.03 });
  files.wide = join(dir, 'wide.flowlog');
  await writeWideFile(files.wide, { records: 30_000, seed: 5, rate: 20 });
  files.planted = join(dir, 'planted.flowlog');
  writeFileSync(files.planted, plantConversations({ seed: 7 }).text);
  // Records whose two addresses are of different families (as a generator or a NAT64 log may write them): the
  // diagnosis sets them aside as incomplete, and the SQL rule must too.
  files.mixed = join(dir, 'mixed.flowlog');
  const mixed = Array.from({ length: 40 }, (_, i) => `2 123456789012 eni-0mixed${i % 3} 2001:db8::${i + 1} 10.0.0.${i % 7} ${40000 + i} 443 6 10 4000 ${1_700_000_000 + i * 30} ${1_700_000_060 + i * 30} ${i % 4 === 0 ? 'REJECT' : 'ACCEPT'} OK`);
  writeFileSync(files.mixed, plantConversations({ seed: 8 }).text.trimEnd() + '\n' + mixed.join('\n') + '\n');
  instance = await DuckDBInstance.create(':memory:');
  duck = await instance.connect();
});

after(() => {
  duck?.closeSync();
  instance?.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

async function sqlCounts(path: string, slack: number, formulation: Formulation): Promise<Record<string, number>> {
  const reader = await duck.runAndReadAll(verdictCountsSql(readFlowsSql(path), slack, formulation));
  const counts: Record<string, number> = Object.fromEntries(VERDICTS.map((v) => [v, 0]));
  for (const [verdict, n] of reader.getRows()) counts[String(verdict)] = Number(n);
  return counts;
}

describe('verdict counts: the engine against DuckDB', () => {
  for (const name of ['generated', 'wide', 'planted', 'mixed']) {
    for (const slack of [600, 30]) {
      it(`${name} log, slack ${slack} s`, async (t) => {
        const ours = await diagnose({ kind: 'files', paths: [files[name]] }, { slack });
        const selfJoin = await sqlCounts(files[name], slack, 'selfJoin');
        const windowed = await sqlCounts(files[name], slack, 'window');
        t.diagnostic(`${name}: ${JSON.stringify(ours.verdicts)}`);
        assert.deepEqual({ ...ours.verdicts }, selfJoin, 'self-join');
        assert.deepEqual({ ...ours.verdicts }, windowed, 'window functions');
        // Every verdict occurs (except on the generated log, whose random ports rarely pair).
        if (name !== 'generated') for (const v of VERDICTS) assert.ok(ours.verdicts[v] > 0, `${name} has ${v}`);
        assert.equal(ours.join.lateRecords, 0);
        if (name === 'mixed') assert.equal(ours.input.incomplete, 40, 'the mixed-family records set aside');
      });
    }
  }
});
