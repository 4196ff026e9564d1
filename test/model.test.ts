// Shape inference on the built-in networks and the errors it gives for bad layer lists.
import { describe, expect, it } from 'vitest';
import { AlexNetError } from '../src/errors.js';
import { bvlcAlexNet, torchvisionAlexNet } from '../src/model/builtin.js';
import { planNetwork, slidingOutputSize } from '../src/model/shapes.js';
import type { NetworkSpec } from '../src/model/spec.js';

const shapes = (spec: NetworkSpec) => Object.fromEntries(planNetwork(spec).map((p) => [p.layer.name, p.outputShape]));

/** An array nested `depth` deep, built without recursion. */
function nested(depth: number): unknown[] {
  let value: unknown[] = [];
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

describe('shape inference', () => {
  it.each([
    ['no network at all', undefined, /the network must be an object/],
    ['no input', { layers: [{ type: 'flatten', name: 'f' }] }, /input must be positive integer/],
    ['100,000 layers', { input: { channels: 3, height: 8, width: 8 }, layers: Array.from({ length: 100_000 }, (_, i) => ({ type: 'flatten', name: `f${i}` })) }, /100000 layers; at most 1000/],
  ])('a network with %s fails with MODEL_INVALID', (_, spec, message) => {
    expect(() => planNetwork(spec as unknown as NetworkSpec)).toThrow(expect.objectContaining({ code: 'MODEL_INVALID', message: expect.stringMatching(message) }));
  });

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
    // Malformed fields (issue 15): each used to throw a TypeError or pass unchecked.
    ['a conv2d without pads', (s: NetworkSpec) => { delete (s.layers[0] as any).pads; }, /"conv1".*pads must be a list of 4 integers, found undefined/],
    ['a kernel that is a number', (s: NetworkSpec) => { (s.layers[0] as any).kernel = 3; }, /"conv1".*kernel must be a list of 2 integers, found 3/],
    ['a null stride', (s: NetworkSpec) => { (s.layers[0] as any).stride = null; }, /"conv1".*stride must be a list of 2 integers, found null/],
    ['max-pool pads that are a string', (s: NetworkSpec) => { (s.layers[2] as any).pads = '1'; }, /"pool1".*pads must be a list of 4 integers, found "1"/],
    ['a relu that is not a boolean', (s: NetworkSpec) => { (s.layers[0] as any).relu = 'yes'; }, /"conv1".*relu must be true or false/],
    ['an absurd channel count', (s: NetworkSpec) => { (s.layers[0] as any).outChannels = 2 ** 40; }, /"conv1".*up to 1048576/],
    ['a kernel nested 100,000 deep', (s: NetworkSpec) => { (s.layers[0] as any).kernel = [nested(100_000), 3]; }, /"conv1".*found \[96, an array of 1 item, 3, /],
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
