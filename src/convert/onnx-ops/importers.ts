// The ONNX ops a chain may hold, each with its importer (one file per op family), and the ops allowed
// on the side for shape arithmetic.
import type { NodeImporter } from './chain.js';
import { importConv, importRelu } from './conv.js';
import { importGemm, importAdd } from './gemm.js';
import { importLrn } from './lrn.js';
import { importAveragePool, importMaxPool } from './pool.js';
import { importFlatten, importReshape } from './reshape.js';
import { importSoftmax } from './softmax.js';

/** Dropped: they do nothing at inference. */
const fold: NodeImporter = (node, _attrs, chain) => chain.fold(node);

export const CHAIN_IMPORTERS: Readonly<Record<string, NodeImporter>> = {
  Conv: importConv,
  Relu: importRelu,
  LRN: importLrn,
  MaxPool: importMaxPool,
  AveragePool: importAveragePool,
  GlobalAveragePool: importAveragePool,
  Dropout: fold,
  Identity: fold,
  Flatten: importFlatten,
  Reshape: importReshape,
  Gemm: importGemm,
  MatMul: importGemm,
  Add: importAdd,
  Softmax: importSoftmax,
};

/** Nodes beside the chain that only compute shapes (feeding a Reshape). */
export const SIDE_OPS = ['Shape', 'Gather', 'Unsqueeze', 'Squeeze', 'Concat', 'Cast', 'Slice', 'Constant'];
