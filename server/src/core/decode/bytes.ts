// Byte counts for people, in binary units: 336 B, 4.1 KiB (4249), 117 KiB, 1.5 MiB.
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

/**
 * Whole bytes below 1024 (`336 B`); above, the largest binary unit that keeps the number at least 1, with one
 * decimal below 100 (`4.1 KiB`, `1.0 MiB`) and none from 100 up (`117 KiB`). Rounding never shows `1024 KiB`
 * (that is `1.0 MiB`) or `100.0` (that is `100`). Negative counts keep their sign.
 */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return `${n} B`;
  if (n < 0) return `-${formatBytes(-n)}`;
  if (n < 1024) return `${Math.round(n)} B`;
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  if (v >= 100 && Math.round(v) >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  if (v < 100) {
    const r = Math.round(v * 10) / 10;
    if (r < 100) return `${r.toFixed(1)} ${UNITS[u]}`;
  }
  return `${Math.round(v)} ${UNITS[u]}`;
}
