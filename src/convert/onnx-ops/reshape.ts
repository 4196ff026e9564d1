// Flatten and Reshape -> flatten, where they keep the batch axis and flatten the rest.
import { tensorToIntegers } from '../onnx-tensor.js';
import type { NodeImporter } from './chain.js';
import { unsupported } from './node-helpers.js';

export const importFlatten: NodeImporter = (node, attrs, chain) => {
  if (attrs.int('axis', 1) !== 1) unsupported(node, `axis ${attrs.int('axis', 1)} is not supported; only 1 (keep the batch axis).`);
  chain.push(node, { type: 'flatten', name: chain.uniqueName('flatten') });
};

export const importReshape: NodeImporter = (node, _attrs, chain) => {
  const target = chain.constant(node.input[1]);
  if (target) {
    const values = tensorToIntegers(target);
    const features = chain.shape.reduce((a, b) => a * b, 1);
    const flat = values.length === 2 && (values[1] === -1 || values[1] === features);
    if (!flat) unsupported(node, `reshape to [${values.join(', ')}] is not supported; only flattening to [N, ${features}].`);
  }
  chain.push(node, { type: 'flatten', name: chain.uniqueName('flatten') });
};
