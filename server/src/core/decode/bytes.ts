// Byte counts for people: 336 B, 4.1 KiB, 117 KiB, 1.5 MiB.
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  const text = v < 100 ? (Math.round(v * 10) / 10).toFixed(1) : String(Math.round(v));
  return `${text.replace(/\.0$/, '.0')} ${UNITS[u]}`;
}
