// Checks that a PNG's compressed image data inflates to at least what its header declares. pngjs
// unfilters a short stream out of uninitialized memory, so the same bytes could decode one way in one
// run and fail in the next; refusing short data first makes every outcome depend on the bytes alone.
import { inflateSync, constants } from 'node:zlib';
import { AlexNetError } from '../errors.js';

/** Samples per pixel of each PNG colour type (grey, RGB, palette, grey+alpha, RGBA). */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** Adam7 passes: [x start, y start, x step, y step]. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];

/** Bytes of filtered scanlines (one filter byte per row) that a width x height image needs. */
export function declaredDataBytes(width: number, height: number, bitDepth: number, colorType: number, interlaced: boolean): number {
  const bitsPerPixel = (CHANNELS[colorType] ?? 0) * bitDepth;
  const passBytes = (w: number, h: number) => (w > 0 && h > 0 ? h * (1 + Math.ceil((w * bitsPerPixel) / 8)) : 0);
  if (!interlaced) return passBytes(width, height);
  return ADAM7.reduce((sum, [x0, y0, dx, dy]) => sum + passBytes(Math.ceil((width - x0) / dx), Math.ceil((height - y0) / dy)), 0);
}

function invalid(name: string, message: string): never {
  throw new AlexNetError('IMAGE_INVALID', `Could not decode ${name}: ${message}. Is the file complete?`);
}

/** Throws IMAGE_INVALID when the PNG's chunks run past its end or its IDAT data is shorter than declared. */
export function checkPngData(bytes: Uint8Array, name: string): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const idat: Uint8Array[] = [];
  let header: { width: number; height: number; bitDepth: number; colorType: number; interlaced: boolean } | undefined;
  // Chunks: length (4), type (4), data, CRC (4), after the 8-byte signature.
  for (let at = 8; at + 8 <= bytes.byteLength; ) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    const end = at + 12 + length;
    if (end > bytes.byteLength) invalid(name, `the ${type} chunk declares ${length} bytes but the file ends ${end - bytes.byteLength} bytes early`);
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR' && length >= 13) {
      header = { width: view.getUint32(at + 8), height: view.getUint32(at + 12), bitDepth: data[8], colorType: data[9], interlaced: data[12] === 1 };
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'IEND') {
      break;
    }
    at = end;
  }
  if (!header) invalid(name, 'it has no IHDR chunk');
  const needed = declaredDataBytes(header.width, header.height, header.bitDepth, header.colorType, header.interlaced);
  // Leave unknown colour types and depths to the decoder's own message.
  if (needed === 0) return;
  let inflated: Uint8Array;
  try {
    // A sync flush returns what a cut-off stream holds instead of failing on it; the cap bounds memory.
    inflated = inflateSync(Buffer.concat(idat), { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: needed });
  } catch (error) {
    // More data than declared: the decoder ignores the excess.
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return;
    return invalid(name, `its image data is not a valid zlib stream (${(error as Error).message})`);
  }
  if (inflated.byteLength < needed) invalid(name, `its image data holds ${inflated.byteLength} bytes where its ${header.width}x${header.height} header declares ${needed}`);
}
