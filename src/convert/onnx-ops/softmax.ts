// Softmax over the classes of a flat output -> softmax.
import type { NodeImporter } from './chain.js';
import { unsupported } from './node-helpers.js';

export const importSoftmax: NodeImporter = (node, attrs, chain) => {
  const axis = attrs.int('axis', chain.opset >= 13 ? -1 : 1);
  const { shape } = chain;
  if (shape.length !== 1 || (axis !== 1 && axis !== -1)) unsupported(node, `softmax over axis ${axis} of [N, ${shape.join(', ')}] is not supported; only over the classes of a flat output.`);
  chain.push(node, { type: 'softmax', name: chain.uniqueName('prob') });
};
