// What every ONNX node importer reads with: its attributes, its pads, its place in errors.
import { AlexNetError } from '../../errors.js';
import type { ActivationShape } from '../../model/shapes.js';
import { toNumber, type OnnxAttribute, type OnnxNode, type OnnxTensor } from '../onnx-proto.js';

export function describe(node: OnnxNode): string {
  return `node "${node.name || node.output[0]}" (${node.op_type})`;
}

export function unsupported(node: OnnxNode, message: string): never {
  throw new AlexNetError('ONNX_UNSUPPORTED', `ONNX ${describe(node)}: ${message}`);
}

export function invalid(node: OnnxNode, message: string): never {
  throw new AlexNetError('ONNX_INVALID', `ONNX ${describe(node)}: ${message}`);
}

/** The shortest decimal that reads back as the same f32 (0.0001, not 0.00009999999747378752). */
function shortestFloat32(value: number): number {
  for (let digits = 1; digits < 9; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === Math.fround(value)) return candidate;
  }
  return value;
}

export class Attributes {
  private readonly byName: Map<string, OnnxAttribute>;
  constructor(private readonly node: OnnxNode) {
    this.byName = new Map(node.attribute.map((a) => [a.name, a]));
  }
  int(name: string, fallback: number): number {
    const a = this.byName.get(name);
    return a ? toNumber(a.i) : fallback;
  }
  float(name: string, fallback: number): number {
    const a = this.byName.get(name);
    return a?.f === undefined ? fallback : shortestFloat32(a.f);
  }
  ints(name: string, fallback: number[]): number[] {
    const a = this.byName.get(name);
    return a ? (a.ints ?? []).map(toNumber) : fallback;
  }
  string(name: string, fallback: string): string {
    const a = this.byName.get(name);
    // protobufjs leaves unset bytes fields as an empty array.
    return a?.s?.length ? new TextDecoder().decode(Uint8Array.from(a.s)) : fallback;
  }
  tensor(name: string): OnnxTensor | undefined {
    return this.byName.get(name)?.t;
  }
  requireOnes(name: string): void {
    if (this.ints(name, []).some((v) => v !== 1)) unsupported(this.node, `${name} [${this.ints(name, []).join(', ')}] is not supported; only 1.`);
  }
}

export function spatial(node: OnnxNode, shape: ActivationShape): [number, number, number] {
  if (shape.length !== 3) unsupported(node, `expects a [N, C, H, W] input, but the input here is flat [N, ${shape[0]}].`);
  return shape;
}

/** ONNX pads [top, left, bottom, right], resolving auto_pad SAME_UPPER / SAME_LOWER / VALID. */
export function padsOf(node: OnnxNode, attrs: Attributes, inH: number, inW: number, kernel: number[], strides: number[]): [number, number, number, number] {
  const autoPad = attrs.string('auto_pad', 'NOTSET');
  if (autoPad === 'NOTSET') {
    const pads = attrs.ints('pads', [0, 0, 0, 0]);
    if (pads.length !== 4) unsupported(node, `pads [${pads.join(', ')}] are not 2-D.`);
    return pads as [number, number, number, number];
  }
  if (autoPad === 'VALID') return [0, 0, 0, 0];
  if (autoPad !== 'SAME_UPPER' && autoPad !== 'SAME_LOWER') unsupported(node, `auto_pad ${autoPad} is unknown.`);
  const total = [inH, inW].map((size, i) => Math.max(0, (Math.ceil(size / strides[i]) - 1) * strides[i] + kernel[i] - size));
  const small = total.map((t) => Math.floor(t / 2));
  const large = total.map((t, i) => t - small[i]);
  return autoPad === 'SAME_UPPER' ? [small[0], small[1], large[0], large[1]] : [large[0], large[1], small[0], small[1]];
}
