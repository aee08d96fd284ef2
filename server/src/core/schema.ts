// The flow log field schema, as data. Everything that knows a field by name reads it from here.

export type FieldType =
  | 'version'      // 2..11, or Tencent's V1
  | 'account'      // digits, or AWS's `unknown`
  | 'interface'    // eni-<letters/digits>
  | 'address'      // IPv4 or IPv6
  | 'port'         // 0..65535
  | 'protocol'     // IANA protocol number 0..255
  | 'count'        // non-negative integer (packets, bytes)
  | 'timestamp'    // Unix seconds
  | 'enum'         // one of `values`
  | 'tcpFlags'     // bitmask 0..255
  | 'trafficPath'  // 1..8
  | 'integer'      // any non-negative integer code
  | 'text';        // free text / identifiers

export interface FieldDef {
  /** Canonical hyphenated name, as in AWS header lines. */
  readonly name: string;
  /** Other spellings users type: camelCase, snake_case, run-together. */
  readonly aliases: readonly string[];
  readonly type: FieldType;
  /** Allowed values for `enum` fields (case-sensitive). */
  readonly values?: readonly string[];
  /** Known values for `text` fields, documented for hovers; others are allowed. */
  readonly knownValues?: readonly string[];
  /** Expected prefix for identifier fields (`vpc-`, `subnet-`, `i-`). Informational only. */
  readonly prefix?: string;
  readonly description: string;
  /** Format version that introduced the field. */
  readonly since: number;
  /** `-` is an error in an OK record. */
  readonly requiredWhenOk: boolean;
  /** Describes traffic: `-` in NODATA/SKIPDATA records. */
  readonly traffic: boolean;
}

interface FieldSpec {
  name: string;
  type: FieldType;
  description: string;
  since: number;
  values?: string[];
  knownValues?: string[];
  prefix?: string;
  requiredWhenOk?: boolean;
  traffic?: boolean;
  extraAliases?: string[];
}

const AWS_SERVICES = [
  'AMAZON', 'AMAZON_APPFLOW', 'AMAZON_CONNECT', 'API_GATEWAY', 'CHIME_MEETINGS', 'CHIME_VOICECONNECTOR',
  'CLOUD9', 'CLOUDFRONT', 'CODEBUILD', 'DYNAMODB', 'EBS', 'EC2', 'EC2_INSTANCE_CONNECT', 'GLOBALACCELERATOR',
  'KINESIS_VIDEO_STREAMS', 'ROUTE53', 'ROUTE53_HEALTHCHECKS', 'ROUTE53_HEALTHCHECKS_PUBLISHING',
  'ROUTE53_RESOLVER', 'S3', 'WORKSPACES_GATEWAYS',
];

const SPECS: FieldSpec[] = [
  // Default format (Tencent Cloud, AWS version 2): the 14 fields, in order.
  { name: 'version', type: 'version', since: 2, requiredWhenOk: true,
    description: 'Version of the flow log format: `2` in AWS and current Tencent logs (Tencent examples also show `V1`); with an AWS custom format, the highest version among the chosen fields.' },
  { name: 'account-id', type: 'account', since: 2, requiredWhenOk: true,
    description: 'The account (Tencent: appid) that owns the flow log. Digits; AWS may write `unknown`.' },
  { name: 'interface-id', type: 'interface', since: 2, requiredWhenOk: true,
    description: 'The network interface (ENI) the traffic was captured on: `eni-` followed by letters and digits.' },
  { name: 'srcaddr', type: 'address', since: 2, requiredWhenOk: true, traffic: true,
    description: 'Source address (IPv4 or IPv6). For incoming traffic this is the remote peer; for outgoing traffic, the interface\'s own address.' },
  { name: 'dstaddr', type: 'address', since: 2, requiredWhenOk: true, traffic: true,
    description: 'Destination address (IPv4 or IPv6).' },
  { name: 'srcport', type: 'port', since: 2, requiredWhenOk: true, traffic: true,
    description: 'Source port, 0–65535; 0 for protocols without ports (ICMP).' },
  { name: 'dstport', type: 'port', since: 2, requiredWhenOk: true, traffic: true,
    description: 'Destination port, 0–65535; 0 for protocols without ports (ICMP).' },
  { name: 'protocol', type: 'protocol', since: 2, requiredWhenOk: true, traffic: true,
    description: 'IANA protocol number, 0–255 (6 TCP, 17 UDP, 1 ICMP, 58 IPv6-ICMP, 47 GRE, 50 ESP, 51 AH, 132 SCTP, …).' },
  { name: 'packets', type: 'count', since: 2, requiredWhenOk: true, traffic: true,
    description: 'Number of packets transferred in the capture window.' },
  { name: 'bytes', type: 'count', since: 2, requiredWhenOk: true, traffic: true,
    description: 'Number of bytes transferred in the capture window.' },
  { name: 'start', type: 'timestamp', since: 2, requiredWhenOk: true,
    description: 'Start of the capture window, in Unix seconds.', extraAliases: ['start_time'] },
  { name: 'end', type: 'timestamp', since: 2, requiredWhenOk: true,
    description: 'End of the capture window, in Unix seconds (not before `start`).', extraAliases: ['end_time'] },
  { name: 'action', type: 'enum', values: ['ACCEPT', 'REJECT'], since: 2, requiredWhenOk: true, traffic: true,
    description: 'What the security group or network ACL did with the traffic: `ACCEPT` or `REJECT`.' },
  { name: 'log-status', type: 'enum', values: ['OK', 'NODATA', 'SKIPDATA'], since: 2, requiredWhenOk: true,
    description: 'Status of the record: `OK` (data logged normally); `NODATA` (no traffic on the interface in the window); `SKIPDATA` (some records were skipped in the window: capacity limits or internal errors).' },

  // Version 3
  { name: 'vpc-id', type: 'text', prefix: 'vpc-', since: 3, description: 'The VPC that contains the network interface.' },
  { name: 'subnet-id', type: 'text', prefix: 'subnet-', since: 3, description: 'The subnet that contains the network interface.' },
  { name: 'instance-id', type: 'text', prefix: 'i-', since: 3, description: 'The instance associated with the network interface, if you own it.' },
  { name: 'tcp-flags', type: 'tcpFlags', since: 3, traffic: true,
    description: 'Bitmask of TCP flags seen in the window, OR-ed together: FIN 1, SYN 2, RST 4, PSH 8, ACK 16, URG 32 (SYN-ACK is 18).' },
  { name: 'type', type: 'enum', values: ['IPv4', 'IPv6', 'EFA'], since: 3, traffic: true,
    description: 'Type of traffic: `IPv4`, `IPv6` or `EFA` (Elastic Fabric Adapter).', extraAliases: ['traffic_type', 'trafficType'] },
  { name: 'pkt-srcaddr', type: 'address', since: 3, traffic: true,
    description: 'The packet-level (original) source address; differs from `srcaddr` behind a NAT gateway or for secondary addresses.' },
  { name: 'pkt-dstaddr', type: 'address', since: 3, traffic: true,
    description: 'The packet-level (original) destination address.' },

  // Version 4
  { name: 'region', type: 'text', since: 4, description: 'The region that contains the network interface.' },
  { name: 'az-id', type: 'text', since: 4, description: 'The ID of the Availability Zone that contains the network interface.' },
  { name: 'sublocation-type', type: 'enum', values: ['wavelength', 'outpost', 'localzone'], since: 4,
    description: 'Type of sublocation: `wavelength`, `outpost` or `localzone`.' },
  { name: 'sublocation-id', type: 'text', since: 4, description: 'The ID of the sublocation (Wavelength Zone, Outpost or Local Zone).' },

  // Version 5
  { name: 'pkt-src-aws-service', type: 'text', knownValues: AWS_SERVICES, since: 5,
    description: 'The AWS service that owns `pkt-srcaddr`, if any (AMAZON, S3, DYNAMODB, EC2, ROUTE53, CLOUDFRONT, …).' },
  { name: 'pkt-dst-aws-service', type: 'text', knownValues: AWS_SERVICES, since: 5,
    description: 'The AWS service that owns `pkt-dstaddr`, if any.' },
  { name: 'flow-direction', type: 'enum', values: ['ingress', 'egress'], since: 5,
    description: 'Direction of the flow relative to the interface: `ingress` or `egress`.' },
  { name: 'traffic-path', type: 'trafficPath', since: 5,
    description: 'The path egress traffic takes: 1 same VPC, 2 internet or gateway endpoint, 3 virtual private gateway, 4 intra-region peering, 5 inter-region peering, 6 local gateway, 7 gateway endpoint (Nitro), 8 internet gateway (Nitro).' },

  // Version 6: transit gateway flow logs
  { name: 'resource-type', type: 'text', knownValues: ['TransitGateway', 'TransitGatewayAttachment'], since: 6,
    description: 'Type of resource the flow was logged for (transit gateway flow logs).' },
  { name: 'tgw-id', type: 'text', prefix: 'tgw-', since: 6, description: 'The transit gateway.' },
  { name: 'tgw-attachment-id', type: 'text', since: 6, description: 'The transit gateway attachment.' },
  { name: 'tgw-src-vpc-account-id', type: 'account', since: 6, description: 'Account of the source VPC.' },
  { name: 'tgw-dst-vpc-account-id', type: 'account', since: 6, description: 'Account of the destination VPC.' },
  { name: 'tgw-src-vpc-id', type: 'text', since: 6, description: 'Source VPC of the transit gateway traffic.' },
  { name: 'tgw-dst-vpc-id', type: 'text', since: 6, description: 'Destination VPC of the transit gateway traffic.' },
  { name: 'tgw-src-subnet-id', type: 'text', since: 6, description: 'Source subnet of the transit gateway traffic.' },
  { name: 'tgw-dst-subnet-id', type: 'text', since: 6, description: 'Destination subnet of the transit gateway traffic.' },
  { name: 'tgw-src-eni', type: 'text', since: 6, description: 'Source attachment interface of the transit gateway traffic.' },
  { name: 'tgw-dst-eni', type: 'text', since: 6, description: 'Destination attachment interface of the transit gateway traffic.' },
  { name: 'tgw-src-az-id', type: 'text', since: 6, description: 'Availability Zone of the source attachment.' },
  { name: 'tgw-dst-az-id', type: 'text', since: 6, description: 'Availability Zone of the destination attachment.' },
  { name: 'tgw-pair-attachment-id', type: 'text', since: 6, description: 'The peer attachment for the other direction of the flow.' },
  { name: 'packets-lost-no-route', type: 'count', since: 6, description: 'Packets lost because no route matched.' },
  { name: 'packets-lost-blackhole', type: 'count', since: 6, description: 'Packets lost to a blackhole route.' },
  { name: 'packets-lost-mtu-exceeded', type: 'count', since: 6, description: 'Packets lost because they exceeded the MTU.' },
  { name: 'packets-lost-ttl-expired', type: 'count', since: 6, description: 'Packets lost because their TTL expired.' },

  // Version 7: ECS
  { name: 'ecs-cluster-arn', type: 'text', since: 7, description: 'ARN of the ECS cluster of the task.' },
  { name: 'ecs-cluster-name', type: 'text', since: 7, description: 'Name of the ECS cluster of the task.' },
  { name: 'ecs-container-instance-arn', type: 'text', since: 7, description: 'ARN of the ECS container instance (EC2 launch type).' },
  { name: 'ecs-container-instance-id', type: 'text', since: 7, description: 'ID of the ECS container instance (EC2 launch type).' },
  { name: 'ecs-container-id', type: 'text', since: 7, description: 'Docker runtime ID of the container (first container of the task).' },
  { name: 'ecs-second-container-id', type: 'text', since: 7, description: 'Docker runtime ID of the second container of the task.' },
  { name: 'ecs-service-name', type: 'text', since: 7, description: 'Name of the ECS service of the task.' },
  { name: 'ecs-task-definition-arn', type: 'text', since: 7, description: 'ARN of the ECS task definition.' },
  { name: 'ecs-task-arn', type: 'text', since: 7, description: 'ARN of the ECS task.' },
  { name: 'ecs-task-id', type: 'text', since: 7, description: 'ID of the ECS task.' },

  // Version 8
  { name: 'reject-reason', type: 'enum', values: ['BPA'], since: 8,
    description: 'Why traffic was rejected: `BPA` (VPC Block Public Access), or `-`.' },

  // Versions 9–11: newer AWS fields (names as in AWS docs and Vector's VRL parser).
  { name: 'resource-id', type: 'text', since: 9, description: 'The resource (e.g. NAT gateway) the flow was logged for.' },
  { name: 'encryption-status', type: 'integer', since: 9, description: 'Whether the traffic was encrypted in transit: 0 not encrypted, 1 Nitro-encrypted, 2 application-encrypted, 3 both.' },
  { name: 'instance-tag', type: 'text', since: 10, description: 'A tag of the instance.' },
  { name: 'instance-tag-2', type: 'text', since: 10, description: 'A second tag of the instance.' },
  { name: 'interface-tag', type: 'text', since: 10, description: 'A tag of the network interface.' },
  { name: 'interface-tag-2', type: 'text', since: 10, description: 'A second tag of the network interface.' },
  { name: 'asg-tag', type: 'text', since: 10, description: 'A tag of the Auto Scaling group.' },
  { name: 'asg-tag-2', type: 'text', since: 10, description: 'A second tag of the Auto Scaling group.' },
  { name: 'interface-type', type: 'text', since: 11, description: 'Type of the network interface (e.g. `nat_gateway`, `network_load_balancer`).' },
  { name: 'next-hop-interface-id', type: 'text', since: 11, description: 'Network interface of the next hop.' },
  { name: 'next-hop-subnet-id', type: 'text', since: 11, description: 'Subnet of the next hop.' },
  { name: 'next-hop-az-id', type: 'text', since: 11, description: 'Availability Zone of the next hop.' },
  { name: 'next-hop-vpc-id', type: 'text', since: 11, description: 'VPC of the next hop.' },
  { name: 'next-hop-interface-type', type: 'text', since: 11, description: 'Type of the next hop\'s network interface.' },
];

/** `log-status` → `logStatus`; `srcaddr` → `srcAddr` (Logs Insights spells the address/port fields this way). */
function camelCase(name: string): string {
  const parts = name.split('-');
  const camel = parts[0] + parts.slice(1).map((p) => p[0].toUpperCase() + p.slice(1)).join('');
  return camel.replace(/^(src|dst|pktSrc|pktDst)(addr|port)$/, (_, a: string, b: string) => a + b[0].toUpperCase() + b.slice(1));
}

function snakeCase(name: string): string {
  return name.replace(/-/g, '_').replace(/^(src|dst)(addr|port)$/, '$1_$2');
}

function aliasesOf(spec: FieldSpec): string[] {
  const all = new Set([camelCase(spec.name), snakeCase(spec.name), spec.name.replace(/-/g, '_'), spec.name.replace(/-/g, ''), ...(spec.extraAliases ?? [])]);
  all.delete(spec.name);
  return [...all];
}

export const FIELDS: readonly FieldDef[] = SPECS.map((s) => ({
  name: s.name,
  aliases: aliasesOf(s),
  type: s.type,
  values: s.values,
  knownValues: s.knownValues,
  prefix: s.prefix,
  description: s.description,
  since: s.since,
  requiredWhenOk: s.requiredWhenOk ?? false,
  traffic: s.traffic ?? false,
}));

/** The 14 fields of the default format, in order. */
export const DEFAULT_FIELD_NAMES: readonly string[] = FIELDS.filter((f) => f.since === 2).map((f) => f.name);
export const DEFAULT_HEADER_LINE = DEFAULT_FIELD_NAMES.join(' ');

/** Versions a record may carry. AWS documents 2..8 (and newer fields up to 11); Tencent's examples use V1. */
export const KNOWN_VERSIONS: readonly string[] = ['V1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11'];

// Lookup by exact name or alias, and by a loose key (case, `-` and `_` ignored) for typed queries.
const byExact = new Map<string, FieldDef>();
const byLoose = new Map<string, FieldDef>();
const looseKey = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
for (const f of FIELDS) {
  for (const n of [f.name, ...f.aliases]) {
    byExact.set(n, f);
    byLoose.set(looseKey(n), f);
  }
}

/** A field by its canonical name or an alias, exactly as spelled (header lines). */
export function fieldByName(name: string): FieldDef | undefined {
  return byExact.get(name);
}

/** A field by any spelling a user might type: `log-status`, `log_status`, `logStatus`, `LOGSTATUS`. */
export function lookupField(name: string): FieldDef | undefined {
  return byExact.get(name) ?? byLoose.get(looseKey(name));
}

/** Every spelling that names a field, for completion and "did you mean". */
export function allFieldSpellings(): string[] {
  return [...byExact.keys()];
}

/** The closest known field name, for "did you mean" messages (Levenshtein distance ≤ 3). */
export function closestFieldName(name: string): string | undefined {
  const key = looseKey(name);
  let best: string | undefined;
  let bestDistance = 4;
  for (const f of FIELDS) {
    for (const n of [f.name, ...f.aliases]) {
      const d = editDistance(key, looseKey(n));
      if (d < bestDistance) {
        bestDistance = d;
        best = f.name;
      }
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length];
}
