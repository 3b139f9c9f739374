#!/usr/bin/env node
// Draws the Yoke icon (the same mark as src-renderer/app/Logo.tsx) into PNGs, with no image
// library: signed distances for anti-aliasing, zlib for the PNG stream.
//   node build/make-icon.js   → build/icon.png (512) and resources/icons/icon{,-256,-32}.png
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
function png(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// Geometry in the 32-unit space of Logo.tsx.
const segments = [
  [7, 10, 25, 10], // crossbar
  [10, 10, 10, 15], // left bow, down
  [22, 10, 22, 15], // right bow, down
  [16, 15, 16, 24], // pole
];
const arcs = [
  [13, 15, 3], // lower half circles (centre x, centre y, radius)
  [19, 15, 3],
];
const STROKE = 2.6 / 2 + 0.15;

function distSegment(px, py, [x1, y1, x2, y2]) {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const t = Math.max(0, Math.min(1, ((px - x1) * dx + (py - y1) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - x1 - t * dx, py - y1 - t * dy);
}
function distLowerArc(px, py, [cx, cy, r]) {
  if (py >= cy) return Math.abs(Math.hypot(px - cx, py - cy) - r);
  return Math.min(Math.hypot(px - cx + r, py - cy), Math.hypot(px - cx - r, py - cy));
}
function roundedRectDist(px, py, x0, y0, x1, y1, r) {
  const qx = Math.abs(px - (x0 + x1) / 2) - ((x1 - x0) / 2 - r);
  const qy = Math.abs(py - (y0 + y1) / 2) - ((y1 - y0) / 2 - r);
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
}

function draw(size) {
  const out = Buffer.alloc(size * size * 4);
  const unit = size / 32; // pixels per logo unit
  const top = [0x6b, 0x97, 0xff];
  const bottom = [0x35, 0x5f, 0xdb];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const u = (x + 0.5) / unit;
      const v = (y + 0.5) / unit;
      const bg = Math.max(0, Math.min(1, 0.5 - roundedRectDist(u, v, 1, 1, 31, 31, 7) * unit));
      let d = Infinity;
      for (const s of segments) d = Math.min(d, distSegment(u, v, s));
      for (const a of arcs) d = Math.min(d, distLowerArc(u, v, a));
      const ink = Math.max(0, Math.min(1, 0.5 - (d - STROKE) * unit));
      const t = v / 32;
      const i = (y * size + x) * 4;
      for (let c = 0; c < 3; c++) {
        const base = top[c] + (bottom[c] - top[c]) * t;
        out[i + c] = Math.round(base + (255 - base) * ink);
      }
      out[i + 3] = Math.round(255 * bg);
    }
  }
  return png(size, out);
}

const root = path.resolve(__dirname, '..');
fs.mkdirSync(path.join(root, 'resources', 'icons'), { recursive: true });
const big = draw(512);
fs.writeFileSync(path.join(root, 'build', 'icon.png'), big);
fs.writeFileSync(path.join(root, 'resources', 'icons', 'icon.png'), big);
fs.writeFileSync(path.join(root, 'resources', 'icons', 'icon-256.png'), draw(256));
fs.writeFileSync(path.join(root, 'resources', 'icons', 'icon-32.png'), draw(32));
process.stdout.write('wrote build/icon.png and resources/icons/icon{,-256,-32}.png\n');
