// Reads Debian's Fashion-MNIST (gzipped IDX files in /usr/share/datasets/fashion-mnist).
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { RgbaImage } from '../../src/image/rgba-image.js';

export const FASHION_MNIST = '/usr/share/datasets/fashion-mnist';

export interface GrayImages {
  count: number;
  width: number;
  height: number;
  /** count * height * width bytes, image after image. */
  pixels: Uint8Array;
}

export function readImages(path: string): GrayImages {
  const data = gunzipSync(readFileSync(path));
  const view = new DataView(data.buffer, data.byteOffset);
  if (view.getUint32(0) !== 0x803) throw new Error(`${path} is not an IDX image file`);
  const [count, height, width] = [view.getUint32(4), view.getUint32(8), view.getUint32(12)];
  return { count, width, height, pixels: new Uint8Array(data.buffer, data.byteOffset + 16, count * width * height) };
}

export function readLabels(path: string): Uint8Array {
  const data = gunzipSync(readFileSync(path));
  if (new DataView(data.buffer, data.byteOffset).getUint32(0) !== 0x801) throw new Error(`${path} is not an IDX label file`);
  return new Uint8Array(data.buffer, data.byteOffset + 8, data.byteLength - 8);
}

/** One gray image as RGBA pixels. */
export function grayToRgba(pixels: Uint8Array, width: number, height: number): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([pixels[i], pixels[i], pixels[i], 255], i * 4);
  return { data, width, height };
}
