// alexnet-web convert <model.onnx> -o <out.safetensors> [--quantize] [--labels] [--preprocess] [--name]
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { convertOnnx, type ConvertOptions, type WeightPrecision } from '../convert/convert.js';
import { AlexNetError, describeValue } from '../errors.js';
import type { Preprocess } from '../model/metadata.js';
import { readFileWithProgress, writeFileAtomic } from './files.js';
import { formatBytes, formatTable } from './table.js';

async function labelsOption(value: string | undefined): Promise<ConvertOptions['labels']> {
  if (value === undefined || value === 'imagenet') return value;
  const text = await readFile(value, 'utf8').catch((error) => {
    throw new AlexNetError('INVALID_ARGUMENT', `Cannot read the labels file ${value}: ${error.code ?? error.message}.`);
  });
  return text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line.length > 0);
}

async function preprocessOption(value: string | undefined): Promise<ConvertOptions['preprocess']> {
  if (value === undefined || value === 'caffe' || value === 'torchvision') return value;
  try {
    return JSON.parse(await readFile(value, 'utf8')) as Preprocess;
  } catch (error) {
    throw new AlexNetError('INVALID_ARGUMENT', `--preprocess takes caffe, torchvision or a JSON file; ${value}: ${(error as Error).message}.`);
  }
}

/**
 * Bytes of an initializer stored outside the model: the ONNX spec puts its `location` relative to the
 * model's folder, so an absolute path or one climbing out with `..` is refused (a model must not read
 * arbitrary files of the machine that converts it).
 */
function readExternalData(modelDirectory: string, location: string, offset: number, length: number | undefined): Uint8Array {
  if (isAbsolute(location) || location.split(/[\\/]/).includes('..')) {
    throw new AlexNetError('ONNX_INVALID', `External data location ${describeValue(location)} must be a path inside the model's folder (ONNX: relative to the model).`);
  }
  let data: Uint8Array;
  try {
    data = readFileSync(resolve(modelDirectory, location));
  } catch (error) {
    throw new AlexNetError('ONNX_INVALID', `Cannot read the external data file ${describeValue(location)} beside the model (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`, { cause: error });
  }
  if (offset + (length ?? 0) > data.byteLength) throw new AlexNetError('ONNX_INVALID', `The external data file ${describeValue(location)} is shorter than the model says.`);
  return data.subarray(offset, length === undefined ? undefined : offset + length);
}

export async function convertCommand(
  input: string, options: { output?: string; quantize?: string; labels?: string; preprocess?: string; name?: string; description?: string },
): Promise<void> {
  if (!options.output) throw new AlexNetError('INVALID_ARGUMENT', 'convert needs -o <out.safetensors>.');
  const precision = (options.quantize ?? 'int8') as WeightPrecision;
  if (!['int8', 'f16', 'f32'].includes(precision)) throw new AlexNetError('INVALID_ARGUMENT', `--quantize takes int8, f16 or f32, not ${options.quantize}.`);
  const onnx = await readFileWithProgress(input, `reading ${basename(input)}`);
  const modelDirectory = dirname(resolve(input));
  const conversion = convertOnnx(onnx, {
    quantize: precision,
    labels: await labelsOption(options.labels),
    preprocess: await preprocessOption(options.preprocess),
    name: options.name ?? basename(input).replace(/\.onnx$/i, ''),
    sourceFile: basename(input),
    description: options.description,
    readExternal: (location, offset, length) => readExternalData(modelDirectory, location, offset, length),
  });
  const rows: (string | number)[][] = [['layer', 'type', 'output', 'parameters', 'dtype', 'bytes', 'rel. error']];
  for (const layer of conversion.layers) {
    rows.push([
      layer.name, layer.type, `[${layer.outputShape.join('x')}]`, layer.parameters, layer.dtype,
      layer.bytes ? formatBytes(layer.bytes) : '', layer.dtype ? layer.relativeError.toExponential(2) : '',
    ]);
  }
  const weightBytes = conversion.layers.reduce((sum, l) => sum + l.bytes, 0);
  rows.push(['total', '', '', conversion.totalParameters, '', formatBytes(weightBytes), '']);
  console.log(formatTable(rows));
  if (conversion.folded.length > 0) console.log(`folded away (no effect at inference): ${conversion.folded.join(', ')}`);
  const { preprocess } = conversion.metadata;
  console.log(`preprocessing: ${preprocess.channelOrder}${preprocess.grayscale ? ' (grayscale)' : ''}, x${preprocess.valueScale}/255, mean [${preprocess.mean.join(', ')}], std [${preprocess.std.join(', ')}], resize ${JSON.stringify(preprocess.resize)}, centre crop`);
  await writeFileAtomic(options.output, conversion.chunks);
  console.log(`wrote ${options.output} (${formatBytes(conversion.totalBytes)}, ${conversion.metadata.labels.length} classes)`);
}
