// Fuzz: damaged and hostile ONNX files through the converter (in-process) and `alexnet-web convert`.
// Each case converts or fails with a documented code; every file convert writes must then load.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { convertOnnx, type WeightPrecision } from '../../src/convert/convert.js';
import { decodeModel, encodeModel, ONNX_ATTRIBUTE, type OnnxAttribute, type OnnxModel } from '../../src/convert/onnx-proto.js';
import { AlexNetError } from '../../src/errors.js';
import { createClassifier } from '../../src/node/index.js';
import { concatBytes } from '../helpers.js';
import { uniform } from '../random.js';
import { mutateBytes, Random } from './mutate.js';
import { caseCount, DOCUMENTED_CODES, expectFinite, Outcomes, SUITE_TIMEOUT_MS } from './outcomes.js';
import { tinyOnnx } from './seeds.js';

const CASES = caseCount(800);
/** One case in this many also runs through the CLI (a process each). */
const CLI_EVERY = 40;
const SEED = 25_000;
const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const directory = mkdtempSync(join(tmpdir(), 'alexnet-web-fuzz-onnx-'));
const input = uniform(3 * 35 * 35, 5, -100, 100);

const HOSTILE_INTS = [0, -1, 1, 2, 3, 7, 1000, 2 ** 31 - 1, -(2 ** 31), 2 ** 40];
const HOSTILE_FLOATS = [0, -1, 1e-30, 1e30, 3.4e38, NaN, Infinity, -Infinity, 0.5, 5];

function mutateAttribute(attribute: OnnxAttribute, random: Random): void {
  switch (random.below(5)) {
    case 0:
      attribute.i = random.pick(HOSTILE_INTS);
      break;
    case 1:
      attribute.f = random.pick(HOSTILE_FLOATS);
      break;
    case 2:
      attribute.ints = Array.from({ length: random.pick([0, 1, 2, 4, 5]) }, () => random.pick(HOSTILE_INTS));
      break;
    case 3:
      // Present, but with no value: protobuf reads the zero of its type.
      delete attribute.i;
      delete attribute.f;
      delete attribute.ints;
      break;
    default:
      attribute.type = random.pick([ONNX_ATTRIBUTE.STRING, ONNX_ATTRIBUTE.TENSOR, 99]);
  }
}

function mutateModel(model: OnnxModel, random: Random): void {
  const graph = model.graph!;
  switch (random.below(6)) {
    case 0: {
      const node = random.pick(graph.node);
      if (node.attribute.length > 0 && random.chance(0.8)) mutateAttribute(random.pick(node.attribute), random);
      else node.attribute.push({ name: random.pick(['group', 'pads', 'strides', 'bias', 'size', 'ceil_mode', 'auto_pad', 'transB', 'axis']), i: random.pick(HOSTILE_INTS), type: ONNX_ATTRIBUTE.INT });
      break;
    }
    case 1: {
      const tensor = random.pick(graph.initializer);
      tensor.dims = tensor.dims!.map((d) => (random.chance(0.4) ? random.pick(HOSTILE_INTS) : d));
      break;
    }
    case 2: {
      const tensor = random.pick(graph.initializer);
      const raw = Uint8Array.from(tensor.raw_data ?? []);
      if (random.chance(0.5)) {
        tensor.raw_data = raw.subarray(0, random.below(raw.byteLength + 1));
      } else {
        const view = new DataView(raw.buffer);
        for (let edits = 1 + random.below(3); edits > 0 && raw.byteLength >= 4; edits--) view.setFloat32(4 * random.below(raw.byteLength / 4), random.pick(HOSTILE_FLOATS), true);
        tensor.raw_data = raw;
      }
      break;
    }
    case 3:
      random.pick(graph.initializer).data_type = random.pick([0, 2, 3, 6, 7, 10, 11, 16, 99]);
      break;
    case 4: {
      const at = random.below(graph.node.length);
      if (random.chance(0.5)) graph.node.splice(at, 1);
      else graph.node.splice(at, 0, structuredClone(graph.node[at]));
      break;
    }
    default: {
      const dims = graph.input[0].type!.tensor_type!.shape!.dim!;
      dims[1 + random.below(3)] = random.chance(0.2) ? { dim_param: 'H' } : { dim_value: random.pick(HOSTILE_INTS) };
    }
  }
}

/** One hostile ONNX file: structured edits through protobuf, or damaged bytes. */
function onnxCase(i: number): { bytes: Uint8Array; quantize: WeightPrecision } {
  const random = new Random(SEED + i);
  const quantize = random.pick(['int8', 'int8', 'f16', 'f32'] as const);
  if (random.chance(0.3)) return { bytes: mutateBytes(tinyOnnx(), random), quantize };
  const model = decodeModel(tinyOnnx());
  for (let edits = 1 + random.below(2); edits > 0; edits--) mutateModel(model, random);
  try {
    return { bytes: encodeModel(model), quantize };
  } catch {
    // protobufjs refused the edit itself: damage the bytes instead.
    return { bytes: mutateBytes(tinyOnnx(), random), quantize };
  }
}

/** The written file must load (or be refused only for memory) and answer finite numbers. */
async function loadConverted(bytes: Uint8Array, name: string): Promise<void> {
  let classifier;
  try {
    classifier = await createClassifier({ weights: bytes, threads: 1 });
  } catch (error) {
    if (error instanceof AlexNetError && error.code === 'OUT_OF_MEMORY') throw error;
    throw new Error(`${name}: convert wrote a file its loader refuses: ${(error as Error).message}`);
  }
  try {
    const { channels, height, width } = classifier.metadata.network.input;
    expectFinite(await classifier.infer(new Float32Array(channels * height * width).map((_, j) => input[j % input.length])), name);
  } finally {
    await classifier.dispose();
  }
}

function runCli(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: directory }, (error, _, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stderr }));
  });
}

describe('fuzz: ONNX files through the converter and the CLI', () => {
  const outcomes = new Outcomes();
  const cli = new Outcomes();
  afterAll(() => {
    console.log(outcomes.report('fuzz ONNX (convertOnnx)'));
    console.log(cli.report('fuzz ONNX (alexnet-web convert)'));
    rmSync(directory, { recursive: true, force: true });
  });

  it(`${CASES} hostile ONNX files each convert to a file that loads, or fail with a documented code`, async () => {
    expect(existsSync(CLI), 'dist/cli.js (npm test builds it)').toBe(true);
    for (let i = 0; i < CASES; i++) {
      const { bytes, quantize } = onnxCase(i);
      const name = `ONNX #${i} (${quantize})`;
      await outcomes.settle(name, async () => loadConverted(concatBytes(convertOnnx(bytes, { quantize }).chunks), name));
      if (i % CLI_EVERY !== 0) continue;
      writeFileSync(join(directory, 'case.onnx'), bytes);
      rmSync(join(directory, 'case.safetensors'), { force: true });
      await cli.settle(`${name} via the CLI`, async () => {
        const { code, stderr } = await runCli(['convert', 'case.onnx', '-o', 'case.safetensors', '--quantize', quantize]);
        const written = existsSync(join(directory, 'case.safetensors'));
        expect(readdirSync(directory).filter((f) => f.endsWith('.tmp')), `${name}: temporary files`).toEqual([]);
        if (code === 0) return loadConverted(readFileSync(join(directory, 'case.safetensors')), `${name} via the CLI`);
        expect(written, `${name}: a refused conversion writes nothing`).toBe(false);
        const match = /^alexnet-web: ([A-Z_]+): .+$/.exec(stderr.trim());
        expect(match, `${name}: stderr is one line "alexnet-web: CODE: message": ${stderr}`).not.toBeNull();
        expect(DOCUMENTED_CODES.has(match![1]), `${name}: ${match![1]} is documented`).toBe(true);
        // The same code the library gave, as an error the tally counts.
        throw new AlexNetError(match![1] as never, stderr.trim());
      });
    }
    expect(outcomes.count('ok')).toBeGreaterThan(0);
    expect(outcomes.total - outcomes.count('ok')).toBeGreaterThan(0);
  }, SUITE_TIMEOUT_MS);
});
