// One bundle per entry: client, server, cli, the worker threads' and the webview. `--production` minifies,
// `--watch` rebuilds. Type-checking is `npm run typecheck` (esbuild does not type-check).
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'warning',
};

// hyparquet-compressors (Parquet's snappy, zstd, brotli and lz4 pages: with fzstd and hysnappy about a quarter of
// dist/worker.js) is a file of its own beside the bundles, which readers/parquet.ts requires with the first page that
// needs it: every thread that starts (the CLI, the server, each worker) otherwise reads and compiles it for nothing.
const BESIDE = 'hyparquet-compressors';
const beside = {
  name: 'beside',
  setup(build) {
    build.onResolve({ filter: new RegExp(`^${BESIDE}$`) }, () => ({ path: `./${BESIDE}.js`, external: true }));
  },
};

const entries = [
  { ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js', platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'] },
  { ...common, entryPoints: ['server/src/server.ts'], outfile: 'dist/server.js', platform: 'node', format: 'cjs', target: 'node20', plugins: [beside] },
  { ...common, entryPoints: ['server/src/cli.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs', target: 'node20', banner: { js: '#!/usr/bin/env node' }, plugins: [beside] },
  // What worker threads load (server/src/worker.ts): the server's and the CLI's find it beside them.
  { ...common, entryPoints: ['server/src/worker.ts'], outfile: 'dist/worker.js', platform: 'node', format: 'cjs', target: 'node20', plugins: [beside] },
  { ...common, entryPoints: [createRequire(import.meta.url).resolve(BESIDE)], outfile: `dist/${BESIDE}.js`, platform: 'node', format: 'cjs', target: 'node20' },
];
if (existsSync('client/webview/src/main.ts')) {
  // Its own folder: the webviews' localResourceRoots is dist/webview and nothing else.
  entries.push({ ...common, entryPoints: ['client/webview/src/main.ts'], outfile: 'dist/webview/webview.js', platform: 'browser', format: 'iife', target: 'es2022', loader: { '.css': 'css' } });
}

const contexts = await Promise.all(entries.map((e) => esbuild.context(e)));
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
