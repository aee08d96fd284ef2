// Unix-second timestamps for people: ISO UTC, the editor's form, local time, durations and windows.

const pad = (n: number) => String(n).padStart(2, '0');

function parts(sec: number, local: boolean) {
  const d = new Date(sec * 1000);
  return local
    ? { y: d.getFullYear(), mo: d.getMonth() + 1, d: d.getDate(), h: d.getHours(), mi: d.getMinutes(), s: d.getSeconds(), offset: -d.getTimezoneOffset() }
    : { y: d.getUTCFullYear(), mo: d.getUTCMonth() + 1, d: d.getUTCDate(), h: d.getUTCHours(), mi: d.getUTCMinutes(), s: d.getUTCSeconds(), offset: 0 };
}

const datePart = (p: ReturnType<typeof parts>) => `${p.y}-${pad(p.mo)}-${pad(p.d)}`;
const timePart = (p: ReturnType<typeof parts>) => `${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}`;

function offsetText(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const m = Math.abs(minutes);
  return `${sign}${pad(Math.floor(m / 60))}:${pad(m % 60)}`;
}

/** `2014-12-14T04:06:50Z` */
export function isoUtc(sec: number): string {
  const p = parts(sec, false);
  return `${datePart(p)}T${timePart(p)}Z`;
}

/** `2014-12-14 04:06:50Z` (inlay hints: short and unambiguous). */
export function shortUtc(sec: number): string {
  const p = parts(sec, false);
  return `${datePart(p)} ${timePart(p)}Z`;
}

/** `2014-12-14 04:06:50 UTC`, or local time with its offset: `2014-12-14 12:06:50 +08:00`. */
export function formatTimestamp(sec: number, zone: 'utc' | 'local'): string {
  const p = parts(sec, zone === 'local');
  return `${datePart(p)} ${timePart(p)} ${zone === 'local' ? offsetText(p.offset) : 'UTC'}`;
}

/** `60 s`, `90 s`, `5 min 2 s`, `1 h 3 min`, `2 d 4 h`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 120) return `${s} s`; // capture windows are typically 60 s: say so in seconds
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  if (s < 86400) return `${Math.floor(s / 3600)} h${Math.floor((s % 3600) / 60) ? ` ${Math.floor((s % 3600) / 60)} min` : ''}`;
  return `${Math.floor(s / 86400)} d${Math.floor((s % 86400) / 3600) ? ` ${Math.floor((s % 86400) / 3600)} h` : ''}`;
}

/** `2014-12-14 04:06:50–04:07:50 UTC` (the date once when both ends fall on the same day). */
export function formatWindow(start: number, end: number, zone: 'utc' | 'local'): string {
  const local = zone === 'local';
  const a = parts(start, local);
  const b = parts(end, local);
  const suffix = local ? offsetText(a.offset) : 'UTC';
  if (datePart(a) === datePart(b)) return `${datePart(a)} ${timePart(a)}–${timePart(b)} ${suffix}`;
  return `${datePart(a)} ${timePart(a)} – ${datePart(b)} ${timePart(b)} ${suffix}`;
}

/** 13-digit values are milliseconds, not seconds. */
export function looksLikeMilliseconds(n: number): boolean {
  return n >= 1e12 && n < 1e13;
}
