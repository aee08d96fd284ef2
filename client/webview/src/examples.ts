// The example queries one click away in the query panel: the questions people open a flow log with.
export interface ExampleQuery {
  label: string;
  query: string;
}

export const EXAMPLE_QUERIES: readonly ExampleQuery[] = [
  { label: 'Rejected traffic', query: 'action:REJECT' },
  { label: 'Top talkers by bytes', query: '* | select srcaddr, dstaddr, sum(bytes) as bytes, count(*) as records group by srcaddr, dstaddr order by bytes desc limit 20' },
  { label: 'Top rejected ports', query: 'action:REJECT | select dstport, service_name(dstport) as service, count(*) as records group by dstport order by records desc limit 20' },
  { label: 'SSH/RDP attempts', query: '(dstport:22 OR dstport:3389) | select srcaddr, dstport, action, count(*) as attempts group by srcaddr, dstport, action order by attempts desc limit 50' },
  { label: 'Traffic per 5 minutes', query: '* | select histogram(start, interval 5 minute) as t, sum(bytes) as bytes, count(*) as records group by t order by t' },
  { label: 'Broken conversations', query: 'NOT verdict:ok | select verdict, interface_id, service, count(*) as conversations group by verdict, interface_id, service order by conversations desc limit 50' },
  { label: 'NODATA/SKIPDATA windows', query: "log-status:NODATA OR log-status:SKIPDATA | select interface_id, log_status, count(*) as windows, min(start) as first_start, max(end) as last_end group by interface_id, log_status order by windows desc" },
];
