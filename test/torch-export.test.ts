// Models exported by the real torch.onnx.export (Debian's python3-torch), converted and run by us,
// against onnxruntime-web on the same file. Skipped, by name, where PyTorch is not installed.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../src/node/index.js';
import { expectInt8Agreement, maxAbs, maxAbsDifference } from './close.js';
import { convertToBytes } from './helpers.js';
import { runOnnxOnce } from './peers/onnxruntime.js';
import { uniform } from './random.js';

const PYTHON = '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch, torchvision'], { stdio: 'ignore' }).status === 0;
const exporter = fileURLToPath(new URL('./peers/export_torch.py', import.meta.url));
const directory = mkdtempSync(join(tmpdir(), 'alexnet-web-torch-'));

const CASES = [
  { name: 'torchvision AlexNet, opset 11', variant: 'torchvision', opset: 11, size: 224 },
  { name: 'torchvision AlexNet, opset 17', variant: 'torchvision', opset: 17, size: 224 },
  { name: 'demo architecture (groups, native LRN), opset 13', variant: 'demo', opset: 13, size: 227 },
  { name: 'model zoo layout (224, ceil-mode pools, softmax), opset 13', variant: 'zoo', opset: 13, size: 224 },
];

describe.skipIf(!hasTorch)(`torch.onnx.export models${hasTorch ? '' : ' (absent: apt-get install python3-torch python3-torchvision)'}`, () => {
  it.each(CASES)('$name', async ({ name, variant, opset, size }) => {
    const path = join(directory, `${variant}-${opset}.onnx`);
    execFileSync(PYTHON, [exporter, path, variant, String(opset)], { stdio: 'pipe' });
    const onnx = new Uint8Array(readFileSync(path));
    const input = uniform(2 * 3 * size * size, opset, -2, 2);
    const reference = await runOnnxOnce(onnx, input, [2, 3, size, size]);
    const classifier = await createClassifier({ weights: convertToBytes(onnx, { quantize: 'f32' }) });
    const ours = await classifier.infer(input, { batch: 2 });
    classifier.dispose();
    expect(maxAbs(reference)).toBeGreaterThan(1e-4);
    expect(maxAbsDifference(ours, reference)).toBeLessThanOrEqual(1e-3 * Math.max(1, maxAbs(reference)));
    // The int8 weights file with int8 arithmetic (the default for it): the accuracy gate.
    const int8 = await createClassifier({ weights: convertToBytes(onnx, { quantize: 'int8' }) });
    expect(int8.arithmetic).toBe('int8');
    expectInt8Agreement(name, await int8.infer(input, { batch: 2 }), reference, 2);
    int8.dispose();
  });
});
