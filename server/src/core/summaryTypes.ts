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
