// Unix-second timestamps for people: ISO UTC, the inlay-hint form, local time, durations and capture windows.
// Local time is the process time zone (TZ), read through Date's local getters.

export type TimeZoneSetting = 'utc' | 'local';

const pad = (n: number) => (n < 10 ? `0${n}` : String(n));

interface Parts {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
  /** Minutes east of UTC (0 in UTC). */
  offset: number;
}

function parts(sec: number, local: boolean): Parts {
  const d = new Date(sec * 1000);
  return local
    ? { y: d.getFullYear(), mo: d.getMonth() + 1, d: d.getDate(), h: d.getHours(), mi: d.getMinutes(), s: d.getSeconds(), offset: -d.getTimezoneOffset() }
    : { y: d.getUTCFullYear(), mo: d.getUTCMonth() + 1, d: d.getUTCDate(), h: d.getUTCHours(), mi: d.getUTCMinutes(), s: d.getUTCSeconds(), offset: 0 };
}

/** Whether `sec` can be shown as a date (Date's range is ±8.64e12 seconds around 1970). */
function isShowable(sec: number): boolean {
  return Number.isFinite(sec) && Math.abs(sec) <= 8.64e12;
}

const datePart = (p: Parts) => `${p.y}-${pad(p.mo)}-${pad(p.d)}`;
const timePart = (p: Parts) => `${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}`;

/** `+08:00`, `-05:30`, `+00:00`. */
export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const m = Math.abs(Math.round(minutes));
  return `${sign}${pad(Math.floor(m / 60))}:${pad(m % 60)}`;
}

/** `2014-12-14T04:06:50Z` (1418530010). Fractions of a second are dropped. `invalid time` outside Date's range. */
export function isoUtc(sec: number): string {
  if (!isShowable(sec)) return 'invalid time';
  const p = parts(Math.floor(sec), false);
  return `${datePart(p)}T${timePart(p)}Z`;
}

/** `2014-12-14 04:06:50Z`: the inlay-hint form, short and unambiguous. */
export function shortUtc(sec: number): string {
  if (!isShowable(sec)) return 'invalid time';
  const p = parts(Math.floor(sec), false);
  return `${datePart(p)} ${timePart(p)}Z`;
}

/** `2014-12-14 04:06:50 UTC`, or local time with its offset: `2014-12-14 12:06:50 +08:00`. */
export function formatTimestamp(sec: number, zone: TimeZoneSetting): string {
  if (!isShowable(sec)) return 'invalid time';
  const p = parts(Math.floor(sec), zone === 'local');
  return `${datePart(p)} ${timePart(p)} ${zone === 'local' ? formatOffset(p.offset) : 'UTC'}`;
}

/**
 * `60 s`, `90 s`, `5 min 2 s`, `1 h 3 min`, `2 d 4 h`: seconds up to 119 (capture windows are typically 60 s
 * and read best in seconds), then two units at most, zero second units omitted (`5 min`, `1 h`, `2 d`). Rounds to
 * whole seconds; a negative duration keeps its sign (`-5 s`).
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'invalid duration';
  const s = Math.round(Math.abs(seconds));
  const sign = seconds < 0 && s > 0 ? '-' : '';
  const two = (big: number, bigUnit: string, small: number, smallUnit: string) =>
    `${sign}${big} ${bigUnit}${small ? ` ${small} ${smallUnit}` : ''}`;
  if (s < 120) return `${sign}${s} s`;
  if (s < 3600) return two(Math.floor(s / 60), 'min', s % 60, 's');
  if (s < 86400) return two(Math.floor(s / 3600), 'h', Math.floor((s % 3600) / 60), 'min');
  return two(Math.floor(s / 86400), 'd', Math.floor((s % 86400) / 3600), 'h');
}

/**
 * A capture window: `2014-12-14 04:06:50–04:07:50 UTC` (the date once when both ends fall on the same day), else
 * `2014-12-14 23:59:00 – 2014-12-15 00:01:00 UTC`. In local time the offset ends it (`… +08:00`); when the two ends
 * have different offsets (a daylight-saving change inside the window) each end carries its own.
 */
export function formatWindow(start: number, end: number, zone: TimeZoneSetting): string {
  if (!isShowable(start) || !isShowable(end)) return 'invalid time';
  const local = zone === 'local';
  const a = parts(Math.floor(start), local);
  const b = parts(Math.floor(end), local);
  const zoneOf = (p: Parts) => (local ? formatOffset(p.offset) : 'UTC');
  if (a.offset !== b.offset) return `${datePart(a)} ${timePart(a)} ${zoneOf(a)} – ${datePart(b)} ${timePart(b)} ${zoneOf(b)}`;
  if (datePart(a) === datePart(b)) return `${datePart(a)} ${timePart(a)}–${timePart(b)} ${zoneOf(a)}`;
  return `${datePart(a)} ${timePart(a)} – ${datePart(b)} ${timePart(b)} ${zoneOf(a)}`;
}

/**
 * 13-digit values (1e12 ≤ n < 1e13: 2001-09-09 to 2286-11-20 in milliseconds) are milliseconds, not the Unix
 * seconds flow logs use.
 */
export function looksLikeMilliseconds(n: number): boolean {
  return n >= 1e12 && n < 1e13;
}
