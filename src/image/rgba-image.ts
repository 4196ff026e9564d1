// Decoded pixels as every platform hands them to preprocessing, and the checks they pass first.
import { AlexNetError } from '../errors.js';

/** The most pixels an image may have (declare, for a file) unless the maxImagePixels option says otherwise. */
export const DEFAULT_MAX_IMAGE_PIXELS = 50_000_000;

/** Decoded pixels: 4 bytes per pixel, row-major, RGBA. */
export interface RgbaImage {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
}

/** Whether `image` has the shape of decoded pixels ({data, width, height}); checkRgbaImage validates them. */
export function isRgbaImage(image: unknown): image is RgbaImage {
  return typeof image === 'object' && image !== null && 'data' in image && 'width' in image && 'height' in image;
}

export function checkRgbaImage(image: RgbaImage): void {
  const { data, width, height } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new AlexNetError('IMAGE_INVALID', `The image is ${width}x${height}; it needs at least one pixel.`);
  }
  if (!(data instanceof Uint8Array || data instanceof Uint8ClampedArray) || data.length !== width * height * 4) {
    throw new AlexNetError('IMAGE_INVALID', `A ${width}x${height} RGBA image needs ${width * height * 4} bytes of data, found ${data?.length ?? typeof data}.`);
  }
}
