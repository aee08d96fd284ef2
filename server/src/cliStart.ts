// `flowlog` (dist/cli.js): a launcher that starts a big query's worker threads, then loads the command line
// (dist/cliMain.js, cli.ts). A worker boots Node and loads its bundle for about 0.1 s of a core; Node compiles a
// script whole before running any of it, so started from the CLI's own bundle the workers waited for its 0.8 MB to
// be compiled (about 40-50 ms after Node was up); started from here, that compiling and the workers' booting overlap.
// This file imports only cli/prestart.ts (node's modules and the pool's code, no engine).
import { join } from 'node:path';
// Run as the main module, it starts the workers as it is evaluated (and so does it in cliMain.js run itself).
import './cli/prestart';

// Not bundled in: the CLI's own bundle, beside this one (esbuild.mjs builds both).
const cli = require(join(__dirname, 'cliMain.js')) as { start(): void };
cli.start();
