// Draws media/icon.png (128×128): a rounded dark-blue square with three flow arrows, green, green and red
// (ACCEPT, ACCEPT, REJECT). Pure node: zlib and a minimal PNG encoder, no image libraries.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const S = 128;
const px = new Uint8Array(S * S * 4);

function blend(x, y, [r, g, b], a) {
  if (x < 0 || y < 0 || x >= S || y >= S || a <= 0) return;
  const i = (y * S + x) * 4;
  const ao = px[i + 3] / 255;
  const an = Math.min(1, a);
  const out = an + ao * (1 - an);
  for (const [k, c] of [[0, r], [1, g], [2, b]]) px[i + k] = Math.round((c * an + px[i + k] * ao * (1 - an)) / (out || 1));
  px[i + 3] = Math.round(out * 255);
}

// Rounded square background, anti-aliased by 4×4 supersampling.
const radius = 24;
for (let y = 0; y < S; y++) {
  for (let x = 0; x < S; x++) {
    let cover = 0;
    for (let sy = 0; sy < 4; sy++) for (let sx = 0; sx < 4; sx++) {
      const fx = x + (sx + 0.5) / 4, fy = y + (sy + 0.5) / 4;
      const dx = Math.max(radius - fx, 0, fx - (S - radius)), dy = Math.max(radius - fy, 0, fy - (S - radius));
      if (dx * dx + dy * dy <= radius * radius) cover++;
    }
    const t = y / S;
    blend(x, y, [Math.round(18 + 10 * t), Math.round(42 + 20 * t), Math.round(92 + 40 * t)], cover / 16);
  }
}

// A thick anti-aliased segment.
function line(x0, y0, x1, y1, w, color) {
  const minX = Math.floor(Math.min(x0, x1) - w), maxX = Math.ceil(Math.max(x0, x1) + w);
  const minY = Math.floor(Math.min(y0, y1) - w), maxY = Math.ceil(Math.max(y0, y1) + w);
  const len2 = (x1 - x0) ** 2 + (y1 - y0) ** 2;
  for (let y = minY; y <= maxY; y++) for (let x = minX; x <= maxX; x++) {
    const px0 = x + 0.5 - x0, py0 = y + 0.5 - y0;
    const t = Math.max(0, Math.min(1, (px0 * (x1 - x0) + py0 * (y1 - y0)) / len2));
    const d = Math.hypot(px0 - t * (x1 - x0), py0 - t * (y1 - y0));
    blend(x, y, color, w / 2 + 0.5 - d);
  }
}

function arrow(y, x0, x1, color) {
  line(x0, y, x1, y, 7, color);
  line(x1, y, x1 - 12, y - 10, 7, color);
  line(x1, y, x1 - 12, y + 10, 7, color);
}

const green = [80, 220, 140], red = [245, 90, 90];
arrow(38, 26, 100, green);
arrow(64, 26, 100, green);
// REJECT: the arrow stops at a bar.
line(26, 90, 82, 90, 7, red);
line(92, 76, 92, 104, 7, red);

// PNG encoding.
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 255] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}
const raw = Buffer.alloc(S * (S * 4 + 1));
for (let y = 0; y < S; y++) Buffer.from(px.subarray(y * S * 4, (y + 1) * S * 4)).copy(raw, y * (S * 4 + 1) + 1);
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(S, 0);
ihdr.writeUInt32BE(S, 4);
ihdr.set([8, 6, 0, 0, 0], 8);
const png = Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
writeFileSync(new URL('../media/icon.png', import.meta.url), png);
