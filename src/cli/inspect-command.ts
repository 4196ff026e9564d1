// alexnet-web inspect [weights]: layers, shapes, dtypes, sizes, metadata and the file's integrity
// string, without running anything; the bundled demo model when no file is named.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { AlexNetError } from '../errors.js';
import { DEMO_MODEL_URL } from '../node/index.js';
import { readModelHeader } from '../weights/model-file.js';
import { formatBytes, formatTable } from './table.js';

/** The Subresource Integrity string of `bytes`, for the `integrity` option. */
function integrityOf(bytes: Uint8Array): string {
  return `sha256-${createHash('sha256').update(bytes).digest('base64')}`;
}

export async function inspectCommand(file: string | undefined, json: boolean): Promise<void> {
  const path = file ?? fileURLToPath(DEMO_MODEL_URL);
  const bytes = await readFile(path).catch((error) => {
    throw new AlexNetError('WEIGHTS_NOT_FOUND', `Cannot read ${path}: ${error.code ?? error.message}.`);
  });
  const model = readModelHeader(bytes, bytes.byteLength);
  const { metadata } = model;
  const integrity = integrityOf(bytes);
  if (json) {
    console.log(JSON.stringify({ file: path, integrity, metadata, tensors: model.header.tensors.map(({ name, dtype, shape, begin, end }) => ({ name, dtype, shape, bytes: end - begin })) }));
    return;
  }
  const rows: (string | number)[][] = [['layer', 'type', 'output', 'parameters', 'tensors']];
  for (const plan of model.plans) {
    const tensors = (model.layerTensors.get(plan.layer.name) ?? []).map((t) => `${t.name.slice(plan.layer.name.length + 1)} ${t.dtype}[${t.shape.join(',')}] ${formatBytes(t.end - t.begin)}`);
    rows.push([plan.layer.name, plan.layer.type, `[${plan.outputShape.join('x')}]`, plan.parameters, tensors.join('; ')]);
  }
  const { input } = metadata.network;
  if (!file) console.log(`(the bundled demo model: ${path})`);
  console.log(`${metadata.name}: format v${metadata.version}, ${formatBytes(bytes.byteLength)}, input ${input.channels}x${input.height}x${input.width}, ${metadata.labels.length} classes`);
  console.log(`source: ${metadata.source.kind}${metadata.source.file ? ` ${metadata.source.file}` : ''}, ${metadata.source.converter}${metadata.source.description ? ` (${metadata.source.description})` : ''}`);
  console.log(`preprocess: ${JSON.stringify(metadata.preprocess)}`);
  console.log(`labels: ${metadata.labels.slice(0, 5).join(', ')}${metadata.labels.length > 5 ? ', ...' : ''}`);
  console.log(`integrity: ${integrity}`);
  console.log(formatTable(rows));
}
