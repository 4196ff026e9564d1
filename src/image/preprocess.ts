// RGBA pixels -> the network's input tensor [C, H, W], following the model's metadata:
// grayscale, resize, centre crop, value scale, mean/std, channel order. The same code runs in Node and browsers.
import { AlexNetError } from '../errors.js';
import type { Preprocess } from '../model/metadata.js';
import { resampleRgba, type OutputPlane } from './resample.js';
import { checkRgbaImage, type RgbaImage } from './rgba-image.js';

/** Size of the image after the resize step, before cropping. */
export function resizedSize(width: number, height: number, p: Preprocess): { width: number; height: number } {
  if (p.resize.mode === 'stretch') return { width: p.resize.width, height: p.resize.height };
  const { size } = p.resize;
  // torchvision: the shorter side becomes `size`, the longer one is truncated, not rounded.
  if (width <= height) return { width: size, height: Math.floor((size * height) / width) };
  return { width: Math.floor((size * width) / height), height: size };
}

/** image -> [channels, height, width] floats for the network, written into `out` at `offset` when given. */
export function preprocessImage(
  image: RgbaImage, p: Preprocess, input: { channels: number; height: number; width: number },
  out = new Float32Array(input.channels * input.height * input.width), offset = 0,
): Float32Array {
  checkRgbaImage(image);
  if (input.channels !== 3) {
    throw new AlexNetError('MODEL_INVALID', `Image preprocessing makes 3 channels but the network takes ${input.channels}.`);
  }
  const full = resizedSize(image.width, image.height, p);
  const top = Math.round((full.height - input.height) / 2);
  const left = Math.round((full.width - input.width) / 2);
  const area = input.height * input.width;
  const toValue = p.valueScale / 255;
  // Output channel c holds source colour c (RGB) or 2 - c (BGR); gray feeds every channel.
  const planes: OutputPlane[] = [0, 1, 2].map((c) => ({
    source: p.grayscale ? 'luminance' : p.channelOrder === 'RGB' ? (c as 0 | 1 | 2) : ((2 - c) as 0 | 1 | 2),
    scale: toValue / p.std[c],
    bias: -p.mean[c] / p.std[c],
    offset: offset + c * area,
  }));
  resampleRgba(image.data, image.height, image.width, full.height, full.width, top, left, input.height, input.width, planes, out);
  return out;
}
