// alexnet-web/convert: ONNX -> alexnet-web weights, as a library (the CLI's convert command uses it).
export { convertOnnx, CONVERTER_NAME, type Conversion, type ConvertOptions, type LayerReport, type WeightPrecision } from './convert.js';
export { IMAGENET_LABELS } from './imagenet-labels.js';
export { encodeSafetensors, parseHeader, type DType, type TensorToWrite } from '../weights/safetensors.js';
export { readModel, readModelHeader } from '../weights/model-file.js';
export { dequantize } from '../backends/int8-weights.js';
export { quantizePerChannel } from '../weights/quantize.js';
