// Counts for people, grouped as en-US writes them: 1,234,567. A safe integer is grouped here; anything else (-0,
// fractions, huge or non-finite numbers) goes to Intl, whose first use in a process costs 15–35 ms of ICU set-up
// (a diagnosis's readings ran into it every time).

let intl: Intl.NumberFormat | undefined;

/** `n` as en-US groups it (`Intl.NumberFormat('en-US').format(n)`), whole numbers without Intl. */
export function formatCount(n: number): string {
  if (!Number.isSafeInteger(n) || Object.is(n, -0)) return (intl ??= new Intl.NumberFormat('en-US')).format(n);
  const digits = String(Math.abs(n));
  let out = digits.length > 3 ? digits.slice(0, digits.length % 3 || 3) : digits;
  for (let k = out.length; k < digits.length; k += 3) out += `,${digits.slice(k, k + 3)}`;
  return n < 0 ? `-${out}` : out;
}

/** `n` and the noun that goes with it: `1 record`, `4,249 records` (`many` for an irregular plural). */
export function countOf(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}
