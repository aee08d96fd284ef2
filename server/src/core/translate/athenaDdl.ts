// `CREATE EXTERNAL TABLE` for flow logs delivered to S3, the three layouts AWS delivers, with partition projection
// on the date path (no MSCK REPAIR, no crawler), after Athena's documentation ("Create and query a table for
// Amazon VPC flow logs using partition projection", and its Parquet example):
//   text     AWSLogs/{account}/vpcflowlogs/{region}/{yyyy}/{MM}/{dd}/…log.gz, a header line first
//   hive     AWSLogs/aws-account-id={account}/aws-service=vpcflowlogs/aws-region={region}/year=…/month=…/day=…/
//   parquet  AWSLogs/{account}/vpcflowlogs/{region}/{yyyy}/{MM}/{dd}/{HH}/…parquet (hourly partitions)
import { DEFAULT_FIELD_NAMES, FieldDef, fieldByName } from '../schema';
import { trinoColumn, trinoType } from './trino';

export type S3Layout = 'text' | 'hive' | 'parquet';

export interface AthenaDdlOptions {
  table?: string;
  layout?: S3Layout;
  /** The bucket and prefix above `AWSLogs/`. */
  location?: string;
  /** The field names in the order of the flow log's format (its header line); AWS's v2–v5 list by default. */
  fields?: string[];
  accounts?: string[];
  regions?: string[];
  /** First day of the projection, yyyy/MM/dd. */
  since?: string;
}

/** The columns of AWS's example DDL: versions 2 to 5 (region is a partition column there). */
export const AWS_DDL_FIELDS = [
  ...DEFAULT_FIELD_NAMES, 'vpc-id', 'subnet-id', 'instance-id', 'tcp-flags', 'type', 'pkt-srcaddr', 'pkt-dstaddr', 'az-id',
  'sublocation-type', 'sublocation-id', 'pkt-src-aws-service', 'pkt-dst-aws-service', 'flow-direction', 'traffic-path',
];

export function athenaDdl(options: AthenaDdlOptions = {}): string {
  const table = options.table ?? 'vpc_flow_logs';
  const layout = options.layout ?? 'text';
  const base = (options.location ?? 's3://amzn-s3-demo-bucket/prefix/').replace(/\/?$/, '/');
  const accounts = (options.accounts ?? ['111122223333']).join(',');
  const regions = (options.regions ?? ['us-east-1']).join(',');
  const since = options.since ?? '2024/01/01';
  const names = options.fields ?? AWS_DDL_FIELDS;
  const fields: FieldDef[] = [];
  for (const n of names) {
    const f = fieldByName(n);
    if (!f) throw new Error(`unknown field ${n} in --fields`);
    fields.push(f);
  }
  // A field named like a partition column cannot be both (AWS's examples leave `region` out of the columns).
  const partitionNames = layout === 'hive' ? ['aws_account_id', 'aws_region', 'year', 'month', 'day'] : layout === 'text' ? ['accid', 'region', 'day'] : ['accid', 'region', 'date', 'hour'];
  const columns = fields.filter((f) => !partitionNames.includes(f.name.replace(/-/g, '_')));
  const dropped = fields.filter((f) => !columns.includes(f));
  const lines: string[] = [];
  if (dropped.length) lines.push(`-- ${dropped.map((f) => f.name).join(', ')}: left out (a partition column has the name, as in AWS's examples)`);
  lines.push(`CREATE EXTERNAL TABLE IF NOT EXISTS ${table} (`);
  lines.push(columns.map((f) => `  ${trinoColumn(f).replace(/^"(.*)"$/, '`$1`')} ${trinoType(f)}`).join(',\n'));
  const props: [string, string][] = [['projection.enabled', 'true']];
  switch (layout) {
    case 'text':
      lines.push(')', 'PARTITIONED BY (accid string, region string, day string)', "ROW FORMAT DELIMITED FIELDS TERMINATED BY ' '", `LOCATION '${base}AWSLogs/'`, 'TBLPROPERTIES (');
      props.unshift(['skip.header.line.count', '1']);
      props.push(
        ['projection.accid.type', 'enum'], ['projection.accid.values', accounts],
        ['projection.region.type', 'enum'], ['projection.region.values', regions],
        ['projection.day.type', 'date'], ['projection.day.range', `${since},NOW`], ['projection.day.format', 'yyyy/MM/dd'],
        ['storage.location.template', `${base}AWSLogs/\${accid}/vpcflowlogs/\${region}/\${day}`],
      );
      break;
    case 'hive':
      lines.push(')', 'PARTITIONED BY (aws_account_id string, aws_region string, year int, month int, day int)', "ROW FORMAT DELIMITED FIELDS TERMINATED BY ' '", `LOCATION '${base}AWSLogs/'`, 'TBLPROPERTIES (');
      props.unshift(['skip.header.line.count', '1']);
      props.push(
        ['projection.aws_account_id.type', 'enum'], ['projection.aws_account_id.values', accounts],
        ['projection.aws_region.type', 'enum'], ['projection.aws_region.values', regions],
        ['projection.year.type', 'integer'], ['projection.year.range', `${since.slice(0, 4)},2099`],
        ['projection.month.type', 'integer'], ['projection.month.range', '1,12'], ['projection.month.digits', '2'],
        ['projection.day.type', 'integer'], ['projection.day.range', '1,31'], ['projection.day.digits', '2'],
        ['storage.location.template', `${base}AWSLogs/aws-account-id=\${aws_account_id}/aws-service=vpcflowlogs/aws-region=\${aws_region}/year=\${year}/month=\${month}/day=\${day}`],
      );
      break;
    case 'parquet':
      lines.push(')', 'PARTITIONED BY (accid string, region string, `date` string, hour string)',
        "ROW FORMAT SERDE 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe'",
        "STORED AS INPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat'",
        "OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat'", `LOCATION '${base}AWSLogs/'`, 'TBLPROPERTIES (');
      props.unshift(['EXTERNAL', 'true']);
      props.push(
        ['projection.accid.type', 'enum'], ['projection.accid.values', accounts],
        ['projection.region.type', 'enum'], ['projection.region.values', regions],
        ['projection.date.type', 'date'], ['projection.date.range', `${since},NOW`], ['projection.date.format', 'yyyy/MM/dd'],
        ['projection.hour.type', 'integer'], ['projection.hour.range', '0,23'], ['projection.hour.digits', '2'],
        ['storage.location.template', `${base}AWSLogs/\${accid}/vpcflowlogs/\${region}/\${date}/\${hour}`],
      );
      break;
  }
  lines.push(props.map(([k, v]) => `  "${k}" = "${v}"`).join(',\n'), ');');
  return lines.join('\n');
}
