// Node image decoding with maintained pure-JS decoders (pngjs, jpeg-js): no native image library.
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { AlexNetError } from '../errors.js';
import { DEFAULT_MAX_IMAGE_PIXELS, type RgbaImage } from '../image/rgba-image.js';
import { checkPngData } from './png-data.js';

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47];
const JPEG_MAGIC = [0xff, 0xd8, 0xff];

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
  return magic.every((value, i) => bytes[i] === value);
}

/** Refuses an image that declares more than `maxPixels` before any pixel is decoded. */
function checkDeclaredSize(width: number, height: number, maxPixels: number, name: string): void {
  if (width * height > maxPixels) {
    throw new AlexNetError('IMAGE_INVALID', `${name} declares ${width}x${height} pixels (${((width * height) / 1e6).toFixed(1)} megapixels); the limit is ${maxPixels} pixels (the maxImagePixels option).`);
  }
}

/** PNG or JPEG bytes -> RGBA pixels; IMAGE_INVALID for anything else, a damaged file or one over `maxPixels`. */
export function decodeImage(bytes: Uint8Array, name = 'the image', maxPixels = DEFAULT_MAX_IMAGE_PIXELS): RgbaImage {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // PNG's IHDR chunk comes first: width and height, big-endian, at bytes 16 and 20.
  if (startsWith(bytes, PNG_MAGIC) && bytes.byteLength >= 24) checkDeclaredSize(buffer.readUInt32BE(16), buffer.readUInt32BE(20), maxPixels, name);
  try {
    if (startsWith(bytes, PNG_MAGIC)) {
      checkPngData(bytes, name);
      const png = PNG.sync.read(buffer);
      return { data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength), width: png.width, height: png.height };
    }
    if (startsWith(bytes, JPEG_MAGIC)) {
      // Limits stop a hostile file from allocating gigabytes.
      const image = jpeg.decode(buffer, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: maxPixels / 1e6, maxMemoryUsageInMB: 1024 });
      return { data: image.data, width: image.width, height: image.height };
    }
  } catch (error) {
    if (error instanceof AlexNetError) throw error;
    throw new AlexNetError('IMAGE_INVALID', `Could not decode ${name}: ${(error as Error).message}. Is the file complete?`, { cause: error });
  }
  throw new AlexNetError('IMAGE_INVALID', `${name} is neither PNG nor JPEG (first bytes ${[...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ')}); in Node, alexnet-web decodes PNG and JPEG.`);
}
