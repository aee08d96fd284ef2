// traffic-path (version 5): the path egress traffic takes to its destination.
const PATHS = new Map<number, string>([
  [1, 'through another resource in the same VPC'],
  [2, 'through an internet gateway or a gateway VPC endpoint'],
  [3, 'through a virtual private gateway'],
  [4, 'through an intra-region VPC peering connection'],
  [5, 'through an inter-region VPC peering connection'],
  [6, 'through a local gateway'],
  [7, 'through a gateway VPC endpoint (Nitro-based instances only)'],
  [8, 'through an internet gateway (Nitro-based instances only)'],
]);

export function trafficPathMeaning(n: number): string | undefined {
  return PATHS.get(n);
}
