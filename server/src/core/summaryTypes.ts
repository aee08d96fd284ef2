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
}

/** The search for the records counted by Summary.withoutAddresses. */
export const WITHOUT_ADDRESSES_SEARCH = 'NOT srcaddr:* OR NOT dstaddr:*';
