// Small models shared by the API, CLI and weights tests: quarter-width AlexNet, 10 classes.
import { bvlcAlexNet } from '../src/model/builtin.js';
import type { NetworkSpec } from '../src/model/spec.js';
import { convertToBytes } from './helpers.js';
import { BVLC_STYLE, buildOnnx, heInitialized } from './onnx-builder.js';

export const SMALL_SPEC: NetworkSpec = bvlcAlexNet({ widths: [24, 64, 96, 96, 64], hidden: 256, classes: 10 });
export const SMALL_LABELS = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'boot'];

let onnx: Uint8Array | undefined;
const converted = new Map<string, Uint8Array>();

export function smallOnnx(): Uint8Array {
  onnx ??= buildOnnx(SMALL_SPEC, heInitialized(SMALL_SPEC, 3), BVLC_STYLE);
  return onnx;
}

/** The small model as an alexnet-web weights file. */
export function smallWeights(quantize: 'int8' | 'f16' | 'f32' = 'int8'): Uint8Array {
  let bytes = converted.get(quantize);
  if (!bytes) {
    bytes = convertToBytes(smallOnnx(), { quantize, labels: SMALL_LABELS, name: 'small' });
    converted.set(quantize, bytes);
  }
  return bytes;
}

/** `bytes` (a weights file) with its metadata's format version replaced by one digit `version`: same length. */
export function withFormatVersion(bytes: Uint8Array, version: number): Uint8Array {
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = new TextDecoder().decode(bytes.subarray(8, 8 + headerLength));
  const patched = header.replace('\\"version\\":1', `\\"version\\":${version}`);
  if (patched === header || patched.length !== header.length) throw new Error('no one-digit format version 1 in the header');
  const out = bytes.slice();
  out.set(new TextEncoder().encode(patched), 8);
  return out;
}
