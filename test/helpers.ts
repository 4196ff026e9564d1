// Small shared test helpers.
import { convertOnnx, type ConvertOptions } from '../src/convert/convert.js';
import { concatBytes } from '../src/bytes.js';

export { concatBytes };

/** ONNX bytes -> alexnet-web weights file bytes. */
export function convertToBytes(onnx: Uint8Array, options: ConvertOptions = {}): Uint8Array {
  return concatBytes(convertOnnx(onnx, options).chunks);
}
