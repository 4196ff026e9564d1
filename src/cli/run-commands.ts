// alexnet-web classify / infer: the engine from the command line.
import { readFile } from 'node:fs/promises';
import type { Arithmetic } from '../backends/backend.js';
import { AlexNetError } from '../errors.js';
import { createClassifier } from '../node/index.js';
import { writeFileAtomic } from './files.js';

const DEMO_MODEL_NOTE = 'Demo model: 10 clothing classes (Fashion-MNIST). For ImageNet, convert an ONNX AlexNet (alexnet-web convert) and pass --weights.';

/** Plain decimal digits only (no 1e3, 0x10, -1 or 20 digits), up to 1,000,000,000. */
function positiveInteger(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^[1-9][0-9]{0,8}$/.test(value) && value !== '1000000000') {
    throw new AlexNetError('INVALID_ARGUMENT', `${name} takes a positive integer in decimal digits (at most 1000000000), not ${JSON.stringify(value.slice(0, 40))}.`);
  }
  return Number(value);
}

/** --threads N: how many threads the engine runs on (default: every core). */
function threadsOption(value: string | undefined): number | undefined {
  return value === undefined ? undefined : positiveInteger(value, '--threads', 1);
}

/** --arithmetic int8|f32: how int8 weights multiply (default int8). */
function arithmeticOption(value: string | undefined): Arithmetic | undefined {
  if (value === undefined || value === 'int8' || value === 'f32') return value;
  throw new AlexNetError('INVALID_ARGUMENT', `--arithmetic takes int8 or f32, not ${JSON.stringify(value)}.`);
}

/** The engine options every running command shares. */
function engineOptions(options: RunOptions): { weights?: string; threads?: number; arithmetic?: Arithmetic } {
  return { weights: options.weights, threads: threadsOption(options.threads), arithmetic: arithmeticOption(options.arithmetic) };
}

interface RunOptions {
  weights?: string;
  threads?: string;
  arithmetic?: string;
}

export async function classifyCommand(images: string[], options: RunOptions & { 'top-k'?: string; json?: boolean }): Promise<number> {
  if (images.length === 0) throw new AlexNetError('INVALID_ARGUMENT', 'classify needs at least one image path.');
  const topK = positiveInteger(options['top-k'], '--top-k', 5);
  const classifier = await createClassifier(engineOptions(options));
  // Say once which model answers when it is the demo (a photo of a circuit board is not a "Bag").
  if (options.weights === undefined && !options.json) console.error(DEMO_MODEL_NOTE);
  let failures = 0;
  try {
    for (const image of images) {
      try {
        const results = await classifier.classify(image, { topK });
        if (options.json) {
          console.log(JSON.stringify({ image, results }));
        } else {
          console.log(`${image}: ${results.map((r) => `${r.label} ${(r.score * 100).toFixed(1)}%`).join(', ')}`);
        }
      } catch (error) {
        // One bad image does not stop the others; the exit code still says something failed.
        failures++;
        const code = error instanceof AlexNetError ? error.code : 'ERROR';
        if (options.json) console.log(JSON.stringify({ image, error: { code, message: (error as Error).message } }));
        else console.error(`alexnet-web: ${code}: ${image}: ${(error as Error).message}`.replace(/\s*\n\s*/g, ' '));
      }
    }
  } finally {
    classifier.dispose();
  }
  return failures > 0 ? 1 : 0;
}

export async function inferCommand(options: RunOptions & { input?: string; output?: string; batch?: string }): Promise<void> {
  if (!options.input || !options.output) throw new AlexNetError('INVALID_ARGUMENT', 'infer needs --input x.f32 and --output y.f32.');
  const batch = positiveInteger(options.batch, '--batch', 1);
  const bytes = await readFile(options.input).catch((error) => {
    throw new AlexNetError('INVALID_ARGUMENT', `Cannot read ${options.input}: ${error.code ?? error.message}.`);
  });
  if (bytes.byteLength % 4 !== 0) throw new AlexNetError('INPUT_SHAPE_MISMATCH', `${options.input} is ${bytes.byteLength} bytes, not a whole number of float32 values.`);
  const input = new Float32Array(new Uint8Array(bytes).buffer);
  const classifier = await createClassifier(engineOptions(options));
  try {
    const output = await classifier.infer(input, { batch });
    await writeFileAtomic(options.output, [new Uint8Array(output.buffer, output.byteOffset, output.byteLength)]);
    console.error(`wrote ${options.output}: ${batch} x ${output.length / batch} float32`);
  } finally {
    classifier.dispose();
  }
}
