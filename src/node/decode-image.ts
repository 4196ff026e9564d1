// Node image decoding with maintained pure-JS decoders (pngjs, jpeg-js): no native image library.
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { AlexNetError } from '../errors.js';
import type { RgbaImage } from '../image/preprocess.js';

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47];
const JPEG_MAGIC = [0xff, 0xd8, 0xff];

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
  return magic.every((value, i) => bytes[i] === value);
}

/** PNG or JPEG bytes -> RGBA pixels; IMAGE_INVALID for anything else or a damaged file. */
export function decodeImage(bytes: Uint8Array, name = 'the image'): RgbaImage {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    if (startsWith(bytes, PNG_MAGIC)) {
      const png = PNG.sync.read(buffer);
      return { data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength), width: png.width, height: png.height };
    }
    if (startsWith(bytes, JPEG_MAGIC)) {
      // Limits stop a hostile file from allocating gigabytes.
      const image = jpeg.decode(buffer, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: 100, maxMemoryUsageInMB: 1024 });
      return { data: image.data, width: image.width, height: image.height };
    }
  } catch (error) {
    throw new AlexNetError('IMAGE_INVALID', `Could not decode ${name}: ${(error as Error).message}. Is the file complete?`, { cause: error });
  }
  throw new AlexNetError('IMAGE_INVALID', `${name} is neither PNG nor JPEG (first bytes ${[...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ')}); in Node, alexnet-web decodes PNG and JPEG.`);
}
