// flowlog/diagnoseSpans and flowlog/diagnoseBars: the exact NODATA, SKIPDATA and gap spans of one interface of a
// diagnosis, which the Diagnose section asks for when the user opens that interface's list, and the coverage bars of
// the interfaces past those the result carries (when the user shows more interfaces). The last few diagnoses' are
// kept here in typed arrays (spans: at most DIAGNOSE_MAX_INTERFACES × DIAGNOSE_MAX_SPANS × 17 bytes, 3.4 MB; bars: at
// most 9 × columns segments of 32 bytes an interface, 11 MB, typically a tenth of that).
import { randomUUID } from 'node:crypto';
import { Connection } from 'vscode-languageserver';
import { DiagnoseBarsRequest, DiagnoseSpansRequest } from '../protocol';
import { CoverageSpans, interfaceBars, interfaceSpans } from './coverageWire';

/** Diagnoses whose spans are kept (a summary panel per flow log; an older one's list says to diagnose again). */
const KEPT_DIAGNOSES = 4;

export class KeptCoverageSpans {
  private readonly kept = new Map<string, CoverageSpans>();
  private next = 0;
  /** Keys of another server run (a view that outlived a restart) must not name this run's diagnoses. */
  private readonly run = randomUUID().slice(0, 8);

  /** Keeps `spans`, dropping the oldest beyond KEPT_DIAGNOSES; the key to ask for them. */
  keep(spans: CoverageSpans): string {
    const key = `${this.run}-${++this.next}`;
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
  connection.onRequest(DiagnoseBarsRequest, (params) => {
    const spans = typeof params?.spansKey === 'string' ? kept.get(params.spansKey) : undefined;
    return spans && Array.isArray(params.interfaceIds) ? interfaceBars(spans, params.interfaceIds.filter((id) => typeof id === 'string')) : null;
  });
}
