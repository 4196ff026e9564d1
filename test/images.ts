// Encoded test images made in-process.
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import type { RgbaImage } from '../src/image/rgba-image.js';
import { randomGenerator } from './random.js';

/** A smooth random RGBA picture. */
export function pattern(width: number, height: number, seed: number): RgbaImage {
  const next = randomGenerator(seed);
  const [a, b, c] = [next() * 0.2, next() * 0.2, next() * 6];
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      data[i] = 128 + 127 * Math.sin(a * x + c);
      data[i + 1] = 128 + 127 * Math.cos(b * y);
      data[i + 2] = (x * y + seed * 17) % 256;
      data[i + 3] = 255;
    }
  }
  return { data, width, height };
}

export function encodePng(image: RgbaImage): Uint8Array {
  const png = new PNG({ width: image.width, height: image.height });
  png.data = Buffer.from(image.data);
  return PNG.sync.write(png);
}

export function encodeJpeg(image: RgbaImage): Uint8Array {
  return jpeg.encode({ data: Buffer.from(image.data), width: image.width, height: image.height }, 90).data;
}
