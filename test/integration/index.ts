// The extension-host entry of the integration suite: @vscode/test-electron and the code-server harness both load
// this module and call run(). Results also go to the JSON file named by FLOWLOG_TEST_RESULTS, because the
// extension host exits with 0 even when run() throws.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

interface TestOutcome {
  title: string;
  state: 'passed' | 'failed';
  error?: string;
  durationMs?: number;
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', timeout: 30_000, color: false });
  const dir = __dirname;
  for (const f of fs.readdirSync(dir)) if (f.endsWith('.test.js')) mocha.addFile(path.join(dir, f));
  const outcomes: TestOutcome[] = [];
  const resultsFile = process.env.FLOWLOG_TEST_RESULTS;
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      if (resultsFile) {
        fs.writeFileSync(resultsFile, JSON.stringify({ passed: outcomes.filter((o) => o.state === 'passed').length, failed: failures, tests: outcomes }, null, 2));
      }
      if (failures > 0) reject(new Error(`${failures} integration tests failed`));
      else resolve();
    });
    runner.on('pass', (t) => outcomes.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration }));
    runner.on('fail', (t, err: Error) => outcomes.push({ title: t.fullTitle(), state: 'failed', error: `${err.message}\n${err.stack ?? ''}` }));
  });
}
