// ONNX graph -> alexnet-web layer list + float weights. AlexNet-family graphs are one chain:
// each supported node consumes the previous node's output, and its importer (onnx-ops/, one file
// per op family) appends a layer or folds it into the one before. Shape arithmetic on the side
// (Shape, Gather, Concat feeding a Reshape) is allowed; anything else is refused by name.
import { AlexNetError } from '../errors.js';
import { planNetwork, type ActivationShape } from '../model/shapes.js';
import type { Layer, NetworkSpec } from '../model/spec.js';
import { toNumber, type OnnxModel, type OnnxTensor } from './onnx-proto.js';
import { tensorToFloat32, type ExternalDataReader } from './onnx-tensor.js';
import type { Chain, FloatLayerWeights } from './onnx-ops/chain.js';
import { CHAIN_IMPORTERS, SIDE_OPS } from './onnx-ops/importers.js';
import { Attributes, describe, invalid, unsupported } from './onnx-ops/node-helpers.js';

export type { FloatLayerWeights } from './onnx-ops/chain.js';

export interface ImportedNetwork {
  network: NetworkSpec;
  weights: Map<string, FloatLayerWeights>;
  inputName: string;
  opset: number;
  producer: string;
  /** Nodes dropped because they do nothing at inference (Dropout, Identity, 1x1 AveragePool...). */
  folded: string[];
}

/** Reads an AlexNet-family ONNX model into a layer list and float weights. */
export function importOnnx(model: OnnxModel, readExternal?: ExternalDataReader): ImportedNetwork {
  const graph = model.graph;
  if (!graph || !graph.node?.length) throw new AlexNetError('ONNX_INVALID', 'The ONNX file has no graph nodes. Is it an ONNX model (ModelProto)?');
  const opset = toNumber(model.opset_import.find((o) => !o.domain || o.domain === 'ai.onnx')?.version) || 1;
  const constants = new Map<string, OnnxTensor>(graph.initializer.map((t) => [t.name!, t]));
  const graphInput = graph.input.find((i) => !constants.has(i.name));
  if (!graphInput) throw new AlexNetError('ONNX_INVALID', 'The ONNX graph has no input that is not an initializer.');
  const dims = (graphInput.type?.tensor_type?.shape?.dim ?? []).map((d) => toNumber(d.dim_value));
  if (dims.length !== 4 || dims.slice(1).some((d) => !(d > 0))) {
    throw new AlexNetError('ONNX_UNSUPPORTED', `Input "${graphInput.name}" has shape [${dims.join(', ')}]; alexnet-web needs [N, C, H, W] with fixed C, H and W. Export with a fixed input size.`);
  }
  const input = { channels: dims[1], height: dims[2], width: dims[3] };
  const layers: Layer[] = [];
  const weights = new Map<string, FloatLayerWeights>();
  const folded: string[] = [];
  let shape = [input.channels, input.height, input.width] as ActivationShape;
  let current = graphInput.name;
  const chain: Chain = {
    get current() {
      return current;
    },
    get shape() {
      return shape;
    },
    opset,
    convs: 0,
    fcs: 0,
    constant: (name) => (name ? constants.get(name) : undefined),
    constantOf(node, name, what) {
      const tensor = name ? constants.get(name) : undefined;
      if (!tensor) unsupported(node, `its ${what} "${name}" is computed in the graph; alexnet-web needs it as an initializer.`);
      return tensor;
    },
    floats: (tensor) => tensorToFloat32(tensor, readExternal),
    uniqueName(base) {
      let name = base;
      for (let i = 2; layers.some((l) => l.name === name); i++) name = `${base}_${i}`;
      return name;
    },
    push(node, layer, layerWeights) {
      layers.push(layer);
      if (layerWeights) weights.set(layer.name, layerWeights);
      let plans;
      try {
        plans = planNetwork({ input, layers });
      } catch (error) {
        // The loader would refuse this layer (an attribute of 0, say): name the node that made it.
        if (error instanceof AlexNetError && error.code === 'MODEL_INVALID') invalid(node, `it makes a layer alexnet-web cannot load: ${error.message}`);
        throw error;
      }
      shape = plans[plans.length - 1].outputShape;
    },
    lastWeighted() {
      const last = layers[layers.length - 1];
      return last?.type === 'conv2d' || last?.type === 'fullyConnected' ? last : undefined;
    },
    weightsOf: (layer) => weights.get(layer)!,
    fold: (node) => void folded.push(describe(node)),
  };

  for (const node of graph.node) {
    if (node.domain && node.domain !== 'ai.onnx') unsupported(node, `custom domain "${node.domain}" is not supported.`);
    const attrs = new Attributes(node);
    if (node.op_type === 'Constant') {
      const value = attrs.tensor('value');
      if (value) constants.set(node.output[0], value);
      continue;
    }
    // PyTorch exports shared parameters as Identity(initializer): the output is the same constant.
    const aliased = node.op_type === 'Identity' ? constants.get(node.input[0]) : undefined;
    if (aliased) {
      constants.set(node.output[0], aliased);
      continue;
    }
    if (!node.input.includes(current) || node.op_type === 'Shape') {
      if (!SIDE_OPS.includes(node.op_type)) {
        unsupported(node, `it does not continue the network's single chain (expected it to read "${current}"). alexnet-web runs single-path networks; side computations may only be ${SIDE_OPS.join(', ')}.`);
      }
      continue;
    }
    if (node.input[0] !== current && node.op_type !== 'Add') unsupported(node, `reads "${current}" in a position other than its first input.`);
    const importer = Object.hasOwn(CHAIN_IMPORTERS, node.op_type) ? CHAIN_IMPORTERS[node.op_type] : undefined;
    if (!importer) unsupported(node, `this op is not supported. alexnet-web converts ${Object.keys(CHAIN_IMPORTERS).join(', ')} (plus ${SIDE_OPS.join(', ')} for shape arithmetic).`);
    importer(node, attrs, chain);
    current = node.output[0];
  }
  const output = graph.output[0]?.name;
  if (output !== current) {
    throw new AlexNetError('ONNX_UNSUPPORTED', `The graph output "${output}" is not the end of the layer chain ("${current}"); alexnet-web runs single-output chains.`);
  }
  if (shape.length !== 1) throw new AlexNetError('ONNX_UNSUPPORTED', `The network ends in a [${shape.join(', ')}] tensor; alexnet-web needs class scores [N, classes].`);
  return { network: { input, layers }, weights, inputName: graphInput.name, opset, producer: `${model.producer_name ?? ''} ${model.producer_version ?? ''}`.trim(), folded };
}
