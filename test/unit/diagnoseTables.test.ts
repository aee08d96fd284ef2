// The diagnosis's hash tables on their own, against plain Maps: the interface interner (with its cache of recent
// ids), the scan windows' word table, and the join's key table with its chains and backward-shift deletion; and the
// interface addresses' counters and a compact conversation's row against plain models.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ByteInterner } from '../../server/src/core/diagnose/byteInterner';
import { WordTable } from '../../server/src/core/diagnose/wordTable';
import { ConversationStore } from '../../server/src/core/diagnose/store';
import { BIT_HAS_FLAGS, KW, ROW, hashKey } from '../../server/src/core/diagnose/storeRow';
import { recordVerdict, verdictOf } from '../../server/src/core/diagnose/closing';
import { LocalAddresses } from '../../server/src/core/diagnose/localAddress';
import { META_TRAFFIC, META_V6, RECORD_WORDS, RecordBatch, W_DST, W_IFACE, W_META, W_SRC } from '../../server/src/core/diagnose/packed';

/** A conversation key of these tests: interface `iface`, `protocol`, 10.0.0.0 + k to 10.0.0.1 on `port`, in `key`. */
function writeKey(key: Int32Array, iface: number, protocol: number, k: number, port: number): Int32Array {
  key.fill(0);
  key[0] = iface;
  key[1] = protocol;
  key[2] = 0x0a000000 + k;
  key[6] = 0x0a000001;
  key[10] = port << 16;
  return key;
}

/** The open conversations of a key, newest first, as the store chains them. */
function chainOf(store: ConversationStore, key: Int32Array, hash: number): number[] {
  const chain: number[] = [];
  for (let c = store.keys.find(key, 0, hash); c >= 0; c = store.keys.nexts[c]) chain.push(c);
  return chain;
}

/**
 * Opens and removes conversations as `ops` say, checking before each open that the key's newest is found; returns
 * the model: per key, its open conversations, newest first.
 */
function applyOps(store: ConversationStore, ops: readonly { key: number; remove: boolean; pick: number }[], keyOf: (k: number) => Int32Array, hashOf: (k: number) => number): Map<number, number[]> {
  const open = new Map<number, number[]>();
  for (const op of ops) {
    const list = open.get(op.key) ?? [];
    if (op.remove && list.length > 0) store.remove(list.splice(op.pick % list.length, 1)[0]);
    else {
      const key = keyOf(op.key);
      const hash = hashOf(op.key);
      assert.equal(store.keys.find(key, 0, hash), list.length > 0 ? list[0] : -1, `key ${op.key}`);
      list.unshift(store.open(key, 0, hash, store.keys.lastSlot));
    }
    open.set(op.key, list);
  }
  return open;
}

const bytesOf = (s: string) => Buffer.from(s, 'latin1');

describe('ByteInterner', () => {
  it('numbers ids in first-seen order, whatever ids look alike (same length, same last four bytes)', () => {
    const interner = new ByteInterner();
    const ids: string[] = [];
    // Ids that the recent-id cache cannot tell apart by length and tail, ids shorter than four bytes, long ones.
    for (let k = 0; k < 3000; k++) ids.push(`eni-${k.toString(16).padStart(8, '0')}abcd`);
    for (let k = 0; k < 300; k++) ids.push(`e${k}`.slice(0, 1 + (k % 3)));
    for (let k = 0; k < 300; k++) ids.push(`eni-${'x'.repeat(k % 40)}${k}`);
    const expected = new Map<string, number>();
    const seq = fc.sample(fc.integer({ min: 0, max: ids.length - 1 }), { numRuns: 40000, seed: 7 });
    // A buffer with other bytes around the id, as in a chunk.
    for (const k of [...ids.keys(), ...seq]) {
      const text = ids[k];
      const buf = bytesOf(`2 123 ${text} 10.0.0.1`);
      if (!expected.has(text)) expected.set(text, expected.size);
      assert.equal(interner.id(buf, 6, 6 + text.length), expected.get(text), text);
    }
    assert.deepEqual(interner.list, [...expected.keys()]);
  });

  it('answers -1 for a new id past its maximum, and still knows the others', () => {
    const interner = new ByteInterner(3);
    for (const t of ['eni-a1', 'eni-b2', 'eni-c3']) interner.id(bytesOf(t), 0, t.length);
    assert.equal(interner.id(bytesOf('eni-d4'), 0, 6), -1);
    assert.equal(interner.id(bytesOf('eni-b2'), 0, 6), 1);
    assert.equal(interner.id(bytesOf('eni-a1'), 0, 6), 0);
  });
});

describe('WordTable', () => {
  for (const width of [1, 3, 4, 9, 10]) {
    it(`keeps ${width}-word keys as a Map would, entries in insertion order, across clears`, () => {
      const table = new WordTable(width, 2, 4);
      const key = new Int32Array(width);
      for (let round = 0; round < 3; round++) {
        const reference = new Map<string, number>();
        // Few values a word for wide keys, many for one-word keys: thousands of distinct keys either way, and repeats.
        const r = width === 1 ? 3000 : 3;
        const values = fc.sample(fc.array(fc.integer({ min: -r, max: r }), { minLength: width, maxLength: width }), { numRuns: 8000, seed: round + width });
        for (const v of values) {
          key.set(v);
          const name = v.join(',');
          const e = table.upsert(key, 0);
          if (reference.has(name)) assert.equal(e, reference.get(name), name);
          else {
            assert.equal(e, -1 - reference.size, name);
            reference.set(name, reference.size);
          }
          table.values[(e < 0 ? -1 - e : e) * 2]++;
          assert.equal(table.find(key, 0), reference.get(name));
        }
        assert.equal(table.size, reference.size);
        for (const [name, e] of reference) assert.deepEqual([...table.keys.subarray(e * width, e * width + width)], name.split(',').map(Number));
        const counted = values.reduce((n) => n + 1, 0);
        let sum = 0;
        for (let e = 0; e < table.size; e++) sum += table.values[e * 2];
        assert.equal(sum, counted);
        table.clear();
        assert.equal(table.size, 0);
        for (let e = 0; e < 8; e++) assert.equal(table.values[e * 2], 0, 'values are zero again after a clear');
      }
    });
  }

  it('adds no key past its limit (NaN) but still finds the keys it has', () => {
    const table = new WordTable(1, 1, 4);
    const key = new Int32Array(1);
    for (let k = 0; k < 5; k++) {
      key[0] = k;
      assert.equal(table.upsert(key, 0, 5), -1 - k);
    }
    key[0] = 99;
    assert.ok(Number.isNaN(table.upsert(key, 0, 5)));
    key[0] = 3;
    assert.equal(table.upsert(key, 0, 5), 3);
  });
});

describe('ConversationStore key table', () => {
  it('finds the newest open conversation of each key through opens and removals (chains, backward shifts, growth)', () => {
    // Keys from a small set (chains of several conversations) and from a large one (the table fills to half and grows:
    // clusters, so removals shift entries back).
    const keyArb = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 41, max: 3000 }));
    const opsArb = fc.array(fc.record({ key: keyArb, remove: fc.boolean(), pick: fc.nat() }), { minLength: 200, maxLength: 8000, size: 'max' });
    fc.assert(fc.property(opsArb, (ops) => {
      const store = new ConversationStore(Infinity);
      const key = new Int32Array(KW);
      const keyOf = (k: number) => writeKey(key, k % 3, 6, k, 443);
      const hashOf = (k: number) => hashKey(keyOf(k), 0, 0);
      const open = applyOps(store, ops, keyOf, hashOf);
      store.trim();
      for (const [k, list] of open) assert.deepEqual(chainOf(store, keyOf(k), hashOf(k)), list, `key ${k}`);
      let live = 0;
      for (let c = 0; c < store.high; c++) if (store.isOpen(c)) live++;
      assert.equal(live, [...open.values()].reduce((n, l) => n + l.length, 0));
      assert.equal(store.live, live);
    }), { numRuns: 60 });
  });
});

describe('ConversationStore key table slots (row + 1 and the hash\'s tag in 32 bits)', () => {
  it('tells keys apart whose hashes share a tag, a home slot or everything, while ids widen past the tag\'s bits', () => {
    // Hashes from a few values (whole hashes alike: only the rows tell the keys apart), from hashes alike in their low
    // bits (same home slot, tags differ) and in their high bits (same tag, homes differ); 5,000 keys open at most,
    // so the rows grow from 1,024 past 4,096 (ids take 11, then 12, 13 bits of every slot) while chains and clusters
    // are in the table.
    const hashArb = fc.oneof(
      fc.constantFrom(0, -1, 0x7fffffff, -0x80000000, 12345),
      fc.integer({ min: 0, max: 63 }).map((hi) => (hi << 26) | 0x155),
      fc.integer({ min: 0, max: 1023 }).map((lo) => 0x5a5a0000 | lo),
      fc.integer(),
    );
    const opArb = fc.record({ key: fc.integer({ min: 0, max: 5000 }), remove: fc.boolean(), pick: fc.nat() });
    const caseArb = fc.record({ hashes: fc.array(hashArb, { minLength: 5001, maxLength: 5001 }), ops: fc.array(opArb, { minLength: 100, maxLength: 9000 }) });
    fc.assert(fc.property(caseArb, ({ hashes, ops }) => {
      const store = new ConversationStore(Infinity);
      const key = new Int32Array(KW);
      const keyOf = (k: number) => writeKey(key, 1, 6, k, 443);
      const open = applyOps(store, ops, keyOf, (k) => hashes[k]);
      for (let k = 0; k <= 5000; k++) assert.deepEqual(chainOf(store, keyOf(k), hashes[k]), open.get(k) ?? [], `key ${k}`);
      assert.equal(store.live, [...open.values()].reduce((n, l) => n + l.length, 0));
      assert.ok(store.cap < 2 ** store.keys.rowBits);
    }), { numRuns: 25 });
  });
});

describe('ConversationStore removeAll (a sweep\'s removals, in the order of their slots)', () => {
  it('leaves the key table, the chains and the free rows as removing them one after another does', () => {
    const keyArb = fc.oneof(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 31, max: 5000 }));
    const caseArb = fc.record({
      keys: fc.array(keyArb, { minLength: 50, maxLength: 6000 }),
      picks: fc.array(fc.boolean(), { minLength: 6000, maxLength: 6000 }),
      later: fc.array(keyArb, { maxLength: 300 }),
    });
    fc.assert(fc.property(caseArb, ({ keys, picks, later }) => {
      const key = new Int32Array(KW);
      const keyOf = (k: number) => writeKey(key, k % 5, 17, k, 53);
      const stores = [new ConversationStore(Infinity), new ConversationStore(Infinity)];
      const opened = stores.map((store) => keys.map((k) => store.open(keyOf(k), 0, hashKey(key, 0, 0))));
      assert.deepEqual(opened[0], opened[1]);
      const list = Int32Array.from(opened[0].filter((_, i) => picks[i]));
      for (const c of list) stores[0].remove(c);
      stores[1].removeAll(list, list.length);
      // The same rows free (so later conversations take the same ones), the same chains for every key.
      const after = stores.map((store) => later.map((k) => store.open(keyOf(k), 0, hashKey(key, 0, 0))));
      assert.deepEqual(after[0], after[1]);
      for (const k of new Set([...keys, ...later])) {
        const chains = stores.map((store) => chainOf(store, keyOf(k), hashKey(key, 0, 0)));
        assert.deepEqual(chains[1], chains[0], `key ${k}`);
      }
      assert.equal(stores[1].live, stores[0].live);
    }), { numRuns: 40 });
  });
});

describe('recordVerdict (the reader\'s verdict of a conversation of one record)', () => {
  it('is the verdict the join reads from the row of a conversation opened with that record', () => {
    const store = new ConversationStore(Infinity, 1024);
    const key = new Int32Array(KW);
    // Every protocol that decides differently, ports of each rank, both directions, both actions, every SYN/ACK state.
    const ports = [0, 22, 443, 3306, 1500, 20641, 33060, 44218, 65535];
    const flagsOf = [-1, 0, 2, 16, 18, 1, 4, 3, 19, 255];
    let cases = 0;
    for (const protocol of [1, 6, 17, 47, 58]) {
      for (const loPort of ports) {
        for (const hiPort of ports) {
          for (const dir of [0, 1]) {
            for (const accepted of [true, false]) {
              for (const flags of flagsOf) {
                key.fill(0);
                key[1] = protocol;
                key[2] = 0x0a000001;
                key[6] = 0x0a000002;
                key[10] = loPort | (hiPort << 16);
                const h = hashKey(key, 0, 0);
                const bits = flags >= 0 ? BIT_HAS_FLAGS | flags : 0;
                const c = store.openSingle(key, 0, h, -1, dir, 1700000000, 1700000060, accepted, 3, 300, 0, 1, bits, 0);
                store.expand(c);
                assert.equal(recordVerdict(protocol, loPort, hiPort, dir, accepted, 1700000000, flags), verdictOf(store, c) & 7,
                  `protocol ${protocol}, ports ${loPort}/${hiPort}, direction ${dir}, ${accepted ? 'ACCEPT' : 'REJECT'}, flags ${flags}`);
                store.remove(c);
                cases++;
              }
            }
          }
        }
      }
    }
    assert.equal(cases, 5 * 9 * 9 * 2 * 2 * 10);
  });
});

describe('a conversation of one record, opened compact', () => {
  it('expands to the row that opening it empty and adding its record makes, and reaches the same records', () => {
    const record = fc.record({
      dir: fc.integer({ min: 0, max: 1 }),
      accepted: fc.boolean(),
      start: fc.integer({ min: 1_400_000_000, max: 1_800_000_000 }),
      length: fc.integer({ min: 0, max: 3600 }),
      packets: fc.oneof(fc.integer({ min: 0, max: 1_000_000 }), fc.constant(NaN)),
      bytes: fc.oneof(fc.integer({ min: 0, max: 2 ** 40 }), fc.constant(NaN)),
      file: fc.integer({ min: 0, max: 5000 }),
      line: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
      flags: fc.integer({ min: -1, max: 255 }),
      more: fc.integer({ min: 0, max: 15 }),
      probe: fc.integer({ min: -2000, max: 2000 }),
    });
    fc.assert(fc.property(record, (r) => {
      const key = writeKey(new Int32Array(KW), 3, 6, 7, 443);
      const h = hashKey(key, 0, 0);
      const bits = (r.flags >= 0 ? BIT_HAS_FLAGS | r.flags : 0) | (r.more << 9);
      const end = r.start + r.length;
      const compact = new ConversationStore(Infinity, 1024);
      const full = new ConversationStore(Infinity, 1024);
      const a = compact.openSingle(key, 0, h, -1, r.dir, r.start, end, r.accepted, r.packets, r.bytes, r.file, r.line, bits, 5);
      const b = full.open(key, 0, h);
      full.addRecord(b, r.dir, r.start, end, r.accepted, r.packets, r.bytes, r.file, r.line, bits);
      assert.equal(compact.isCompact(a), true);
      // Whether a later record reaches it is read from the compact row as from the full one.
      const probeStart = r.start + r.probe;
      assert.equal(compact.reaches(a, probeStart, probeStart + 60, 600), full.reaches(b, probeStart, probeStart + 60, 600));
      compact.expand(a);
      assert.equal(compact.isCompact(a), false);
      assert.equal(compact.singles[a], 5, 'the verdict stays known');
      assert.equal(compact.lastEnd(a), full.lastEnd(b));
      // Every word of the full layout but the three spare ones and the spill file's last end (words 11-15).
      const rowA = [...compact.w.subarray(a * ROW, a * ROW + ROW)];
      const rowB = [...full.w.subarray(b * ROW, b * ROW + ROW)];
      assert.deepEqual([...rowA.slice(0, 11), ...rowA.slice(16)], [...rowB.slice(0, 11), ...rowB.slice(16)]);
      assert.equal(verdictOf(compact, a), verdictOf(full, b));
    }), { numRuns: 300 });
  });
});

describe('interface addresses (Misra–Gries, 4 counters an interface)', () => {
  /** The same counting over plain arrays: per interface, up to four (address, family, count). */
  function reference(records: { iface: number; v6: boolean; src: number[]; dst: number[] }[]) {
    const byIface = new Map<number, { key: string; count: number }[]>();
    const count = (iface: number, key: string) => {
      const slots = byIface.get(iface) ?? [];
      byIface.set(iface, slots);
      const hit = slots.find((s) => s.count > 0 && s.key === key);
      if (hit) return void hit.count++;
      const empty = slots.findIndex((s) => s.count === 0);
      if (empty >= 0) slots[empty] = { key, count: 1 };
      else if (slots.length < 4) slots.push({ key, count: 1 });
      else for (const s of slots) s.count--;
    };
    for (const r of records) {
      count(r.iface, `${r.v6}:${r.src.join(',')}`);
      count(r.iface, `${r.v6}:${r.dst.join(',')}`);
    }
    return (iface: number, v6: boolean, address: number[]): boolean | undefined => {
      const slots = (byIface.get(iface) ?? []).filter((s) => s.count > 0).sort((a, b) => b.count - a.count);
      if (slots.length === 0 || (slots.length > 1 && slots[0].count === slots[1].count)) return undefined;
      return slots[0].key === `${v6}:${address.join(',')}`;
    };
  }

  it('tells each interface\'s own address as plain counting does, IPv4 and IPv6 apart', () => {
    // Addresses of a few values, so that they repeat; an IPv6 address whose first word is an IPv4 address's value.
    const address = fc.oneof(
      fc.record({ v6: fc.constant(false), words: fc.tuple(fc.integer({ min: 1, max: 6 }), fc.constant(0), fc.constant(0), fc.constant(0)) }),
      fc.record({ v6: fc.constant(true), words: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.constant(0), fc.integer({ min: 0, max: 1 }), fc.constant(7)) }),
    );
    const record = fc.record({ iface: fc.integer({ min: 0, max: 2 }), own: fc.integer({ min: 0, max: 3 }), peer: address, outbound: fc.boolean(), v6own: fc.boolean() });
    fc.assert(fc.property(fc.array(record, { minLength: 1, maxLength: 300 }), (drawn) => {
      // The interface's own address (by `own`) on one side, a peer of its family on the other.
      const records = drawn.map((d) => {
        const v6 = d.peer.v6;
        const own = v6 ? [d.own + 1, 0, 1, 7] : [d.own + 1, 0, 0, 0];
        return { iface: d.iface, v6, src: d.outbound ? own : d.peer.words, dst: d.outbound ? d.peer.words : own };
      });
      const batch = new RecordBatch(records.length);
      records.forEach((r, i) => {
        const o = i * RECORD_WORDS;
        batch.words[o + W_IFACE] = r.iface;
        batch.words[o + W_META] = META_TRAFFIC | 6 | (r.v6 ? META_V6 : 0);
        for (let k = 0; k < 4; k++) {
          batch.words[o + W_SRC + k] = r.src[k];
          batch.words[o + W_DST + k] = r.dst[k];
        }
      });
      batch.count = records.length;
      const local = new LocalAddresses();
      local.addRange(batch, 0, records.length);
      const expected = reference(records);
      for (const iface of [0, 1, 2]) {
        for (const v6 of [false, true]) {
          for (let first = 1; first <= 6; first++) {
            const words = v6 ? [first, 0, 1, 7] : [first, 0, 0, 0];
            assert.equal(local.isLocal(iface, Int32Array.from(words), v6), expected(iface, v6, words), `interface ${iface}, ${v6 ? 'IPv6' : 'IPv4'} ${words}`);
          }
        }
      }
    }), { numRuns: 300 });
  });
});
