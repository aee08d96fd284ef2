// flowlog/diagnoseSpans: the exact NODATA, SKIPDATA and gap spans of one interface of a diagnosis, which the Diagnose
// section asks for when the user opens that interface's list (the result itself carries a bar of bounded segments).
// The spans of the last few diagnoses are kept here in typed arrays (at most DIAGNOSE_MAX_INTERFACES ×
// DIAGNOSE_MAX_SPANS × 17 bytes each: 3.4 MB; a day of 10-minute windows on 200 interfaces is under 1 MB).
import { Connection } from 'vscode-languageserver';
import { DiagnoseSpansRequest } from '../protocol';
import { CoverageSpans, interfaceSpans } from './coverageWire';

/** Diagnoses whose spans are kept (a summary panel per flow log; an older one's list says to diagnose again). */
const KEPT_DIAGNOSES = 4;

export class KeptCoverageSpans {
  private readonly kept = new Map<string, CoverageSpans>();
  private next = 0;

  /** Keeps `spans`, dropping the oldest beyond KEPT_DIAGNOSES; the key to ask for them. */
  keep(spans: CoverageSpans): string {
    const key = `d${++this.next}`;
    this.kept.set(key, spans);
    for (const old of this.kept.keys()) {
      if (this.kept.size <= KEPT_DIAGNOSES) break;
      this.kept.delete(old);
    }
    return key;
  }

  get(key: string): CoverageSpans | undefined {
    return this.kept.get(key);
  }
}

export function registerDiagnoseSpansHandler(connection: Connection, kept: KeptCoverageSpans): void {
  connection.onRequest(DiagnoseSpansRequest, (params) => {
    const spans = typeof params?.spansKey === 'string' ? kept.get(params.spansKey) : undefined;
    return spans && typeof params.interfaceId === 'string' ? interfaceSpans(spans, params.interfaceId) : null;
  });
}
