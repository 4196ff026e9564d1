// Small shared test helpers.
import { convertOnnx, type ConvertOptions } from '../src/convert/convert.js';

export function concatBytes(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((sum, c) => sum + c.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** ONNX bytes -> alexnet-web weights file bytes. */
export function convertToBytes(onnx: Uint8Array, options: ConvertOptions = {}): Uint8Array {
  return concatBytes(convertOnnx(onnx, options).chunks);
}
