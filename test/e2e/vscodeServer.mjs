// Starting and stopping VS Code's server (from the code-server package) and a headless Debian Chromium on it.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync, cpSync, existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

export const ROOT = resolve(new URL('../..', import.meta.url).pathname);
export const VSCODE = join(ROOT, '.vscode-test/code-server/node_modules/code-server/lib/vscode');
export const SERVER_MAIN = join(VSCODE, 'out/server-main.js');

export function assertInstalled() {
  if (!existsSync(SERVER_MAIN)) {
    throw new Error(`VS Code server not found at ${SERVER_MAIN}: run test/e2e/setup first`);
  }
}

export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
    s.on('error', rej);
  });
}

/** A scratch folder with a copy of the fixtures as workspace, user settings and data dirs. */
export function makeSandbox(name, workspaceFrom = join(ROOT, 'test/fixtures/workspace')) {
  const dir = mkdtempSync(join(tmpdir(), `flowlog-${name}-`));
  const workspace = join(dir, 'workspace');
  cpSync(workspaceFrom, workspace, { recursive: true });
  const userData = join(dir, 'user-data');
  mkdirSync(join(userData, 'User'), { recursive: true });
  writeFileSync(join(userData, 'User/settings.json'), JSON.stringify({
    'security.workspace.trust.enabled': false,
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'workbench.colorTheme': 'Default Dark Modern',
    'chat.commandCenter.enabled': false,
  }, null, 2));
  return { dir, workspace, userData, serverData: join(dir, 'server-data'), extensions: join(dir, 'extensions'), log: join(dir, 'server.log') };
}

/** Starts the server in its own process group; resolves once it listens. */
/** `args`: more options for the server (`--log trace`). */
export async function startServer(sandbox, env = {}, args = []) {
  const port = await freePort();
  const { openSync } = await import('node:fs');
  const logFd = openSync(sandbox.log, 'a');
  const child = spawn(process.execPath, [
    SERVER_MAIN, '--host', '127.0.0.1', '--port', String(port), '--without-connection-token', '--accept-server-license-terms',
    '--disable-telemetry', '--user-data-dir', sandbox.userData, '--server-data-dir', sandbox.serverData,
    '--extensions-dir', sandbox.extensions, ...args,
  ], { detached: true, stdio: ['ignore', logFd, logFd], env: { ...process.env, ...env } });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`VS Code server exited with ${child.exitCode}:\n${readFileSync(sandbox.log, 'utf8')}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/version`);
      if (r.ok || r.status === 404) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    port,
    url: (params) => `http://127.0.0.1:${port}/?${params}`,
    /** Ends the server's whole process group (it forks an extension host and a file watcher). */
    stop() {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    },
  };
}

export function remoteUri(port, path) {
  return `vscode-remote://127.0.0.1:${port}${path}`;
}

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

/** URL query for a folder and an optional `payload` (extension development / tests paths). */
export function workbenchQuery(port, folder, payload) {
  const q = [`folder=${encodeURIComponent(folder)}`];
  if (payload) q.push(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
  return q.join('&');
}
