// traffic-path (version 5): the path egress traffic takes to its destination. AWS writes `-` for ingress traffic
// and for paths it cannot determine. Source: AWS VPC User Guide, "Flow log records", available fields.

const SHORT: readonly (string | undefined)[] = [
  undefined,
  'same VPC',
  'internet gateway or gateway VPC endpoint',
  'virtual private gateway',
  'intra-region VPC peering',
  'inter-region VPC peering',
  'local gateway',
  'gateway VPC endpoint (Nitro)',
  'internet gateway (Nitro)',
];

const LONG: readonly (string | undefined)[] = [
  undefined,
  'through another resource in the same VPC, including resources that create a network interface in the VPC',
  'through an internet gateway or a gateway VPC endpoint',
  'through a virtual private gateway',
  'through an intra-region VPC peering connection',
  'through an inter-region VPC peering connection',
  'through a local gateway',
  'through a gateway VPC endpoint (Nitro-based instances only)',
  'through an internet gateway (Nitro-based instances only)',
];

/** 1 → `same VPC`, 2 → `internet gateway or gateway VPC endpoint`, … 8 → `internet gateway (Nitro)`; else undefined. */
export function trafficPathMeaning(n: number): string | undefined {
  return Number.isInteger(n) && n >= 1 && n <= 8 ? SHORT[n] : undefined;
}

/** AWS's full wording for hovers: 1 → `through another resource in the same VPC, …`; else undefined. */
export function trafficPathDescription(n: number): string | undefined {
  return Number.isInteger(n) && n >= 1 && n <= 8 ? LONG[n] : undefined;
}
