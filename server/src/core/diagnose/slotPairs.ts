// Open-addressing slots as (value + 1, hash) pairs in one Int32Array (0: empty), probed linearly from hash & mask:
// the layout of the scan tables (wordTable.ts).

/** The slots rehashed into twice as many; the new mask is `slots.length / 2 - 1`. */
export function doubledSlotPairs(old: Int32Array): Int32Array {
  const slots = new Int32Array(old.length * 2);
  const mask = slots.length / 2 - 1;
  for (let s = 0; s < old.length; s += 2) {
    const v = old[s];
    if (v === 0) continue;
    const h = old[s + 1];
    let slot = h & mask;
    while (slots[slot * 2] !== 0) slot = (slot + 1) & mask;
    slots[slot * 2] = v;
    slots[slot * 2 + 1] = h;
  }
  return slots;
}
