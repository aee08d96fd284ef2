// `flowlog translate --to athena|trino|clickhouse|cls|cwli 'QUERY'` (and `--to athena --ddl` for the S3 table).
import { QueryError } from '../core/query/errors';
import { DIALECTS, Dialect, S3Layout, athenaDdl, translateQuery } from '../core/translate';
import { checkTableName } from '../core/clickhouse/schema';
import { CliIO, UsageError } from './io';

const USAGE = `usage: flowlog translate --to athena|trino|clickhouse|cls|cwli [--table NAME] 'QUERY'
       flowlog translate --to athena --ddl [--layout text|hive|parquet] [--location s3://BUCKET/PREFIX/]
                         [--fields 'HEADER LINE'] [--accounts ID,…] [--regions R,…] [--since yyyy/MM/dd] [--table NAME] ['QUERY']`;

export async function runTranslateCommand(argv: string[], io: CliIO): Promise<number> {
  let to: Dialect | undefined;
  let table: string | undefined;
  let ddl = false;
  const ddlOptions: Parameters<typeof athenaDdl>[0] = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const name = a.includes('=') ? a.slice(0, a.indexOf('=')) : a;
    const value = () => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v === undefined || v === '') throw new UsageError(`${name} takes a value\n${USAGE}`);
      return v;
    };
    switch (name) {
      case '--to': {
        const v = value();
        if (!DIALECTS.includes(v as Dialect)) throw new UsageError(`--to must be one of ${DIALECTS.join(', ')}, not ${v}\n${USAGE}`);
        to = v as Dialect;
        break;
      }
      case '--table': {
        const v = value();
        const problem = checkTableName(v);
        if (problem) throw new UsageError(`${problem}\n${USAGE}`);
        table = v;
        break;
      }
      case '--ddl': ddl = true; break;
      case '--layout': {
        const v = value();
        if (v !== 'text' && v !== 'hive' && v !== 'parquet') throw new UsageError(`--layout must be text, hive or parquet, not ${v}\n${USAGE}`);
        ddlOptions.layout = v as S3Layout;
        break;
      }
      case '--location': {
        const v = value();
        if (!/^s3:\/\/[^\s'"]+$/.test(v)) throw new UsageError(`--location takes s3://BUCKET/PREFIX/, not ${v}\n${USAGE}`);
        ddlOptions.location = v;
        break;
      }
      case '--fields': ddlOptions.fields = value().trim().split(/\s+/); break;
      case '--accounts': ddlOptions.accounts = value().split(','); break;
      case '--regions': ddlOptions.regions = value().split(','); break;
      case '--since': {
        const v = value();
        if (!/^\d{4}\/\d{2}\/\d{2}$/.test(v)) throw new UsageError(`--since takes yyyy/MM/dd, not ${v}\n${USAGE}`);
        ddlOptions.since = v;
        break;
      }
      case '-h': case '--help':
        io.stdout(USAGE + '\n');
        return 0;
      default:
        if (a.startsWith('--')) throw new UsageError(`unknown option ${a}\n${USAGE}`);
        positional.push(a);
    }
  }
  if (!to) throw new UsageError(`give the target: --to ${DIALECTS.join('|')}\n${USAGE}`);
  if (ddl && to !== 'athena') throw new UsageError(`--ddl is for --to athena\n${USAGE}`);
  if (positional.length > 1) throw new UsageError(`give one query (quote it)\n${USAGE}`);
  if (positional.length === 0 && !ddl) throw new UsageError(`give a query\n${USAGE}`);
  if (ddl) {
    try {
      io.stdout(athenaDdl({ ...ddlOptions, table }) + '\n');
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    if (positional.length) io.stdout('\n');
  }
  if (positional.length === 0) return 0;
  const query = positional[0];
  try {
    const t = translateQuery(query, to, { table });
    io.stdout(t.text + (to === 'athena' || to === 'trino' || to === 'clickhouse' ? ';\n' : '\n'));
    for (const n of t.notes) io.stderr(`note: ${n}\n`);
    return 0;
  } catch (e) {
    if (e instanceof QueryError) {
      io.stderr(`flowlog: cannot translate: ${e.format(query)}\n`);
      return 2;
    }
    throw e;
  }
}
