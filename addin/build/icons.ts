/**
 * Draws the add-in's PNG icons (every size the manifest names) into dist/addin/assets:
 * a blue tile with a white link (Set Regarding) or a white plus (New Opportunity).
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const BRAND = [15, 108, 189] as const; // Fluent "brand" blue, #0F6CBD

type Shape = (x: number, y: number) => number; // signed distance in units of the icon size; < 0 is inside

const roundedSquare: Shape = (x, y) => {
  const r = 0.18;
  const qx = Math.abs(x - 0.5) - (0.5 - r);
  const qy = Math.abs(y - 0.5) - (0.5 - r);
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
};
const ring =
  (cx: number, cy: number, rx: number, ry: number, width: number): Shape =>
  (x, y) => {
    const d = Math.hypot((x - cx) / rx, (y - cy) / ry) - 1;
    return Math.abs(d * Math.min(rx, ry)) - width / 2;
  };
const link: Shape = (x, y) => {
  // Two slanted chain links.
  const u = (x - 0.5) * Math.SQRT1_2 + (y - 0.5) * Math.SQRT1_2 + 0.5;
  const v = -(x - 0.5) * Math.SQRT1_2 + (y - 0.5) * Math.SQRT1_2 + 0.5;
  return Math.min(ring(0.37, 0.5, 0.17, 0.1, 0.06)(u, v), ring(0.63, 0.5, 0.17, 0.1, 0.06)(u, v));
};
const plus: Shape = (x, y) => {
  const bar = (w: number, h: number) => Math.max(Math.abs(x - 0.5) - w, Math.abs(y - 0.5) - h);
  return Math.min(bar(0.26, 0.055), bar(0.055, 0.26));
};

function render(size: number, glyph: Shape): Buffer {
  const samples = 4;
  const rows: Buffer[] = [];
  for (let py = 0; py < size; py++) {
    const row = Buffer.alloc(1 + size * 4);
    for (let px = 0; px < size; px++) {
      let tile = 0;
      let mark = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = (px + (sx + 0.5) / samples) / size;
          const y = (py + (sy + 0.5) / samples) / size;
          if (roundedSquare(x, y) < 0) {
            tile += 1;
            if (glyph(x, y) < 0) mark += 1;
          }
        }
      }
      const n = samples * samples;
      const white = tile ? mark / tile : 0;
      const offset = 1 + px * 4;
      for (let c = 0; c < 3; c++) row[offset + c] = Math.round(BRAND[c] * (1 - white) + 255 * white);
      row[offset + 3] = Math.round((tile / n) * 255);
    }
    rows.push(row);
  }
  return png(size, Buffer.concat(rows));
}

function png(size: number, raw: Buffer): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const out = path.resolve(process.argv[2] ?? 'dist/addin/assets');
fs.mkdirSync(out, { recursive: true });
for (const size of [16, 25, 32, 48, 50, 64, 75, 80, 96, 128, 144])
  fs.writeFileSync(path.join(out, `icon-${size}.png`), render(size, link));
for (const size of [16, 32, 80]) fs.writeFileSync(path.join(out, `new-${size}.png`), render(size, plus));
