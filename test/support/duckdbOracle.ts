// DuckDB over the generated files (qgenData.ts), read its own way: each line loaded as text, then split, typed and
// checked in SQL by the one definition of a malformed line (wrong field count, or a number or an address that does
// not parse), so the oracle's records are the ones every query of the engine must see. One table per file with every
// field a query may name (NULL where the file's format lacks it), and one view per source (files in order).
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { Value } from '../../server/src/core/query';
import { protocolName } from '../../server/src/core/decode/protocols';
import { serviceName } from '../../server/src/core/decode/ports';
import { Dataset, QUERY_FIELDS, SOURCE_NAMES, Segment } from './qgenData';
import { addressBits, columnOf } from './queryToDuckdb';
import { expandV6, formatV6, maskV6 } from './address6';
import { normalize } from './resultCompare';

const IPV4 = '((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const H = '[0-9a-fA-F]{1,4}';
const IPV6 = [
  `(${H}:){7}${H}`, `(${H}:){1,7}:`, `(${H}:){1,6}:${H}`, `(${H}:){1,5}(:${H}){1,2}`, `(${H}:){1,4}(:${H}){1,3}`,
  `(${H}:){1,3}(:${H}){1,4}`, `(${H}:){1,2}(:${H}){1,5}`, `${H}:(:${H}){1,6}`, `:((:${H}){1,7}|:)`,
].join('|');

/** Prefix lengths the subnet() table covers (the generator's SUBNET_PREFIXES). */
const SUBNET_PREFIXES = [0, 8, 12, 16, 20, 24, 28, 32];

export interface SourceCounts {
  records: number;
  malformed: number;
}

export class DuckdbOracle {
  private constructor(private readonly instance: DuckDBInstance, readonly conn: DuckDBConnection, readonly counts: Record<string, SourceCounts>) {}

  static async create(ds: Dataset): Promise<DuckdbOracle> {
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    const conn = await instance.connect();
    await loadLines(conn, ds);
    await loadLookups(conn, ds);
    for (let i = 0; i < ds.files.length; i++) await conn.run(fileTableSql(i, ds.files[i].path, ds.files[i].segments));
    const counts: Record<string, SourceCounts> = {};
    for (const s of SOURCE_NAMES) {
      const union = ds.sources[s].map((i) => `SELECT * FROM qg_file_${i}`).join(' UNION ALL ');
      await conn.run(`CREATE VIEW qg_src_${s} AS SELECT * FROM (${union}) WHERE NOT bad`);
      const r = await conn.runAndReadAll(`SELECT count(*) FILTER (WHERE NOT bad), count(*) FILTER (WHERE bad) FROM (${union})`);
      const [records, malformed] = r.getRows()[0].map((v) => Number(v));
      counts[s] = { records, malformed };
    }
    await conn.run("CREATE MACRO qg_from_unixtime(x) AS strftime(make_timestamp(CAST(floor(x) AS BIGINT) * 1000000), '%Y-%m-%dT%H:%M:%SZ')");
    await conn.run("CREATE MACRO qg_histogram(x, secs) AS strftime(make_timestamp(CAST(floor(x / secs) * secs AS BIGINT) * 1000000), '%Y-%m-%dT%H:%M:%SZ')");
    return new DuckdbOracle(instance, conn, counts);
  }

  async rows(sql: string): Promise<Value[][]> {
    const reader = await this.conn.runAndReadAll(sql);
    return reader.getRows().map((r) => r.map(normalize));
  }

  /** Per file: well-formed and malformed record lines, as the oracle reads them. */
  async fileCounts(): Promise<{ records: number; malformedLines: number[] }[]> {
    const out: { records: number; malformedLines: number[] }[] = [];
    for (let i = 0; ; i++) {
      const exists = await this.rows(`SELECT count(*) FROM information_schema.tables WHERE table_name = 'qg_file_${i}'`);
      if (exists[0][0] === 0) return out;
      const recs = await this.rows(`SELECT count(*) FROM qg_file_${i} WHERE NOT bad`);
      const bad = await this.rows(`SELECT line FROM qg_file_${i} WHERE bad ORDER BY line`);
      out.push({ records: recs[0][0] as number, malformedLines: bad.map((r) => r[0] as number) });
    }
  }

  close(): void {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}

/** Every line of every file, as text (gzip undone), with its 1-based number. */
async function loadLines(conn: DuckDBConnection, ds: Dataset): Promise<void> {
  await conn.run('CREATE TABLE qg_lines (fileno INTEGER, line INTEGER, txt VARCHAR)');
  const app = await conn.createAppender('qg_lines');
  ds.files.forEach((f, fileno) => {
    const raw = readFileSync(f.path);
    const text = (f.gzip ? gunzipSync(raw) : raw).toString('utf8');
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    lines.forEach((txt, i) => {
      app.appendInteger(fileno);
      app.appendInteger(i + 1);
      app.appendVarchar(txt);
      app.endRow();
    });
  });
  app.flushSync();
  app.closeSync();
}

/** The registries (protocol and port names, from the extension's tables) and the subnets and bits of each address. */
async function loadLookups(conn: DuckDBConnection, ds: Dataset): Promise<void> {
  await conn.run('CREATE TABLE qg_protocols (n BIGINT, name VARCHAR)');
  let app = await conn.createAppender('qg_protocols');
  for (let n = 0; n <= 255; n++) {
    app.appendBigInt(BigInt(n));
    app.appendVarchar(protocolName(n));
    app.endRow();
  }
  app.flushSync();
  app.closeSync();
  // proto -1: service_name(port) without a protocol. Other protocols have no ports (no name).
  await conn.run('CREATE TABLE qg_services (port BIGINT, proto BIGINT, name VARCHAR)');
  app = await conn.createAppender('qg_services');
  for (const proto of [-1, 6, 17, 33, 132, 136]) {
    for (let port = 0; port <= 65535; port++) {
      const name = serviceName(port, proto < 0 ? undefined : proto);
      if (name === undefined) continue;
      app.appendBigInt(BigInt(port));
      app.appendBigInt(BigInt(proto));
      app.appendVarchar(name);
      app.endRow();
    }
  }
  app.flushSync();
  app.closeSync();
  const addresses = new Set<string>(['10.0.0.1', '2001:db8::1', '192.0.2.7']);
  for (const f of QUERY_FIELDS) if (f.kind === 'addr') for (const v of ds.values[f.name] ?? []) addresses.add(v);
  await conn.run('CREATE TABLE qg_addr (addr VARCHAR, fam INTEGER, bits VARCHAR)');
  await conn.run('CREATE TABLE qg_subnets (addr VARCHAR, prefix BIGINT, subnet VARCHAR)');
  const addr = await conn.createAppender('qg_addr');
  const sub = await conn.createAppender('qg_subnets');
  for (const a of addresses) {
    const bits = addressBits(a);
    if (!bits) continue;
    addr.appendVarchar(a);
    addr.appendInteger(a.includes(':') ? 6 : 4);
    addr.appendVarchar(bits);
    addr.endRow();
    for (const p of SUBNET_PREFIXES) {
      sub.appendVarchar(a);
      sub.appendBigInt(BigInt(p));
      sub.appendVarchar(subnetText(a, p));
      sub.endRow();
    }
  }
  addr.flushSync();
  addr.closeSync();
  sub.flushSync();
  sub.closeSync();
  // Lookups as MAP variables, not subqueries: a macro over an aggregate (protocol_name(count(*))) or a GROUP BY
  // key (service_name(dstport)) must stay an expression DuckDB can match and bind.
  await conn.run('SET VARIABLE qg_protocols = (SELECT map(list(n), list(name)) FROM qg_protocols)');
  await conn.run('SET VARIABLE qg_services = (SELECT map(list(port * 1000 + proto + 1), list(name)) FROM qg_services)');
  await conn.run("SET VARIABLE qg_subnets = (SELECT map(list(addr || '/' || prefix), list(subnet)) FROM qg_subnets)");
  await conn.run("CREATE MACRO qg_protocol_name(x) AS getvariable('qg_protocols')[x]");
  await conn.run("CREATE MACRO qg_service_name(p, pr) AS getvariable('qg_services')[p * 1000 + coalesce(pr, -1) + 1]");
  // IPv6 hex digits may be written in either case: the address is the same.
  await conn.run("CREATE MACRO qg_subnet(a, n) AS getvariable('qg_subnets')[lower(a) || '/' || n]");
}

/** `a`'s network of `prefix` bits in canonical text (independent of the engine's address module). */
function subnetText(a: string, prefix: number): string {
  if (a.includes(':')) return `${formatV6(maskV6(expandV6(a)!, prefix))}/${prefix}`;
  const bits = addressBits(a)!.slice(0, prefix).padEnd(32, '0');
  const octets = [0, 8, 16, 24].map((i) => parseInt(bits.slice(i, i + 8), 2));
  return `${octets.join('.')}/${prefix}`;
}

/** One file's records: split and typed per segment, with `bad` for a malformed line and the address bits for CIDR tests. */
function fileTableSql(fileno: number, path: string, segments: Segment[]): string {
  const parts = segments.map((seg) => {
    const n = seg.fields.length;
    const pos = (f: string) => seg.fields.indexOf(f) + 1;
    const checks = [`len(p) <> ${n}`];
    const cols: string[] = [];
    for (const f of QUERY_FIELDS) {
      const k = pos(f.name);
      if (k === 0) {
        cols.push(`CAST(NULL AS ${f.kind === 'int' ? 'BIGINT' : 'VARCHAR'}) AS ${columnOf(f.name)}`);
        continue;
      }
      const v = `p[${k}]`;
      if (f.kind === 'int') {
        checks.push(`NOT (${v} = '-' OR regexp_full_match(${v}, '-?[0-9]{1,15}'))`);
        cols.push(`CASE WHEN ${v} = '-' THEN NULL ELSE TRY_CAST(${v} AS BIGINT) END AS ${columnOf(f.name)}`);
      } else {
        if (f.kind === 'addr') checks.push(`NOT (${v} = '-' OR regexp_full_match(${v}, '${IPV4}') OR regexp_full_match(${v}, '${IPV6}'))`);
        cols.push(`CASE WHEN ${v} = '-' THEN NULL ELSE ${v} END AS ${columnOf(f.name)}`);
      }
    }
    const lines = `fileno = ${fileno} AND line BETWEEN ${seg.firstLine} AND ${seg.lastLine}${seg.headerLine ? ` AND line <> ${seg.headerLine}` : ''}`;
    // A CR before the line end, leading blanks and a trailing ` #comment` are not fields; blank and # lines are not records.
    const content = "rtrim(regexp_replace(ltrim(regexp_replace(txt, '\\r$', ''), ' \t'), ' +#.*$', ''), ' ')";
    const raw = `SELECT line, string_split_regex(c, ' +') AS p FROM (SELECT line, ${content} AS c FROM qg_lines WHERE ${lines}) WHERE c <> '' AND NOT starts_with(c, '#')`;
    return `SELECT line, (${checks.join(' OR ')}) AS bad, ${cols.join(', ')} FROM (${raw})`;
  });
  const addrCols = QUERY_FIELDS.filter((f) => f.kind === 'addr').map((f) => f.name.replace(/-/g, '_'));
  const joins = addrCols.map((c, i) => `LEFT JOIN qg_addr a${i} ON a${i}.addr = r."${c}"`).join(' ');
  const extra = addrCols.map((c, i) => `a${i}.fam AS "${c}__fam", a${i}.bits AS "${c}__bits"`).join(', ');
  return `CREATE TABLE qg_file_${fileno} AS SELECT ${fileno} AS fileno, ${sqlText(path)} AS file, r.*, ${extra} FROM (${parts.join(' UNION ALL ')}) r ${joins} ORDER BY line`;
}

function sqlText(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
