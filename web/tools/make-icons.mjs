// Writes public/icons/icon-192.png and icon-512.png: a red square with a white scan frame
// (four corner brackets and a scan line). Run: node web/tools/make-icons.mjs
// Plain Node (zlib), so the icons need no image tooling; the PNGs are committed.
import { deflateSync } from 'node:zlib';
import { writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const RED = [0xc6, 0x28, 0x28];
const WHITE = [0xff, 0xff, 0xff];

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

function pixel(x, y, s) {
  const u = x / s, v = y / s; // 0..1
  const t = 0.045; // stroke
  const lo = 0.22, hi = 0.78, arm = 0.17;
  const inH = (a) => a >= lo && a <= hi;
  const nearEdge = (a, edge) => Math.abs(a - edge) <= t / 2;
  // corner brackets
  for (const cx of [lo, hi]) for (const cy of [lo, hi]) {
    const dx = cx === lo ? u - lo : hi - u;
    const dy = cy === lo ? v - lo : hi - v;
    if (dx >= -t / 2 && dy >= -t / 2 && ((nearEdge(u, cx) && dy <= arm) || (nearEdge(v, cy) && dx <= arm))) return WHITE;
  }
  // scan line
  if (nearEdge(v, 0.5) && u >= lo + 0.06 && u <= hi - 0.06) return WHITE;
  // barcode bars above and below the scan line
  if (inH(u) && ((v > 0.32 && v < 0.45) || (v > 0.55 && v < 0.68))) {
    const bar = Math.floor((u - lo) / 0.028);
    if (u > lo + 0.08 && u < hi - 0.08 && [0, 2, 3, 5, 8, 9, 11, 13, 14, 16].includes(bar % 18)) return WHITE;
  }
  return RED;
}

function png(size) {
  const raw = Buffer.alloc((size * 3 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 3 + 1)] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      const [r, g, b] = pixel(x + 0.5, y + 0.5, size);
      const o = y * (size * 3 + 1) + 1 + x * 3;
      raw[o] = r; raw[o + 1] = g; raw[o + 2] = b;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const out = fileURLToPath(new URL('../../public/icons/', import.meta.url));
mkdirSync(out, { recursive: true });
for (const size of [192, 512]) writeFileSync(`${out}icon-${size}.png`, png(size));
console.log('wrote', out);
