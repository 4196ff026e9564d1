// Fuzz: the alexnet-web command with seeded combinations of commands, flags, odd values and files.
// Each run exits 0 with output, or non-zero with every stderr line "alexnet-web: CODE: message".
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlexNetError } from '../../src/errors.js';
import { uniform } from '../random.js';
import { Random } from './mutate.js';
import { caseCount, DOCUMENTED_CODES, Outcomes, SUITE_TIMEOUT_MS } from './outcomes.js';
import { SEED_IMAGES, tinyOnnx, tinyWeights } from './seeds.js';

const CASES = caseCount(40);
const SEED = 45_000;
const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const directory = mkdtempSync(join(tmpdir(), 'alexnet-web-fuzz-cli-'));

const NUMBERS = ['1', '3', '0', '-1', '1e3', '0x10', '1.5', '99999999999999999999', 'abc', '', ' 2', 'NaN', 'Infinity'];
const FILES = ['tiny.safetensors', 'cut.safetensors', 'missing.safetensors', '.', '/dev/null', 'tiny.onnx', 'a.png', 'cut.png', 'x.f32', ''];
/** Flags and where their values come from. */
const FLAGS: [string, readonly string[]][] = [
  ['--weights', FILES],
  ['--top-k', NUMBERS],
  ['--threads', NUMBERS],
  ['--batch', NUMBERS],
  ['--arithmetic', ['int8', 'f32', 'int4', '']],
  ['--input', FILES],
  ['--output', ['out.f32', '.', 'missing-dir/out.f32']],
  ['-o', ['out.safetensors', '.', 'missing-dir/out.safetensors']],
  ['--quantize', ['int8', 'f16', 'f32', 'int4']],
  ['--labels', ['imagenet', 'labels.txt', 'missing.txt']],
  ['--preprocess', ['caffe', 'torchvision', 'nonsense', 'missing.json']],
  ['--json', []],
  ['--frobnicate', []],
  ['-k', NUMBERS],
];

/** Valid calls, which a case then bends with one flag. */
const VALID = [
  ['classify', '--weights', 'tiny.safetensors', 'a.png'],
  ['infer', '--weights', 'tiny.safetensors', '--input', 'x.f32', '--batch', '1', '--output', 'out.f32'],
  ['convert', 'tiny.onnx', '-o', 'out.safetensors'],
  ['inspect', 'tiny.safetensors'],
];

function argumentsOf(i: number): string[] {
  const random = new Random(SEED + i);
  const bent = random.chance(0.35);
  const args = bent ? [...random.pick(VALID)] : [random.pick(['classify', 'classify', 'infer', 'convert', 'inspect', 'bogus'])];
  for (let flags = bent ? random.below(2) : random.below(5); flags > 0; flags--) {
    const [flag, values] = random.pick(FLAGS);
    args.push(flag);
    // Now and then a flag without its value.
    if (values.length > 0 && random.chance(0.95)) args.push(random.pick(values));
  }
  for (let files = bent ? 0 : random.below(3); files > 0; files--) args.push(random.pick(FILES));
  // Most runs name the tiny weights so they reach the image and number checks quickly.
  if (!args.includes('--weights') && random.chance(0.85)) args.push('--weights', 'tiny.safetensors');
  return args;
}

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: directory }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
  });
}

describe('fuzz: CLI arguments', () => {
  const outcomes = new Outcomes();
  beforeAll(() => {
    const weights = tinyWeights('int8');
    writeFileSync(join(directory, 'tiny.safetensors'), weights);
    writeFileSync(join(directory, 'cut.safetensors'), weights.subarray(0, weights.byteLength >> 1));
    writeFileSync(join(directory, 'tiny.onnx'), tinyOnnx());
    writeFileSync(join(directory, 'a.png'), SEED_IMAGES.png());
    writeFileSync(join(directory, 'cut.png'), SEED_IMAGES.png().subarray(0, 200));
    writeFileSync(join(directory, 'x.f32'), uniform(3 * 35 * 35, 1));
    writeFileSync(join(directory, 'labels.txt'), Array.from({ length: 10 }, (_, i) => `label ${i}`).join('\n'));
  });
  afterAll(() => {
    console.log(outcomes.report('fuzz CLI arguments'));
    rmSync(directory, { recursive: true, force: true });
  });

  it(`${CASES} argument lists each succeed or fail with one documented line per error`, async () => {
    expect(existsSync(CLI), 'dist/cli.js (npm test builds it)').toBe(true);
    for (let i = 0; i < CASES; i++) {
      const args = argumentsOf(i);
      const name = `CLI #${i}: alexnet-web ${args.map((a) => JSON.stringify(a)).join(' ')}`;
      await outcomes.settle(name, async () => {
        const { code, stdout, stderr } = await run(args);
        expect(stderr, `${name}: no stack trace`).not.toMatch(/^\s+at /m);
        if (code === 0) {
          // infer writes its answer to --output, quietly; the others print.
          if (args[0] !== 'infer') expect(stdout.length, `${name}: output`).toBeGreaterThan(0);
          return;
        }
        let codes: string[];
        if (stderr === '' && args.includes('--json')) {
          // classify --json reports a failed image as a JSON line on stdout, beside the others.
          codes = stdout.trim().split('\n').map((line) => JSON.parse(line).error?.code).filter(Boolean);
          expect(codes.length, `${name}: a JSON line with an error`).toBeGreaterThan(0);
        } else {
          // The demo model's one-line note may come first.
          const lines = stderr.trim().split('\n').filter((line) => !line.startsWith('Demo model: '));
          for (const line of lines) expect(line, `${name}: stderr line`).toMatch(/^alexnet-web: [A-Z_]+: \S/);
          codes = lines.map((line) => line.split(':')[1].trim());
        }
        for (const errorCode of codes) expect(DOCUMENTED_CODES.has(errorCode), `${name}: ${errorCode} is documented`).toBe(true);
        throw new AlexNetError(codes[0] as never, `${name} exited with code ${code}`);
      });
    }
    expect(outcomes.count('ok')).toBeGreaterThan(0);
    expect(outcomes.total - outcomes.count('ok')).toBeGreaterThan(0);
  }, SUITE_TIMEOUT_MS);
});
