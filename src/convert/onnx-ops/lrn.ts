// LRN -> lrn (ONNX's alpha is Caffe's: divided by the window size when it runs).
import type { NodeImporter } from './chain.js';
import { spatial } from './node-helpers.js';

export const importLrn: NodeImporter = (node, attrs, chain) => {
  spatial(node, chain.shape);
  chain.push(node, {
    type: 'lrn', name: chain.uniqueName(`norm${chain.convs}`), size: attrs.int('size', 0),
    alpha: attrs.float('alpha', 1e-4), beta: attrs.float('beta', 0.75), k: attrs.float('bias', 1), alphaConvention: 'caffe',
  });
};
