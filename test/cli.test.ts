// The alexnet-web command from dist/, as a user runs it (npm test builds dist/ first).
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeModel, encodeModel } from '../src/convert/onnx-proto.js';
import { createClassifier } from '../src/node/index.js';
import { expectClose } from './close.js';
import { concatBytes } from './helpers.js';
import { smallOnnx, smallWeights, withFormatVersion } from './fixtures.js';
import { encodePng, pattern } from './images.js';
import { uniform } from './random.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const directory = mkdtempSync(join(tmpdir(), 'alexnet-web-cli-'));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: directory }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` (npm test does).');
  writeFileSync(join(directory, 'small.onnx'), smallOnnx());
  writeFileSync(join(directory, 'labels.txt'), 'zero\none\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\n');
  writeFileSync(join(directory, 'a.png'), encodePng(pattern(64, 48, 1)));
  writeFileSync(join(directory, 'b.png'), encodePng(pattern(300, 200, 2)));
  writeFileSync(join(directory, 'broken.png'), encodePng(pattern(64, 48, 1)).subarray(0, 80));
});

describe('alexnet-web CLI', () => {
  it('--help lists every command', async () => {
    const { code, stdout } = await run('--help');
    expect(code).toBe(0);
    for (const command of ['classify', 'convert', 'infer', 'inspect']) expect(stdout).toContain(`alexnet-web ${command}`);
  });

  it('convert prints a per-layer report and writes a file inspect can read', async () => {
    const converted = await run('convert', 'small.onnx', '-o', 'small.safetensors', '--labels', 'labels.txt', '--preprocess', 'caffe');
    expect(converted.code).toBe(0);
    expect(converted.stdout).toMatch(/conv1\s+conv2d\s+\[24x55x55\]\s+8736\s+I8/);
    expect(converted.stdout).toMatch(/^total\s+811114/m);
    const inspected = await run('inspect', 'small.safetensors');
    expect(inspected.code).toBe(0);
    expect(inspected.stdout).toMatch(/input 3x227x227, 10 classes/);
    expect(inspected.stdout).toMatch(/fc6\s+fullyConnected\s+\[256\]/);
    expect(inspected.stdout).toContain('zero, one, two');
  });

  it('infer writes the same floats the library computes', async () => {
    writeFileSync(join(directory, 'small-lib.safetensors'), smallWeights());
    const input = uniform(2 * 3 * 227 * 227, 4);
    writeFileSync(join(directory, 'x.f32'), input);
    const result = await run('infer', '--weights', 'small-lib.safetensors', '--input', 'x.f32', '--batch', '2', '--output', 'y.f32');
    expect(result.code).toBe(0);
    const output = new Float32Array(new Uint8Array(readFileSync(join(directory, 'y.f32'))).buffer);
    const classifier = await createClassifier({ weights: smallWeights() });
    // The CLI runs without Node's relaxed-SIMD flag, the test process with it: FMA rounding differs.
    expectClose(output, await classifier.infer(input, { batch: 2 }), 1e-5, 1e-4);
    classifier.dispose();
  });

  it('infer --threads 1 and --threads 3 write the same bits; --threads 0 is refused', async () => {
    writeFileSync(join(directory, 'small-threads.safetensors'), smallWeights());
    writeFileSync(join(directory, 'x3.f32'), uniform(3 * 3 * 227 * 227, 8));
    const outputs: Buffer[] = [];
    for (const threads of ['1', '3']) {
      const result = await run('infer', '--weights', 'small-threads.safetensors', '--input', 'x3.f32', '--batch', '3', '--output', `y${threads}.f32`, '--threads', threads);
      expect(result.code).toBe(0);
      outputs.push(readFileSync(join(directory, `y${threads}.f32`)));
    }
    expect(outputs[1].equals(outputs[0])).toBe(true);
    const refused = await run('classify', '--threads', '0', 'a.png');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/^alexnet-web: INVALID_ARGUMENT: --threads takes a positive integer/);
  });

  it('infer --arithmetic f32 writes what the library computes with f32 arithmetic, the default int8 what it computes with int8; --arithmetic int4 is refused', async () => {
    writeFileSync(join(directory, 'small-arithmetic.safetensors'), smallWeights());
    const input = uniform(2 * 3 * 227 * 227, 5);
    writeFileSync(join(directory, 'xa.f32'), input);
    for (const arithmetic of ['f32', 'int8'] as const) {
      const result = await run('infer', '--weights', 'small-arithmetic.safetensors', '--input', 'xa.f32', '--batch', '2', '--output', `ya-${arithmetic}.f32`, '--arithmetic', arithmetic);
      expect(result.code).toBe(0);
      const output = new Float32Array(new Uint8Array(readFileSync(join(directory, `ya-${arithmetic}.f32`))).buffer);
      const classifier = await createClassifier({ weights: smallWeights(), arithmetic });
      expect(classifier.arithmetic).toBe(arithmetic);
      expectClose(output, await classifier.infer(input, { batch: 2 }), 1e-5, 1e-4);
      await classifier.dispose();
    }
    const refused = await run('infer', '--weights', 'small-arithmetic.safetensors', '--input', 'xa.f32', '--output', 'yb.f32', '--arithmetic', 'int4');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/^alexnet-web: INVALID_ARGUMENT: --arithmetic takes int8 or f32/);
  });

  it('inspect without a file describes the bundled demo model and prints the integrity string the loader accepts', async () => {
    const text = await run('inspect');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^\(the bundled demo model: .*fashion-alexnet-mini\.safetensors\)$/m);
    const integrity = /^integrity: (sha256-[A-Za-z0-9+/]+=*)$/m.exec(text.stdout)?.[1];
    const json = JSON.parse((await run('inspect', '--json')).stdout);
    expect(json.integrity).toBe(integrity);
    const pinned = await createClassifier({ weights: json.file, integrity, threads: 1 });
    await pinned.dispose();
  });

  it('classify with the demo model says so once on stderr, and not with --json', async () => {
    const plain = await run('classify', 'a.png', 'b.png');
    expect(plain.code).toBe(0);
    expect(plain.stderr.trim()).toBe('Demo model: 10 clothing classes (Fashion-MNIST). For ImageNet, convert an ONNX AlexNet (alexnet-web convert) and pass --weights.');
    const json = await run('classify', '--json', 'a.png');
    expect(json.stderr).toBe('');
  });

  it('classify --json prints one JSON line per image; a bad image fails alone with exit code 1', async () => {
    writeFileSync(join(directory, 'small-lib.safetensors'), smallWeights());
    const { code, stdout } = await run('classify', '--weights', 'small-lib.safetensors', '--top-k', '3', '--json', 'a.png', 'broken.png', 'b.png');
    expect(code).toBe(1);
    const lines = stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines).toHaveLength(3);
    expect(lines[0].results).toHaveLength(3);
    expect(lines[0].results[0]).toEqual({ index: expect.any(Number), label: expect.any(String), score: expect.any(Number) });
    expect(lines[1].error.code).toBe('IMAGE_INVALID');
    expect(lines[2].image).toBe('b.png');
  });

  it.each([
    [['convert', 'missing.onnx', '-o', 'x.safetensors'], /INVALID_ARGUMENT: Cannot read missing.onnx/],
    [['inspect', 'truncated.safetensors'], /WEIGHTS_TRUNCATED/],
    [['classify', '--weights', 'truncated.safetensors', 'a.png'], /WEIGHTS_TRUNCATED/],
    [['infer', '--weights', 'small-lib.safetensors', '--input', 'odd.f32', '--output', 'z.f32'], /INPUT_SHAPE_MISMATCH/],
    [['classify', '--top-k', 'many', 'a.png'], /--top-k takes a positive integer/],
    // Numbers in decimal digits only; parseArgs's refusal of a value like -1 comes as one line with a hint.
    [['classify', '--top-k', '1e3', 'a.png'], /--top-k takes a positive integer/],
    [['classify', '--top-k', '0x10', 'a.png'], /--top-k takes a positive integer/],
    [['classify', '--top-k', '99999999999999999999', 'a.png'], /--top-k takes a positive integer/],
    [['classify', '--top-k', '-1', 'a.png'], /^alexnet-web: INVALID_ARGUMENT: --top-k got "-1", which starts with "-" like an option; if you mean it, write --top-k=-1\./],
    [['classify', '--top-k=-1', 'a.png'], /^alexnet-web: INVALID_ARGUMENT: --top-k takes a positive integer/],
    [['classify', '--weights', 'small-lib.safetensors', 'broken.png'], /^alexnet-web: IMAGE_INVALID: broken.png: /],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['classify', '--no-such-flag'], /INVALID_ARGUMENT/],
    // A mistyped option gets the one it resembles.
    [['classify', '--topk', '3', 'a.png'], /^alexnet-web: INVALID_ARGUMENT: unknown option --topk \(did you mean --top-k\?\)/],
    [['classify', '--wieghts', 'w.safetensors', 'a.png'], /unknown option --wieghts \(did you mean --weights\?\)/],
    [['classify', '--frobnicate', 'a.png'], /unknown option --frobnicate \(see alexnet-web --help\)/],
    // Over 64 KiB, read from a path, rejected by its header: the process used to die after the message.
    [['classify', '--weights', 'version-9.safetensors', 'a.png'], /WEIGHTS_UNSUPPORTED_VERSION/],
    [['classify', '--weights', '/dev/null', 'a.png'], /WEIGHTS_NOT_FOUND: .* not a regular file/],
  ])('%j fails with one line on stderr and a non-zero exit', async (args, message) => {
    writeFileSync(join(directory, 'version-9.safetensors'), withFormatVersion(smallWeights(), 9));
    writeFileSync(join(directory, 'truncated.safetensors'), smallWeights().subarray(0, 3000));
    writeFileSync(join(directory, 'small-lib.safetensors'), smallWeights());
    writeFileSync(join(directory, 'odd.f32'), new Uint8Array(7));
    const { code, stderr } = await run(...args);
    expect(code).not.toBe(0);
    expect(stderr).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });

  it('convert reads initializers stored in an external data file (as torch writes models over 2 GB)', async () => {
    const model = decodeModel(smallOnnx());
    const chunks: Uint8Array[] = [];
    let offset = 0;
    for (const tensor of model.graph!.initializer) {
      const raw = tensor.raw_data!;
      if (raw.byteLength < 1024) continue;
      tensor.external_data = [{ key: 'location', value: 'small.weights' }, { key: 'offset', value: String(offset) }, { key: 'length', value: String(raw.byteLength) }];
      tensor.data_location = 1;
      tensor.raw_data = new Uint8Array(0);
      chunks.push(raw);
      offset += raw.byteLength;
    }
    writeFileSync(join(directory, 'small.weights'), concatBytes(chunks));
    writeFileSync(join(directory, 'external.onnx'), encodeModel(model));
    const { code } = await run('convert', 'external.onnx', '-o', 'external.safetensors', '-q', 'f32');
    expect(code).toBe(0);
    const inline = await run('convert', 'small.onnx', '-o', 'inline.safetensors', '-q', 'f32');
    expect(inline.code).toBe(0);
    const a = await createClassifier({ weights: join(directory, 'external.safetensors') });
    const b = await createClassifier({ weights: join(directory, 'inline.safetensors') });
    const input = uniform(3 * 227 * 227, 8);
    expectClose(await a.infer(input), await b.infer(input), 0, 0);
    a.dispose();
    b.dispose();
  });

  it.each([
    ['an absolute location', '/etc/passwd', /ONNX_INVALID: External data location "\/etc\/passwd" must be a path inside the model's folder/],
    ['a location climbing out with ..', '../outside.weights', /ONNX_INVALID: External data location "..\/outside.weights" must be a path inside/],
    ['a missing external data file', 'nowhere.weights', /ONNX_INVALID: Cannot read the external data file "nowhere.weights" beside the model \(ENOENT\)/],
  ])('convert refuses external data at %s with one line', async (_, location, message) => {
    const model = decodeModel(smallOnnx());
    const tensor = model.graph!.initializer.find((t) => t.raw_data!.byteLength >= 1024)!;
    tensor.external_data = [{ key: 'location', value: location }, { key: 'offset', value: '0' }, { key: 'length', value: String(tensor.raw_data!.byteLength) }];
    tensor.data_location = 1;
    tensor.raw_data = new Uint8Array(0);
    writeFileSync(join(directory, 'hostile-external.onnx'), encodeModel(model));
    const { code, stderr } = await run('convert', 'hostile-external.onnx', '-o', 'hostile.safetensors');
    expect(code).not.toBe(0);
    expect(stderr).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(directory, 'hostile.safetensors'))).toBe(false);
  });

  it('convert of a directory says so in one line', async () => {
    const { code, stderr } = await run('convert', '.', '-o', 'dir.safetensors');
    expect(code).not.toBe(0);
    expect(stderr.trim()).toMatch(/^alexnet-web: INVALID_ARGUMENT: Cannot read \.: it is a directory\.$/);
  });

  it('a refused conversion writes nothing, not even a temporary file', async () => {
    const model = decodeModel(smallOnnx());
    model.graph!.node[1].op_type = 'Relx';
    writeFileSync(join(directory, 'bad.onnx'), encodeModel(model));
    const before = readdirSync(directory);
    const { code, stderr } = await run('convert', 'bad.onnx', '-o', 'bad.safetensors');
    expect(code).toBe(1);
    expect(stderr).toMatch(/ONNX_UNSUPPORTED: .*\(Relx\)/);
    expect(readdirSync(directory).sort()).toEqual(before.sort());
  });

  it('the next write to a path removes the temporary file a SIGKILLed convert left beside it (issue 15, defect 10)', async () => {
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid!;
    const minutesAgo = (name: string, minutes: number) => {
      writeFileSync(join(directory, name), 'partial');
      const time = new Date(Date.now() - minutes * 60_000);
      utimesSync(join(directory, name), time, time);
      return name;
    };
    const stale = minutesAgo(`.killed.safetensors.${deadPid}.1700000000000.tmp`, 5);
    // Kept: a live writer's file, a file touched within the last minute (a writer on another host), another path's file.
    const live = minutesAgo(`.killed.safetensors.${process.pid}.1700000000001.tmp`, 5);
    const recent = minutesAgo(`.killed.safetensors.${deadPid}.1700000000002.tmp`, 0);
    const other = minutesAgo(`.other.safetensors.${deadPid}.1700000000003.tmp`, 5);
    const { code } = await run('convert', 'small.onnx', '-o', 'killed.safetensors');
    expect(code).toBe(0);
    const left = readdirSync(directory);
    expect(left).not.toContain(stale);
    expect(left).toEqual(expect.arrayContaining([live, recent, other, 'killed.safetensors']));
  });
});
