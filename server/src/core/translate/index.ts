// Our queries in the languages of the engines where flow logs live: Athena/Trino SQL (and Athena's DDL for the S3
// layouts), ClickHouse SQL, Tencent CLS, CloudWatch Logs Insights. Each dialect keeps its function table, keyed by
// our function names, in its own module.
import { translateToClickHouse } from '../clickhouse/translate';
import { defaultTableInfo } from '../clickhouse/tableInfo';
import { translateToCls } from './cls';
import { translateToCwli } from './cwli';
import { translateToTrino } from './trino';

export type Dialect = 'athena' | 'trino' | 'clickhouse' | 'cls' | 'cwli';
export const DIALECTS: readonly Dialect[] = ['athena', 'trino', 'clickhouse', 'cls', 'cwli'];

export interface Translation {
  text: string;
  /** Where the translation answers approximately or differently, said plainly. */
  notes: string[];
}

/** `query` in `dialect`. Throws QueryError (with its position) for a part the dialect cannot express. */
export function translateQuery(query: string, dialect: Dialect, options: { table?: string } = {}): Translation {
  switch (dialect) {
    case 'athena':
    case 'trino': {
      const t = translateToTrino(query, options.table);
      const notes: string[] = [];
      if (t.features.has('cidr') || t.features.has('ipprefix')) notes.push('IPADDRESS holds IPv4 as IPv4-mapped IPv6: ::ffff:10.1.2.3 is inside 10.0.0.0/8 there, not here; ip_prefix() of an IPv4 address past /32 fails');
      if (t.features.has('version')) notes.push("AWS's DDL types version as int: Tencent's V1 reads as NULL");
      return { text: t.sql, notes };
    }
    case 'clickhouse':
      return { text: translateToClickHouse(query, defaultTableInfo(options.table ?? 'flows')).sql, notes: [] };
    case 'cls':
      return { text: translateToCls(query), notes: [] };
    case 'cwli': {
      const t = translateToCwli(query);
      return { text: t.query, notes: t.notes };
    }
  }
}

export { athenaDdl } from './athenaDdl';
export type { S3Layout } from './athenaDdl';
