// The shape of a flow log summary, on its own so that the webview (browser code) can import it without the
// engine. summary.ts computes it.
export type SummaryValue = string | number | null;

export type SummarySection =
  | 'totals' | 'actions' | 'timeline' | 'topSources' | 'topDestinations' | 'topPairs'
  | 'topRejectedPorts' | 'topRejectedSources' | 'protocols' | 'interfaces';

export interface SummaryTable {
  /** The query that produces this table. */
  query: string;
  columns: string[];
  rows: SummaryValue[][];
}

/**
 * A section's table while the scan goes on (computeSummary's onPartial): so far, not final. Small sections are
 * exact for the records read; a top list is `provisional` (the threads' best groups so far, merged: a talker can
 * be missing or out of place), and `estimated` past the point where its counting turned to a sketch (some values
 * are upper estimates). The final table replaces it.
 */
export interface SummaryPartial {
  /** Share of the input read, 0–1 (bytes as stored). */
  fraction: number;
  /** Records read so far. */
  records: number;
  provisional?: boolean;
  estimated?: boolean;
}

export interface TimelineBucket {
  /** Bucket start, ISO UTC. */
  t: string;
  acceptRecords: number;
  acceptBytes: number;
  rejectRecords: number;
  rejectBytes: number;
  /** NODATA/SKIPDATA and other records without an action. */
  otherRecords: number;
  /** The search that selects this bucket's records. */
  query: string;
}

export interface Summary {
  records: number;
  malformed: number;
  bytes: number;
  packets: number;
  firstStart: number | null;
  lastEnd: number | null;
  interfaces: number;
  /**
   * Records without a source or a destination address (NODATA and SKIPDATA records have neither): left out of the
   * top lists, counted here. The search for them is WITHOUT_ADDRESSES_SEARCH.
   */
  withoutAddresses: number;
  sections: Record<SummarySection, SummaryTable>;
  /** Bucket size chosen from the span, and every bucket from the first to the last (empty ones as zero). */
  bucketSeconds: number;
  timeline: TimelineBucket[];
  /** A summary of several files (a folder): one row a file, in the order read; FILES_QUERY computes them. */
  files?: FileSummary[];
  /** Groups written to a temporary folder to stay within the memory budget (`flowlog.query.memoryBudgetMB`). */
  spilled?: { runs: number; partitions: number; bytes: number };
  /** Top lists that took two passes (a sketch, then exact totals of the candidates) to stay within that budget. */
  twoPass?: number;
}

/** One file (one delivery) of a summary over several. */
export interface FileSummary {
  path: string;
  /** Size on disk (compressed). */
  size: number;
  records: number;
  bytes: number;
  rejects: number;
  /** Why the file could not be read (or not to its end); its records before that count. */
  error?: string;
}

/** The query behind the per-file breakdown. */
export const FILES_QUERY = "* | select file, count(*) as records, sum(bytes) as bytes, sum(action = 'REJECT') as rejects group by file order by file";

/** The search for the records counted by Summary.withoutAddresses. */
export const WITHOUT_ADDRESSES_SEARCH = 'NOT srcaddr:* OR NOT dstaddr:*';

/**
 * The queries behind the summary, in CLS syntax. NULL is not a talker: the top lists leave out records without the
 * address (or protocol) they rank (NODATA/SKIPDATA records have none), and the totals count those records apart.
 * The top lists are top-Ns by a sum or a count: over many addresses they take the engine's two-pass plan (a sketch,
 * then the candidates: groups/topN.ts) instead of holding every address.
 */
export const SUMMARY_QUERIES = {
  totals: '* | select count(*) as records, sum(bytes) as bytes, sum(packets) as packets, min(start) as first_start, max(end) as last_end, count(distinct interface_id) as interfaces, sum(srcaddr is null or dstaddr is null) as without_addresses',
  actions: '* | select action, count(*) as records, sum(bytes) as bytes group by action order by action',
  // Minute buckets while scanning; the view's bucket size is chosen from the span afterwards (sums merge exactly).
  timeline: '* | select histogram(start, interval 1 minute) as t, action, count(*) as records, sum(bytes) as bytes group by t, action order by t, action',
  topSources: 'srcaddr:* | select srcaddr, sum(bytes) as bytes, count(*) as records group by srcaddr order by bytes desc, srcaddr limit 10',
  topDestinations: 'dstaddr:* | select dstaddr, sum(bytes) as bytes, count(*) as records group by dstaddr order by bytes desc, dstaddr limit 10',
  topPairs: 'srcaddr:* AND dstaddr:* | select srcaddr, dstaddr, sum(bytes) as bytes, count(*) as records group by srcaddr, dstaddr order by bytes desc, srcaddr, dstaddr limit 10',
  topRejectedPorts: 'action:REJECT | select dstport, service_name(dstport) as service, count(*) as records group by dstport order by records desc, dstport limit 10',
  topRejectedSources: 'action:REJECT AND srcaddr:* | select srcaddr, count(*) as records group by srcaddr order by records desc, srcaddr limit 10',
  protocols: '* | select protocol, protocol_name(protocol) as name, count(*) as records, sum(bytes) as bytes group by protocol having protocol is not null order by records desc, protocol',
  interfaces: "* | select interface_id, count(*) as records, sum(bytes) as bytes, sum(action = 'REJECT') as rejects, sum(log_status = 'NODATA') as nodata, sum(log_status = 'SKIPDATA') as skipdata group by interface_id order by records desc, interface_id",
} as const satisfies Record<SummarySection, string>;
