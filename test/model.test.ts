// Shape inference on the built-in networks and the errors it gives for bad layer lists.
import { describe, expect, it } from 'vitest';
import { AlexNetError } from '../src/errors.js';
import { bvlcAlexNet, torchvisionAlexNet } from '../src/model/builtin.js';
import { planNetwork, slidingOutputSize } from '../src/model/shapes.js';
import type { NetworkSpec } from '../src/model/spec.js';

const shapes = (spec: NetworkSpec) => Object.fromEntries(planNetwork(spec).map((p) => [p.layer.name, p.outputShape]));

describe('shape inference', () => {
  it('BVLC AlexNet at 227: the paper sizes, 9216 features into fc6, about 61 M parameters', () => {
    const s = shapes(bvlcAlexNet());
    expect(s).toMatchObject({ conv1: [96, 55, 55], pool1: [96, 27, 27], conv2: [256, 27, 27], pool2: [256, 13, 13], conv5: [256, 13, 13], pool5: [256, 6, 6], flatten: [9216], fc8: [1000], prob: [1000] });
    const parameters = planNetwork(bvlcAlexNet()).reduce((sum, p) => sum + p.parameters, 0);
    expect(parameters).toBe(60965224);
  });

  it('bvlcalexnet-12 at 224 reaches 6x6 only with ceil-mode pools', () => {
    expect(shapes(bvlcAlexNet({ inputSize: 224 })).pool5).toEqual([256, 6, 6]);
    const floor = bvlcAlexNet({ inputSize: 224 });
    floor.layers = floor.layers.map((l) => (l.type === 'maxPool' ? { ...l, ceilMode: false } : l));
    expect(shapes(floor).pool5).toEqual([256, 5, 5]);
  });

  it('torchvision AlexNet at 224', () => {
    expect(shapes(torchvisionAlexNet())).toMatchObject({ conv1: [64, 55, 55], pool1: [64, 27, 27], conv2: [192, 27, 27], pool5: [256, 6, 6], fc8: [1000] });
  });

  it('ceil mode never starts a window in the padding (Caffe/PyTorch rule)', () => {
    expect(slidingOutputSize(5, 2, 2, 1, 1, true)).toBe(3);
    expect(slidingOutputSize(54, 3, 2, 0, 0, true)).toBe(27);
    expect(slidingOutputSize(54, 3, 2, 0, 0, false)).toBe(26);
  });

  it.each([
    ['groups that do not divide the channels', (s: NetworkSpec) => { (s.layers[3] as any).groups = 3; }, /"conv2" \(conv2d\).*divide by groups \(3\)/],
    ['a kernel larger than its input', (s: NetworkSpec) => { (s.layers[0] as any).kernel = [300, 300]; }, /"conv1".*does not fit/],
    ['an unknown layer type', (s: NetworkSpec) => { (s.layers[1] as any).type = 'batchNorm'; }, /"norm1" has unknown type "batchNorm"/],
    ['a duplicate name', (s: NetworkSpec) => { s.layers[1].name = 'conv1'; }, /"conv1".*used twice/],
    ['softmax before flatten', (s: NetworkSpec) => { s.layers.splice(3, 0, { type: 'softmax', name: 'early' }); }, /"early".*flat input/],
    ['a negative pad', (s: NetworkSpec) => { (s.layers[0] as any).pads = [-1, 0, 0, 0]; }, /"conv1".*pads must be non-negative/],
  ])('%s fails with MODEL_INVALID naming the layer', (_, edit, message) => {
    const spec = bvlcAlexNet();
    edit(spec);
    let error: unknown;
    try {
      planNetwork(spec);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AlexNetError);
    expect((error as AlexNetError).code).toBe('MODEL_INVALID');
    expect((error as AlexNetError).message).toMatch(message);
  });
});
