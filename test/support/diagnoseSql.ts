// The connectivity diagnosis's verdict counts in plain SQL (DuckDB), for the differential test and the benchmark's
// peer. The same rule as server/src/core/diagnose (join.ts, roles.ts, verdict.ts), written from its documentation:
//
// 1. Traffic records: log-status OK, every traffic field present, action ACCEPT or REJECT, both addresses of one
//    family (IPv4 or IPv6: the diagnosis sets the others aside as records without what a conversation needs).
// 2. The key: interface, protocol, and the two endpoints (address|port as text) in a fixed order (least/greatest);
//    `dir` says which endpoint sent the record.
// 3. Conversations: under one key, records whose windows [start, end + slack] overlap are one conversation. Sorted
//    by start, a record starts a new conversation exactly when no earlier record of its key reaches it
//    (earlier.end + slack >= its start). `selfJoin` finds those starts with a NOT EXISTS self-join and assigns each
//    record to the latest start at or before it (a second join); `window` computes the same with a running max.
// 4. Roles: the side on the more client-like port (rank 0 service: below 1024 or a known service port below 32768;
//    1 other registered; 2 from 32768) asked; on a tie, the only direction with accepted records; then the earlier
//    first start; then the direction with fewer rejected records (past that the verdict is the same either way).
//    TCP flags are not used here: the files it runs on have the default format, without tcp-flags.
// 5. Verdicts: request accepted and reply rejected: response-rejected; request accepted and reply accepted: ok;
//    request accepted, no reply: no-response for TCP/ICMP/IPv6-ICMP, else one-way; request only rejected:
//    request-rejected; request never logged: one-way.
import { registeredServicePorts } from '../../server/src/core/diagnose/roles';

export type Formulation = 'selfJoin' | 'window';

/** `flows` is a table or a table function (read_csv(...)) with the default fields, snake_case. */
export function verdictCountsSql(flows: string, slack: number, formulation: Formulation): string {
  return `${conversationsSql(flows, slack, formulation)}
SELECT verdict, count(*) AS conversations FROM verdicts GROUP BY verdict ORDER BY verdict`;
}

/** Conversations of one verdict per interface: (interface_id, conversations), by interface. */
export function verdictByInterfaceSql(flows: string, slack: number, formulation: Formulation, verdict: string): string {
  return `${conversationsSql(flows, slack, formulation)}
SELECT ifc AS interface_id, count(*) AS conversations FROM verdicts WHERE verdict = '${verdict.replace(/'/g, "''")}' GROUP BY ifc ORDER BY ifc`;
}

/** The WITH clauses up to `verdicts` (one row per conversation: ifc, proto, verdict). */
function conversationsSql(flows: string, slack: number, formulation: Formulation): string {
  const services = registeredServicePorts().join(', ');
  const rank = (p: string) => `(CASE WHEN ${p} >= 32768 THEN 2 WHEN ${p} < 1024 OR ${p} IN (${services}) THEN 0 ELSE 1 END)`;
  const base = `
r AS (
  SELECT row_number() OVER () AS id, interface_id AS ifc, protocol AS proto, srcport, dstport, start, "end", action,
         srcaddr || '|' || srcport AS s, dstaddr || '|' || dstport AS d
  FROM ${flows}
  WHERE log_status = 'OK' AND interface_id IS NOT NULL AND srcaddr IS NOT NULL AND dstaddr IS NOT NULL AND srcport IS NOT NULL
    AND dstport IS NOT NULL AND protocol IS NOT NULL AND start IS NOT NULL AND "end" IS NOT NULL AND action IN ('ACCEPT', 'REJECT')
    AND contains(srcaddr, ':') = contains(dstaddr, ':')
),
k AS (
  SELECT id, ifc, proto, start, "end", action, least(s, d) AS lo, greatest(s, d) AS hi,
         CASE WHEN s <= d THEN 0 ELSE 1 END AS dir,
         CASE WHEN s <= d THEN srcport ELSE dstport END AS lo_port,
         CASE WHEN s <= d THEN dstport ELSE srcport END AS hi_port
  FROM r
)`;
  const islands = formulation === 'selfJoin'
    ? `,
starts AS (
  SELECT a.id, a.ifc, a.proto, a.lo, a.hi, a.start FROM k a
  WHERE NOT EXISTS (
    SELECT 1 FROM k b
    WHERE b.ifc = a.ifc AND b.proto = a.proto AND b.lo = a.lo AND b.hi = a.hi
      AND (b.start < a.start OR (b.start = a.start AND b.id < a.id))
      AND b."end" + ${slack} >= a.start)
),
member AS (
  SELECT k.id, arg_max(st.id, st.start) AS conv
  FROM k JOIN starts st ON st.ifc = k.ifc AND st.proto = k.proto AND st.lo = k.lo AND st.hi = k.hi
    AND (st.start < k.start OR (st.start = k.start AND st.id <= k.id))
  GROUP BY k.id
),
kc AS (SELECT k.*, member.conv FROM k JOIN member USING (id))`
    : `,
k2 AS (
  SELECT *, max("end") OVER (PARTITION BY ifc, proto, lo, hi ORDER BY start, id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
  FROM k
),
kc AS (
  SELECT *, ifc || '/' || proto || '/' || lo || '/' || hi || '/' ||
         sum(CASE WHEN reach IS NULL OR start > reach + ${slack} THEN 1 ELSE 0 END)
           OVER (PARTITION BY ifc, proto, lo, hi ORDER BY start, id ROWS UNBOUNDED PRECEDING) AS conv
  FROM k2
)`;
  return `WITH ${base}${islands},
conv AS (
  SELECT conv, any_value(ifc) AS ifc, any_value(proto) AS proto, any_value(lo_port) AS lo_port, any_value(hi_port) AS hi_port,
         count(*) FILTER (WHERE dir = 0 AND action = 'ACCEPT') AS a0, count(*) FILTER (WHERE dir = 0 AND action = 'REJECT') AS r0,
         count(*) FILTER (WHERE dir = 1 AND action = 'ACCEPT') AS a1, count(*) FILTER (WHERE dir = 1 AND action = 'REJECT') AS r1,
         coalesce(min(start) FILTER (WHERE dir = 0), 1e18) AS f0, coalesce(min(start) FILTER (WHERE dir = 1), 1e18) AS f1
  FROM kc GROUP BY conv
),
roles AS (
  SELECT *, CASE
    WHEN ${rank('lo_port')} <> ${rank('hi_port')} THEN CASE WHEN ${rank('lo_port')} > ${rank('hi_port')} THEN 0 ELSE 1 END
    WHEN (a0 > 0) <> (a1 > 0) THEN CASE WHEN a0 > 0 THEN 0 ELSE 1 END
    WHEN f0 <> f1 THEN CASE WHEN f0 < f1 THEN 0 ELSE 1 END
    WHEN r0 <> r1 THEN CASE WHEN r0 < r1 THEN 0 ELSE 1 END
    ELSE 0 END AS req
  FROM conv
),
oriented AS (
  SELECT ifc, proto, CASE WHEN req = 0 THEN a0 ELSE a1 END AS qa, CASE WHEN req = 0 THEN r0 ELSE r1 END AS qr,
         CASE WHEN req = 0 THEN a1 ELSE a0 END AS pa, CASE WHEN req = 0 THEN r1 ELSE r0 END AS pr
  FROM roles
),
verdicts AS (
  SELECT ifc, proto, CASE
    WHEN qa > 0 AND pr > 0 THEN 'response-rejected'
    WHEN qa > 0 AND pa > 0 THEN 'ok'
    WHEN qa > 0 THEN CASE WHEN proto IN (1, 6, 58) THEN 'no-response' ELSE 'one-way' END
    WHEN qr > 0 THEN 'request-rejected'
    ELSE 'one-way' END AS verdict
  FROM oriented
)`;
}

export const FLOW_COLUMNS = "{'version': 'VARCHAR', 'account_id': 'VARCHAR', 'interface_id': 'VARCHAR', 'srcaddr': 'VARCHAR', 'dstaddr': 'VARCHAR', 'srcport': 'BIGINT', 'dstport': 'BIGINT', 'protocol': 'BIGINT', 'packets': 'BIGINT', 'bytes': 'BIGINT', 'start': 'BIGINT', 'end': 'BIGINT', 'action': 'VARCHAR', 'log_status': 'VARCHAR'}";

/** read_csv of a default-format file with a header line (`-` is NULL). */
export function readFlowsSql(path: string): string {
  return `read_csv('${path.replace(/'/g, "''")}', delim=' ', header=true, nullstr='-', auto_detect=false, columns=${FLOW_COLUMNS})`;
}
