// An experiment, not part of the product: would a record reader in WebAssembly beat the engine's compiled JavaScript
// reader (server/src/core/records/compiledFields.ts)? It reads a file's records on one thread both ways and prints
// the times. The WebAssembly reader is what the floor measurements pointed at: a SIMD pass marks every byte <= 32 of a
// chunk in a bitmap (16 bytes an instruction), then straight-line code made for the format (as compiledFields is)
// walks each line: a text field's end from the bitmap (count trailing zeros), a number's length and digit check from
// one 16-byte compare, IPv4 addresses parsed as compiledFields parses them; the fields a query reads get their
// offsets and values written to memory, which JavaScript copies out as the scanner would. It hands back the lines it
// does not decide (IPv6, comments, headers, anything unusual), so it does less than compiledFields, never more.
//
// Usage (wabt, the WebAssembly text assembler, is not a dependency of the project):
//   npm i --no-save wabt && node --import tsx bench/wasmReader.ts FILE [FIELD,FIELD...] [--runs N]
// FIELD: the fields the query reads (default: action, as the filter count). Result on the bench's files (29 Nov
// 2026, 2 cores of an Intel Xeon Processor, one thread, the first 200 MB): JavaScript 261-289 ms, WebAssembly
// 229-255 ms (friendly, `action`); 272-316 against 264-305 ms (wide, `srcaddr,bytes`), and the WebAssembly reader
// still hands back the 2% of IPv6 lines. The SIMD marking alone takes 10 ms and the chunks' copy into WebAssembly
// memory 24 ms; the per-field work after them costs about what the JavaScript costs. A generic module (one loop over
// a table of field kinds instead of code made per format) took 290 ms; splitting by a flat list of every separator's
// offset (simdjson's stage 1: 28 ms for 25 M separators) and checking lines from it, 210-231 ms.
import { readFileSync } from 'node:fs';
import { compiledFieldsOf } from '../server/src/core/records/compiledFields';
import { FieldKind, layoutOf } from '../server/src/core/records/fieldKinds';
import { DEFAULT_FORMAT } from '../server/src/core/scan';

const CHUNK = 1 << 18;
const MAX_LINES = 4096;

/** The module's text for a format: `read[k]` says whether field k's offsets and value are written. */
function moduleText(kinds: ArrayLike<number>, low: ArrayLike<number>, high: ArrayLike<number>, read: readonly boolean[]): string {
  const nf = kinds.length;
  const byte = (at: string) => `(i32.load8_u (i32.add (local.get $in) ${at}))`;
  const at = (name: string) => `(local.get $${name})`;
  const setNum = (k: number, value: string) => (read[k] ? `(f64.store offset=${k * 8} (local.get $no) ${value})` : '');
  const out: string[] = [`(module (memory (export "mem") 64)
  (global $in (mut i32) (i32.const 0)) (global $bm (mut i32) (i32.const 0)) (global $out (mut i32) (i32.const 0)) (global $nums (mut i32) (i32.const 0))
  (func (export "setup") (param i32 i32 i32 i32) (global.set $in (local.get 0)) (global.set $bm (local.get 1)) (global.set $out (local.get 2)) (global.set $nums (local.get 3)))
  ;; the first marked byte at or after x
  (func $next (param $x i32) (result i32) (local $w i64)
    (local.set $w (i64.shr_u (i64.load (i32.add (global.get $bm) (i32.shl (i32.shr_u (local.get $x) (i32.const 6)) (i32.const 3)))) (i64.extend_i32_u (local.get $x))))
    (if (i64.ne (local.get $w) (i64.const 0)) (then (return (i32.add (local.get $x) (i32.wrap_i64 (i64.ctz (local.get $w)))))))
    (local.set $x (i32.and (i32.add (local.get $x) (i32.const 64)) (i32.const -64)))
    (loop $l (local.set $w (i64.load (i32.add (global.get $bm) (i32.shr_u (local.get $x) (i32.const 3)))))
      (if (i64.ne (local.get $w) (i64.const 0)) (then (return (i32.add (local.get $x) (i32.wrap_i64 (i64.ctz (local.get $w)))))))
      (local.set $x (i32.add (local.get $x) (i32.const 64))) (br $l))
    (unreachable))
  ;; the bitmap of bytes <= 32, 64 bytes a word
  (func $mark (param $len i32) (local $i i32) (local $p i32) (local $t v128)
    (local.set $t (i8x16.splat (i32.const 33)))
    (block $done (loop $l (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
      (local.set $p (i32.add (global.get $in) (local.get $i)))
      (i64.store (i32.add (global.get $bm) (i32.shr_u (local.get $i) (i32.const 3)))
        (i64.or (i64.or (i64.extend_i32_u (i8x16.bitmask (i8x16.lt_u (v128.load (local.get $p)) (local.get $t))))
                  (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.lt_u (v128.load offset=16 (local.get $p)) (local.get $t)))) (i64.const 16)))
          (i64.or (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.lt_u (v128.load offset=32 (local.get $p)) (local.get $t)))) (i64.const 32))
                  (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.lt_u (v128.load offset=48 (local.get $p)) (local.get $t)))) (i64.const 48)))))
      (local.set $i (i32.add (local.get $i) (i32.const 64))) (br $l))))
  ;; the lines of in[0, end), at most maxLines; per line: [1 record | 0 not decided, its line feed, field starts]
  (func (export "scan") (param $len i32) (param $end i32) (param $maxLines i32) (result i32)
    (local $p i32) (local $line i32) (local $o i32) (local $no i32) (local $s i32) (local $i i32) (local $e i32) (local $c i32)
    (local $v i64) (local $m i32) (local $oct i32) (local $d i32) (local $a i64) (local $in i32)
    (local.set $in (global.get $in)) (local.set $o (global.get $out)) (local.set $no (global.get $nums))
    (call $mark (local.get $len))
    (block $all (loop $lines
      (br_if $all (i32.ge_u (local.get $p) (local.get $end)))
      (br_if $all (i32.ge_u (local.get $line) (local.get $maxLines)))
      (local.set $i (local.get $p))
      (block $fail
        (local.set $c ${byte(at('i'))})
        ;; a letter first (a header line, unless "V1 ") or a comment: not decided here
        (if (i32.lt_u (i32.sub (i32.or (local.get $c) (i32.const 32)) (i32.const 97)) (i32.const 26))
          (then (br_if $fail (i32.ne (i32.and (i32.load (i32.add (local.get $in) (local.get $i))) (i32.const 0xffffff)) (i32.const 0x203156)))))
        (br_if $fail (i32.eq (local.get $c) (i32.const 35)))`];
  const digitMask = '(i8x16.bitmask (i8x16.gt_u (i8x16.sub (v128.load (i32.add (local.get $in) (local.get $s))) (i8x16.splat (i32.const 48))) (i8x16.splat (i32.const 9))))';
  for (let k = 0; k < nf; k++) {
    const separator = k === nf - 1 ? 10 : 32;
    out.push('(local.set $s (local.get $i))');
    if (kinds[k] === FieldKind.Text) {
      out.push('(local.set $e (call $next (local.get $s))) (br_if $fail (i32.eq (local.get $e) (local.get $s)))');
      if (k > 0) out.push(`(br_if $fail (i32.eq ${byte(at('s'))} (i32.const 35)))`);
    } else if (kinds[k] === FieldKind.Bounded || kinds[k] === FieldKind.Integer) {
      out.push(`(local.set $m ${digitMask}) (local.set $e (i32.add (local.get $s) (i32.ctz (i32.or (local.get $m) (i32.const 0x10000)))))`);
      out.push(`(if (i32.eq (local.get $e) (local.get $s)) (then (br_if $fail (i32.ne ${byte(at('s'))} (i32.const 45)))
        (local.set $e (i32.add (local.get $s) (i32.const 1))) ${setNum(k, '(f64.const nan)')})
      (else (br_if $fail (i32.gt_u (i32.sub (local.get $e) (local.get $s)) (i32.const 15)))`);
      const ranged = Number.isFinite(low[k]) && Number.isFinite(high[k]);
      if (read[k] || ranged) {
        out.push(`(local.set $v (i64.const 0)) (local.set $c (local.get $s))
          (loop $digits (local.set $v (i64.add (i64.mul (local.get $v) (i64.const 10)) (i64.extend_i32_u (i32.sub ${byte(at('c'))} (i32.const 48)))))
            (local.set $c (i32.add (local.get $c) (i32.const 1))) (br_if $digits (i32.lt_u (local.get $c) (local.get $e))))`);
        if (ranged) out.push(`(br_if $fail (i64.lt_s (local.get $v) (i64.const ${low[k]}))) (br_if $fail (i64.gt_s (local.get $v) (i64.const ${high[k]})))`);
        out.push(setNum(k, '(f64.convert_i64_s (local.get $v))'));
      }
      out.push('))');
    } else {
      out.push(`(if (i32.and (i32.eq ${byte(at('s'))} (i32.const 45)) (i32.eq ${byte('(i32.add (local.get $s) (i32.const 1))')} (i32.const ${separator}))) (then
        (local.set $e (i32.add (local.get $s) (i32.const 1))) ${setNum(k, '(f64.const nan)')}) (else (local.set $c (local.get $s)) (local.set $a (i64.const 0))`);
      for (let octet = 0; octet < 4; octet++) {
        if (octet > 0) out.push(`(br_if $fail (i32.ne ${byte(at('c'))} (i32.const 46))) (local.set $c (i32.add (local.get $c) (i32.const 1)))`);
        out.push(`(local.set $oct (i32.sub ${byte(at('c'))} (i32.const 48))) (br_if $fail (i32.gt_u (local.get $oct) (i32.const 9))) (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (local.set $d (i32.sub ${byte(at('c'))} (i32.const 48)))
          (if (i32.le_u (local.get $d) (i32.const 9)) (then (br_if $fail (i32.eqz (local.get $oct)))
            (local.set $oct (i32.add (i32.mul (local.get $oct) (i32.const 10)) (local.get $d))) (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (local.set $d (i32.sub ${byte(at('c'))} (i32.const 48)))
            (if (i32.le_u (local.get $d) (i32.const 9)) (then
              (local.set $oct (i32.add (i32.mul (local.get $oct) (i32.const 10)) (local.get $d))) (br_if $fail (i32.gt_u (local.get $oct) (i32.const 255)))
              (local.set $c (i32.add (local.get $c) (i32.const 1)))))))
          (local.set $a (i64.or (i64.shl (local.get $a) (i64.const 8)) (i64.extend_i32_u (local.get $oct))))`);
      }
      out.push(`(local.set $e (local.get $c)) ${setNum(k, '(f64.convert_i64_u (local.get $a))')}))`);
    }
    out.push(`(br_if $fail (i32.ne ${byte(at('e'))} (i32.const ${separator})))`);
    out.push(`(i32.store offset=${8 + 4 * k} (local.get $o) (local.get $s)) (local.set $i (i32.add (local.get $e) (i32.const 1)))`);
  }
  const next = `(local.set $o (i32.add (local.get $o) (i32.const ${(nf + 2) * 4}))) (local.set $no (i32.add (local.get $no) (i32.const ${nf * 8})))
      (local.set $line (i32.add (local.get $line) (i32.const 1))) (br $lines)`;
  out.push(`(i32.store (local.get $o) (i32.const 1)) (i32.store offset=4 (local.get $o) (local.get $e)) (local.set $p (local.get $i)) ${next})
      (local.set $e (local.get $p))
      (loop $toEnd (local.set $e (call $next (local.get $e)))
        (if (i32.ne ${byte(at('e'))} (i32.const 10)) (then (local.set $e (i32.add (local.get $e) (i32.const 1))) (br $toEnd))))
      (i32.store (local.get $o) (i32.const 0)) (i32.store offset=4 (local.get $o) (local.get $e)) (local.set $p (i32.add (local.get $e) (i32.const 1))) ${next}))
    (local.get $line)))`);
  return out.join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const runs = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : 4;
  const [file, fieldList = 'action'] = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--runs');
  const wabtInit = ((await import('wabt' as string)) as { default: () => Promise<any> }).default;
  const data = readFileSync(file).subarray(0, 200 << 20);
  const chunks: [number, number][] = [];
  for (let s = 0; s < data.length; ) {
    const e = data.lastIndexOf(10, Math.min(data.length, s + CHUNK) - 1) + 1;
    if (e <= s) break;
    chunks.push([s, e]);
    s = e;
  }
  const format = DEFAULT_FORMAT;
  const nf = format.fields.length;
  const layout = layoutOf(format);
  const names = fieldList.split(',');
  const readIndex = names.map((n) => format.fields.findIndex((f) => f?.name === n));
  if (readIndex.includes(-1)) throw new Error(`unknown field in ${fieldList}`);
  const read = format.fields.map((_, k) => readIndex.includes(k));
  const starts = new Int32Array(64);
  const ends = new Int32Array(64);
  const nums = new Float64Array(64);

  const compiled = compiledFieldsOf(format, names);
  const viaJs = () => {
    let records = 0;
    let sum = 0;
    for (const [s, e] of chunks) {
      for (let i = s; i < e; ) {
        const lineFeed = compiled(data, i, starts, ends, nums);
        if (lineFeed < 0) {
          i = data.indexOf(10, i) + 1;
          continue;
        }
        records++;
        sum += ends[readIndex[0]] - starts[readIndex[0]];
        i = lineFeed + 1;
      }
    }
    return { records, sum, handedBack: 0 };
  };

  const wabt = await wabtInit();
  const text = wabt.parseWat('reader.wat', moduleText(layout.kinds, layout.low, layout.high, read), { simd: true });
  text.validate();
  // (The project's TypeScript library settings have no WebAssembly types: the API is reached untyped.)
  const wasm = (globalThis as any).WebAssembly;
  const exports = new wasm.Instance(new wasm.Module(text.toBinary({}).buffer), {}).exports;
  const memory = exports.mem as { buffer: ArrayBuffer; grow(pages: number): number };
  const IN = 4096;
  const BITMAP = IN + CHUNK + 256;
  const OUT = BITMAP + (CHUNK >> 3) + 64;
  const NUMS = OUT + MAX_LINES * (nf + 2) * 4;
  const need = NUMS + MAX_LINES * nf * 8 + 64;
  if (memory.buffer.byteLength < need) memory.grow(Math.ceil((need - memory.buffer.byteLength) / 65536));
  const u8 = new Uint8Array(memory.buffer);
  const i32 = new Int32Array(memory.buffer);
  const f64 = new Float64Array(memory.buffer);
  const stride = nf + 2;
  const viaWasm = () => {
    let records = 0;
    let sum = 0;
    let handedBack = 0;
    for (const [s, e] of chunks) {
      const len = e - s;
      u8.set(data.subarray(s, e), IN);
      u8.fill(10, IN + len, IN + len + 200); // padding: the marking reads whole 64-byte blocks, the digit test 16 bytes
      exports.setup(IN, BITMAP, OUT, NUMS);
      const lines = exports.scan((len + 63) & ~63, len, MAX_LINES);
      let o = OUT >> 2;
      for (let l = 0; l < lines; l++, o += stride) {
        if (i32[o] !== 1) {
          handedBack++;
          continue;
        }
        records++;
        for (const k of readIndex) {
          starts[k] = i32[o + 2 + k] + s;
          ends[k] = (k === nf - 1 ? i32[o + 1] : i32[o + 3 + k] - 1) + s;
          nums[k] = f64[(NUMS >> 3) + l * nf + k];
        }
        sum += ends[readIndex[0]] - starts[readIndex[0]];
      }
    }
    return { records, sum, handedBack };
  };
  console.log(`${file}: ${(data.length / 1e6).toFixed(0)} MB, reading ${names.join(', ')}, one thread`);
  for (let r = 0; r < runs; r++) {
    let t = performance.now();
    const js = viaJs();
    const jsMs = performance.now() - t;
    t = performance.now();
    const wasm = viaWasm();
    const wasmMs = performance.now() - t;
    console.log(`  JavaScript ${jsMs.toFixed(0)} ms (${js.records} records) · WebAssembly ${wasmMs.toFixed(0)} ms (${wasm.records} records, ${wasm.handedBack} lines handed back)`);
  }
}

void main();
