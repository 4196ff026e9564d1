// Entry of alexnet-web.wasm: every kernel, plus where free memory starts (JS owns allocation).
export { conv2d, conv2dScratchBytes, conv2dPackedWeightFloats } from './conv2d';
export { conv2dWinograd, spaceToDepth, winogradScratchBytes, winogradPackedWeightFloats } from './winograd';
export { conv2dPackWeights, winogradPackWeights } from './pack-weights';
export { maxPool } from './max-pool';
export { lrn } from './lrn';
export { fullyConnectedInt8, fullyConnectedF32 } from './fully-connected';
export { softmax } from './softmax';

/** First byte after the module's static data: the JS allocator starts here. */
export function heapBase(): usize {
  return __heap_base;
}
