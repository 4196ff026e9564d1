// Which layers the wasm backend runs with int8 arithmetic (W8A8), and the backendReason line saying so.
import type { Arithmetic, Conv2dWeightShape, FullyConnectedWeightShape } from '../backend.js';
import type { Conv2dAlgorithm } from './conv2d-algorithm.js';

/** One uploaded layer's arithmetic; with f32 where int8 was asked for, why. */
export interface LayerArithmetic {
  name: string;
  arithmetic: Arithmetic;
  why?: string;
}

const FLOAT_WEIGHTS = 'its weights are float';

// Integer Winograd's sums are 4x the convolution and must fit i32: C/G * R * S * 127 * 128 * 4 < 2^31.
const DEEPEST_INT8_CONV = Math.floor(2 ** 31 / (127 * 128 * 4));

/** Why a convolution runs f32 arithmetic although int8 was asked for; undefined: it runs int8. */
export function int8Conv2dRefusal(dtype: 'I8' | 'F32', shape: Conv2dWeightShape, algorithm: Conv2dAlgorithm): string | undefined {
  if (dtype !== 'I8') return FLOAT_WEIGHTS;
  if (algorithm === 'direct') {
    return 'int8 arithmetic runs convolutions that Winograd can (stride 1 up to 6x6, strided ones folded by space-to-depth)';
  }
  const depth = (shape.C / shape.G) * shape.R * shape.S;
  if (depth > DEEPEST_INT8_CONV) return `its reduction of ${depth} products could overflow 32-bit integer sums`;
  return undefined;
}

/** Why a fully connected layer runs f32 arithmetic although int8 was asked for; undefined: it runs int8. */
export function int8FullyConnectedRefusal(dtype: 'I8' | 'F32', shape: FullyConnectedWeightShape): string | undefined {
  if (dtype !== 'I8') return FLOAT_WEIGHTS;
  if (!shape.inputNonNegative) return 'its input can be negative (int8 activations are unsigned 7-bit there)';
  return undefined;
}

/** The arithmetic that runs and a backendReason line: "wasm: int8 arithmetic (...)" or "wasm: f32 arithmetic: ...". */
export function describeArithmetic(asked: Arithmetic, relaxedDot: boolean, layers: LayerArithmetic[]): { name: Arithmetic; reason: string } {
  if (asked === 'f32') return { name: 'f32', reason: "wasm: f32 arithmetic (arithmetic: 'f32' was asked for)" };
  if (layers.length === 0) return { name: 'f32', reason: 'wasm: int8 arithmetic for layers with int8 weights (none loaded yet)' };
  const floats = layers.filter((layer) => layer.arithmetic === 'f32');
  if (floats.every((layer) => layer.why === FLOAT_WEIGHTS) && floats.length === layers.length) {
    return { name: 'f32', reason: 'wasm: f32 arithmetic: the weights are float (int8 arithmetic needs an int8 weights file)' };
  }
  const exceptions = floats.map((layer) => `${layer.name}: ${layer.why}`).join('; ');
  if (floats.length === layers.length) return { name: 'f32', reason: `wasm: f32 arithmetic: ${exceptions}` };
  const dot = relaxedDot ? 'the relaxed SIMD dot product i32x4.relaxed_dot_i8x16_i7x16_add_s' : 'i32x4.dot_i16x8_s';
  const reason =
    `wasm: int8 arithmetic (W8A8, activations quantized per image): convolutions by integer Winograd on i32x4.dot_i16x8_s, ` +
    `fully connected layers by ${dot}`;
  return { name: 'int8', reason: floats.length > 0 ? `${reason}; f32 arithmetic for ${exceptions}` : reason };
}
