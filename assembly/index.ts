// Entry of alexnet-web.wasm: every kernel, plus where free memory starts (JS owns allocation).
// The ops' kernels take an item range [first, end) last: a thread runs the items it claimed, one
// thread alone runs them all. Weight packing runs once, at load, on the calling thread.
export { MR, NR, conv2dPack, conv2dMultiply, conv2dScratchBytes, conv2dPackedWeightFloats } from './conv2d';
export { winogradTransformInput, winogradMultiply, spaceToDepth, winogradScratchBytes, winogradPackedWeightFloats } from './winograd';
export { conv2dPackWeights, winogradPackWeights } from './pack-weights';
export { maxPool } from './max-pool';
export { lrn } from './lrn';
export { fullyConnectedInt8, fullyConnectedF32, fullyConnectedW8A8, fullyConnectedW8A8Widened, F32_ROWS_PER_ITEM, W8A8_ROWS_PER_ITEM } from './fully-connected';
export { planeMaxima, quantizeRows } from './quantize';
export {
  winogradInt8QuantizeTransform, winogradInt8PairsFold, winogradInt8Multiply, winogradInt8PackWeights, winogradInt8ScratchBytes, winogradInt8PackedWeightBytes,
} from './winograd-int8';
export { softmax } from './softmax';
export { firstNonFinite } from './finite';

/** First byte after the module's static data: the JS allocator starts here. */
export function heapBase(): usize {
  return __heap_base;
}
