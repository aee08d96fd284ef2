// Writes the schema-derived firstLine pattern into package.json (test/unit/firstLine.test.ts checks it is in sync).
import { readFileSync, writeFileSync } from 'node:fs';
import { firstLinePattern } from '../server/src/core/firstLine';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
pkg.contributes.languages[0].firstLine = firstLinePattern();
writeFileSync('package.json', JSON.stringify(pkg, null, 2) + '\n');
