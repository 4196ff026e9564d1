// The alexnet-web command line: convert, classify, infer, inspect.
import { parseArgs } from 'node:util';
import { AlexNetError } from '../errors.js';
import { convertCommand } from './convert-command.js';
import { inspectCommand } from './inspect-command.js';
import { classifyCommand, inferCommand } from './run-commands.js';

const HELP = `alexnet-web: AlexNet image classification on WebAssembly SIMD

Usage:
  alexnet-web classify [--weights w.safetensors] [--top-k 5] [--json] [--threads N]
      [--arithmetic int8|f32] <image...>
      Top-k labels of PNG/JPEG images (default weights: the bundled demo model; default
      threads: every core; default arithmetic: int8 for int8 weights, f32 for float ones).
  alexnet-web convert <model.onnx> -o <out.safetensors> [--quantize int8|f16|f32]
      [--labels imagenet|<labels.txt>] [--preprocess caffe|torchvision|<preprocess.json>]
      [--name NAME] [--description TEXT]
      ONNX AlexNet (torchvision export, BVLC/Caffe2, model zoo) to an alexnet-web weights file.
  alexnet-web infer --weights w --input x.f32 --batch N --output y.f32 [--threads N]
      [--arithmetic int8|f32]
      Raw little-endian float32 NCHW in, the network's last layer out.
  alexnet-web inspect [--json] [weights.safetensors]
      Layers, shapes, dtypes, sizes, metadata and the integrity string (sha256-...) of a weights
      file (default: the bundled demo model).
  alexnet-web --help | --version

Errors print one line "alexnet-web: CODE: message" and exit non-zero.`;

const OPTIONS = {
  weights: { type: 'string', short: 'w' },
  'top-k': { type: 'string', short: 'k' },
  json: { type: 'boolean' },
  output: { type: 'string', short: 'o' },
  quantize: { type: 'string', short: 'q' },
  labels: { type: 'string' },
  preprocess: { type: 'string' },
  name: { type: 'string' },
  description: { type: 'string' },
  input: { type: 'string', short: 'i' },
  batch: { type: 'string', short: 'b' },
  threads: { type: 'string', short: 't' },
  arithmetic: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

/** Edits (insert, delete, replace) that turn `a` into `b`. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length];
}

/** The option the user probably meant by `typed` (--topk -> --top-k), if one is close. */
function suggestOption(typed: string): string | undefined {
  const name = typed.replace(/^-+/, '').split('=')[0];
  const [best] = Object.keys(OPTIONS)
    .map((option) => ({ option, distance: editDistance(name, option) }))
    .sort((a, b) => a.distance - b.distance);
  return best && best.distance <= Math.max(1, Math.floor(name.length / 3)) ? `--${best.option}` : undefined;
}

/** parseArgs' refusal in one line; a mistyped option gets a suggestion, a value like "-1" a hint. */
function describeParseError(error: Error, argv: string[]): string {
  const unknown = /^Unknown option '([^']+)'/.exec(error.message)?.[1];
  if (unknown) {
    const suggestion = suggestOption(unknown);
    return `unknown option ${unknown}${suggestion ? ` (did you mean ${suggestion}?)` : ''}`;
  }
  const option = /^Option '(-[^' ]+)' argument is ambiguous/.exec(error.message)?.[1];
  if (option && argv.includes(option)) {
    const value = argv[argv.indexOf(option) + 1];
    const written = option.startsWith('--') ? `${option}=${value}` : `${option}${value}`;
    return `${option} got ${JSON.stringify(value)}, which starts with "-" like an option; if you mean it, write ${written}.`;
  }
  // parseArgs explains some refusals over several lines: the first says what was wrong.
  return error.message.split('\n')[0].trim();
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    console.error(`alexnet-web: INVALID_ARGUMENT: ${describeParseError(error as Error, argv)} (see alexnet-web --help)`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.version) {
    console.log('alexnet-web 0.1.0');
    return 0;
  }
  if (values.help || command === undefined || command === 'help') {
    console.log(HELP);
    return command === undefined && !values.help ? 2 : 0;
  }
  try {
    switch (command) {
      case 'classify':
        return await classifyCommand(rest, values);
      case 'convert':
        if (rest.length !== 1) throw new AlexNetError('INVALID_ARGUMENT', 'convert takes exactly one ONNX file.');
        await convertCommand(rest[0], values);
        return 0;
      case 'infer':
        await inferCommand(values);
        return 0;
      case 'inspect':
        if (rest.length > 1) throw new AlexNetError('INVALID_ARGUMENT', 'inspect takes one weights file (or none: the bundled demo model).');
        await inspectCommand(rest[0], values.json === true);
        return 0;
      default:
        console.error(`alexnet-web: INVALID_ARGUMENT: unknown command "${command}" (see alexnet-web --help)`);
        return 2;
    }
  } catch (error) {
    const code = error instanceof AlexNetError ? error.code : 'ERROR';
    console.error(`alexnet-web: ${code}: ${(error as Error).message}`.replace(/\s*\n\s*/g, ' '));
    if (process.env.ALEXNET_WEB_DEBUG) console.error(error);
    return 1;
  }
}
