// Image preprocessing: resize, crop, channel order and normalization, checked on images whose answer is known.
import { describe, expect, it } from 'vitest';
import { preprocessImage, resizedSize } from '../src/image/preprocess.js';
import { type RgbaImage } from '../src/image/rgba-image.js';
import { resampleTaps } from '../src/image/resample.js';
import { CAFFE_PREPROCESS, TORCHVISION_PREPROCESS, type Preprocess } from '../src/model/metadata.js';

function solid(width: number, height: number, rgb: [number, number, number]): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([...rgb, 255], i * 4);
  return { data, width, height };
}

const PLAIN: Preprocess = { channelOrder: 'RGB', grayscale: false, valueScale: 255, mean: [0, 0, 0], std: [1, 1, 1], resize: { mode: 'stretch', width: 4, height: 4 }, crop: 'center' };

describe('preprocessImage', () => {
  it('a solid colour stays that colour through resize and crop, normalized per channel (torchvision)', () => {
    const out = preprocessImage(solid(640, 480, [200, 100, 50]), TORCHVISION_PREPROCESS, { channels: 3, height: 224, width: 224 });
    const expected = [200, 100, 50].map((v, c) => (v / 255 - TORCHVISION_PREPROCESS.mean[c]) / TORCHVISION_PREPROCESS.std[c]);
    for (let c = 0; c < 3; c++) {
      const plane = out.subarray(c * 224 * 224, (c + 1) * 224 * 224);
      expect(Math.min(...plane)).toBeCloseTo(expected[c], 4);
      expect(Math.max(...plane)).toBeCloseTo(expected[c], 4);
    }
  });

  it('Caffe: BGR order, 0-255 values minus the BGR mean', () => {
    const out = preprocessImage(solid(300, 300, [10, 20, 30]), CAFFE_PREPROCESS, { channels: 3, height: 227, width: 227 });
    expect(out[0]).toBeCloseTo(30 - 104, 3); // B
    expect(out[227 * 227]).toBeCloseTo(20 - 117, 3); // G
    expect(out[2 * 227 * 227]).toBeCloseTo(10 - 123, 3); // R
  });

  it('grayscale uses ITU-R 601 luminance in every channel', () => {
    const out = preprocessImage(solid(8, 8, [255, 0, 0]), { ...PLAIN, grayscale: true }, { channels: 3, height: 4, width: 4 });
    for (let c = 0; c < 3; c++) expect(out[c * 16]).toBeCloseTo(255 * 0.299, 3);
  });

  it('same size resize is the identity; the centre crop takes the middle pixels', () => {
    const image = solid(6, 6, [0, 0, 0]);
    image.data.set([77, 77, 77, 255], (2 * 6 + 3) * 4); // row 2, column 3 of 6x6
    const out = preprocessImage(image, { ...PLAIN, resize: { mode: 'stretch', width: 6, height: 6 } }, { channels: 3, height: 4, width: 4 });
    // Crop offset (6 - 4) / 2 = 1: the marker lands at row 1, column 2.
    expect(out[1 * 4 + 2]).toBe(77);
    expect(out.reduce((a, b) => a + b, 0)).toBe(77 * 3);
  });

  it('shrinking by two averages pixel pairs (antialiased, not sampled)', () => {
    const image = solid(8, 2, [0, 0, 0]);
    for (let x = 0; x < 8; x += 2) for (let y = 0; y < 2; y++) image.data.set([100, 100, 100, 255], (y * 8 + x) * 4);
    const out = preprocessImage(image, { ...PLAIN, resize: { mode: 'stretch', width: 4, height: 2 } }, { channels: 3, height: 2, width: 4 });
    for (let i = 1; i < 3; i++) expect(out[i]).toBeCloseTo(50, 3);
  });

  it('shorter side resize truncates the longer side as torchvision does', () => {
    expect(resizedSize(500, 375, TORCHVISION_PREPROCESS)).toEqual({ width: 341, height: 256 });
    expect(resizedSize(375, 500, TORCHVISION_PREPROCESS)).toEqual({ width: 256, height: 341 });
  });

  it('upscaling taps are bilinear with half-pixel centres (as PyTorch align_corners=False)', () => {
    const taps = resampleTaps(28, 227);
    // Output pixel 100: source coordinate (100.5 * 28 / 227) - 0.5.
    const source = (100.5 * 28) / 227 - 0.5;
    const first = Math.floor(source);
    expect(taps.first[100]).toBe(first);
    expect(taps.weights[taps.start[100] + 1]).toBeCloseTo(source - first, 5);
  });

  it.each([
    ['zero width', { data: new Uint8Array(0), width: 0, height: 5 }],
    ['data of the wrong length', { data: new Uint8Array(10), width: 2, height: 2 }],
    ['data that is not bytes', { data: [1, 2, 3, 4] as unknown as Uint8Array, width: 1, height: 1 }],
  ])('%s is IMAGE_INVALID', (_, image) => {
    expect(() => preprocessImage(image, PLAIN, { channels: 3, height: 4, width: 4 })).toThrow(expect.objectContaining({ code: 'IMAGE_INVALID' }));
  });
});
