// A real two-shard ClickHouse cluster on 127.0.0.1 for tests and the bench: N clickhouse-server processes with
// their own ports and data in a temporary folder, a cluster `flows` naming them, and a Distributed table over a
// MergeTree table on each shard, both from the documented schema. It installs nothing: it needs Debian's
// clickhouse-server on PATH (see README, "ClickHouse").
//
//   startCluster() → { shards: [{ url, ... }], url, stop() }     (tests: start in before(), stop in after())
//   node --import tsx test/clickhouse/cluster.ts                  (by hand: starts one, prints its URLs, stops on ^C)
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClickHouseClient } from '../../server/src/core/clickhouse/http';
import { createTableSql, quoteTable } from '../../server/src/core/clickhouse/schema';

export const INSTALL_HINT = 'clickhouse-server is not installed: `apt-get install -y --no-install-recommends clickhouse-server clickhouse-client` (Debian; root), then run the ClickHouse tests again';

/** A user with a password, for the tests of credentials (the `default` user has none, for shard-to-shard queries). */
export const TEST_USER = { user: 'flowlog', password: 'p@ss w0rd\'"\\' };

export interface Shard {
  url: string;
  httpPort: number;
  tcpPort: number;
  dir: string;
  process: ChildProcess;
}

export interface Cluster {
  shards: Shard[];
  /** The first shard's HTTP URL: queries and inserts through it reach every shard through the Distributed table. */
  url: string;
  /** The Distributed table over `localTable` on every shard. */
  table: string;
  localTable: string;
  dir: string;
  stop(): Promise<void>;
}

/** Ports this process has handed out: the OS may give a port just closed again, even within one cluster's six. */
const handedOut = new Set<number>();

async function freePort(): Promise<number> {
  for (;;) {
    const port = await anyFreePort();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export function clickhouseInstalled(): boolean {
  return spawnSync('sh', ['-c', 'command -v clickhouse-server'], { encoding: 'utf8' }).status === 0;
}

function configXml(dir: string, http: number, tcp: number, interserver: number, shardTcpPorts: number[]): string {
  const shards = shardTcpPorts.map((p) => `<shard><replica><host>127.0.0.1</host><port>${p}</port></replica></shard>`).join('');
  return `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${dir}/server.log</log><errorlog>${dir}/server.err.log</errorlog><size>10M</size><count>1</count></logger>
  <http_port>${http}</http_port>
  <tcp_port>${tcp}</tcp_port>
  <interserver_http_port>${interserver}</interserver_http_port>
  <listen_host>127.0.0.1</listen_host>
  <max_connections>64</max_connections>
  <keep_alive_timeout>3</keep_alive_timeout>
  <max_concurrent_queries>32</max_concurrent_queries>
  <uncompressed_cache_size>0</uncompressed_cache_size>
  <mark_cache_size>268435456</mark_cache_size>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <format_schema_path>${dir}/format_schemas/</format_schema_path>
  <users_config>users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <remote_servers><flows>${shards}</flows></remote_servers>
</yandex>
`;
}

function xmlText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

const USERS_XML = `<?xml version="1.0"?>
<yandex>
  <profiles>
    <default><max_memory_usage>4000000000</max_memory_usage><load_balancing>random</load_balancing></default>
  </profiles>
  <users>
    <default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default>
    <${TEST_USER.user}><password>${xmlText(TEST_USER.password)}</password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></${TEST_USER.user}>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`;

async function waitForPing(url: string, proc: ChildProcess, dir: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null) {
      const err = existsSync(join(dir, 'server.err.log')) ? readFileSync(join(dir, 'server.err.log'), 'utf8').slice(-2000) : '';
      throw new Error(`clickhouse-server in ${dir} exited with ${proc.exitCode} before answering /ping\n${err}`);
    }
    try {
      const res = await fetch(`${url}/ping`);
      if ((await res.text()).startsWith('Ok')) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`clickhouse-server at ${url} did not answer /ping within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stopProcess(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Starts `shardCount` servers (default 2) and creates `table` (Distributed) over `table_local` on each. A port that
 * was free when chosen can be taken before a server binds it (the test files run in parallel processes, each
 * choosing ports): a server that stops with "Address already in use" makes it start again on other ports.
 */
export async function startCluster(options: { shardCount?: number; table?: string } = {}): Promise<Cluster> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startClusterOnce(options);
    } catch (e) {
      if (attempt >= 3 || !(e instanceof Error) || !e.message.includes('Address already in use')) throw e;
    }
  }
}

async function startClusterOnce(options: { shardCount?: number; table?: string }): Promise<Cluster> {
  if (!clickhouseInstalled()) throw new Error(INSTALL_HINT);
  const count = options.shardCount ?? 2;
  const table = options.table ?? 'flows';
  const localTable = `${table}_local`;
  const dir = mkdtempSync(join(tmpdir(), 'flowlog-clickhouse-'));
  const ports = { http: [] as number[], tcp: [] as number[], inter: [] as number[] };
  for (let i = 0; i < count; i++) {
    ports.http.push(await freePort());
    ports.tcp.push(await freePort());
    ports.inter.push(await freePort());
  }
  const shards: Shard[] = [];
  const stop = async () => {
    await Promise.all(shards.map((s) => stopProcess(s.process)));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < count; i++) {
      const shardDir = join(dir, `shard${i + 1}`);
      mkdirSync(shardDir, { recursive: true });
      writeFileSync(join(shardDir, 'config.xml'), configXml(shardDir, ports.http[i], ports.tcp[i], ports.inter[i], ports.tcp));
      writeFileSync(join(shardDir, 'users.xml'), USERS_XML);
      const proc = spawn('clickhouse-server', ['--config-file=config.xml'], { cwd: shardDir, stdio: 'ignore' });
      proc.on('error', () => undefined);
      shards.push({ url: `http://127.0.0.1:${ports.http[i]}`, httpPort: ports.http[i], tcpPort: ports.tcp[i], dir: shardDir, process: proc });
    }
    await Promise.all(shards.map((s) => waitForPing(s.url, s.process, s.dir, 60_000)));
    await createDistributedTable(shards, table);
  } catch (e) {
    await stop();
    throw e;
  }
  return { shards, url: shards[0].url, table, localTable, dir, stop };
}

/**
 * What a DBA does for a sharded table, from the documented schema: `NAME_local` (MergeTree) on every shard, and
 * `NAME` (Distributed over the cluster `flows`, rows spread at random) on every shard.
 */
export async function createDistributedTable(shards: { url: string }[], table: string): Promise<void> {
  for (const s of shards) {
    const client = new ClickHouseClient({ url: s.url });
    await client.exec(createTableSql(`${table}_local`));
    await client.exec(`CREATE TABLE ${quoteTable(table)} AS ${quoteTable(`${table}_local`)} ENGINE = Distributed(flows, default, ${table}_local, rand())`);
  }
}

if (process.argv[1]?.endsWith('cluster.ts')) {
  startCluster().then((c) => {
    process.stdout.write(`ClickHouse cluster up: ${c.shards.map((s) => s.url).join(' ')} (Distributed table ${c.table}); ^C stops it\n`);
    const bye = () => void c.stop().then(() => process.exit(0));
    process.once('SIGINT', bye);
    process.once('SIGTERM', bye);
  }, (e: Error) => {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  });
}
