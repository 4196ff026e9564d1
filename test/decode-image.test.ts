// Node image decoding: what a damaged or hostile PNG gets, and that the same bytes always get the same answer.
import { deflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../src/node/decode-image.js';
import { declaredDataBytes } from '../src/node/png-data.js';
import { encodePng, pattern } from './images.js';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** One PNG chunk with a correct CRC, so only the content can be wrong. */
function chunk(type: string, data: Uint8Array): Buffer {
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(12 + data.byteLength);
  out.writeUInt32BE(data.byteLength, 0);
  typed.copy(out, 4);
  out.writeUInt32BE(crc32(typed), 8 + data.byteLength);
  return out;
}

/** A greyscale 8-bit PNG of `scanlines` (filter bytes included), compressed whole, then cut to `keep` bytes. */
function greyPng(width: number, height: number, interlaced: boolean, scanlines: Uint8Array, keep = Infinity): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, interlaced ? 1 : 0], 8);
  const compressed = deflateSync(scanlines);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', compressed.subarray(0, Math.min(keep, compressed.byteLength))),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

function outcome(bytes: Uint8Array): string {
  try {
    const image = decodeImage(bytes);
    return `ok ${image.width}x${image.height} sum ${Array.from(image.data).reduce((a, v) => a + v, 0)}`;
  } catch (error) {
    return `${(error as { code?: string }).code}: ${(error as Error).message}`;
  }
}

describe('decodeImage (Node)', () => {
  it('counts the bytes of interlaced and plain scanlines as the PNG specification does', () => {
    // 8x8 Adam7 passes are 1x1, 1x1, 2x1, 2x2, 4x2, 4x4, 8x4 pixels, each row with one filter byte.
    expect(declaredDataBytes(8, 8, 8, 0, true)).toBe(2 + 2 + 3 + 2 * 3 + 2 * 5 + 4 * 5 + 4 * 9);
    expect(declaredDataBytes(8, 8, 8, 0, false)).toBe(8 * 9);
    expect(declaredDataBytes(3, 2, 16, 6, false)).toBe(2 * (1 + 3 * 8));
    expect(declaredDataBytes(9, 1, 1, 0, false)).toBe(1 + 2);
  });

  it('decodes a hand-made interlaced PNG whose data is exactly as long as declared', () => {
    const scanlines = new Uint8Array(declaredDataBytes(8, 8, 8, 0, true)).map((_, i) => (i * 29) & 0x7f);
    // Filter type 0 on every row: each pass's rows start at a known offset.
    let at = 0;
    for (const [w, h] of [[1, 1], [1, 1], [2, 1], [2, 2], [4, 2], [4, 4], [8, 4]]) {
      for (let row = 0; row < h; row++, at += 1 + w) scanlines[at] = 0;
    }
    const image = decodeImage(greyPng(8, 8, true, scanlines));
    expect([image.width, image.height]).toEqual([8, 8]);
  });

  it.each([
    ['grey 8-bit', 0, 8],
    ['grey 16-bit', 0, 16],
    ['RGB 8-bit', 2, 8],
    ['RGB 16-bit', 2, 16],
    ['grey+alpha 8-bit', 4, 8],
    ['RGBA 16-bit', 6, 16],
  ])('decodes a whole %s PNG written by pngjs', (_, colorType, bitDepth) => {
    const source = pattern(13, 7, 3);
    const png = new PNG({ width: 13, height: 7, colorType: colorType as 0, bitDepth: bitDepth as 8 });
    png.data = Buffer.from(source.data);
    const bytes = PNG.sync.write(png, { colorType: colorType as 0, bitDepth: bitDepth as 8, inputColorType: 6, inputHasAlpha: true });
    expect(decodeImage(bytes)).toMatchObject({ width: 13, height: 7 });
  });

  it('refuses image data shorter than the header declares, with the same answer every time (regression: pngjs read uninitialized memory)', () => {
    const scanlines = new Uint8Array(8 * 65).map((_, i) => (i % 65 === 0 ? 1 : (i * 37) & 255));
    const whole = greyPng(64, 8, false, scanlines);
    expect(outcome(whole)).toMatch(/^ok 64x8/);
    // The last 4 bytes are zlib's checksum: without them the pixels are all there and decode.
    for (let keep = 2; keep < deflateSync(scanlines).byteLength - 4; keep += 5) {
      const cut = greyPng(64, 8, false, scanlines, keep);
      const first = outcome(cut);
      expect(first, `IDAT cut to ${keep} bytes`).toMatch(/^IMAGE_INVALID: .*(holds \d+ bytes where its 64x8 header declares 520|not a valid zlib stream)/);
      // Garbage in Node's buffer pool between the two decodes would change an answer read from it.
      Buffer.allocUnsafe(4096).fill(0xa7);
      expect(outcome(cut)).toBe(first);
    }
  });

  it('refuses an interlaced PNG one byte short', () => {
    const scanlines = new Uint8Array(declaredDataBytes(8, 8, 8, 0, true) - 1);
    expect(outcome(greyPng(8, 8, true, scanlines))).toMatch(/^IMAGE_INVALID: .*holds 78 bytes where its 8x8 header declares 79/);
  });

  it('refuses a chunk that declares more bytes than the file holds', () => {
    const bytes = Buffer.from(encodePng(pattern(16, 16, 1)));
    const cut = bytes.subarray(0, bytes.byteLength - 30);
    expect(outcome(cut)).toMatch(/^IMAGE_INVALID: .*IDAT chunk declares \d+ bytes but the file ends/);
  });
});
