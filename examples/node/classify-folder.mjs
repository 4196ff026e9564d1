#!/usr/bin/env node
// Classifies every PNG and JPEG in a folder with the bundled demo model (or --weights FILE), in Node.
//   node examples/node/classify-folder.mjs [folder] [--weights model.safetensors]
// In your project: import { createClassifier } from 'alexnet-web';
import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClassifier } from '../../dist/index.js';

const args = process.argv.slice(2);
const weightsAt = args.indexOf('--weights');
const weights = weightsAt >= 0 ? args.splice(weightsAt, 2)[1] : undefined;
const folder = args[0] ?? fileURLToPath(new URL('../images/', import.meta.url));

const classifier = await createClassifier({ weights });
console.log(`${classifier.metadata.name ?? 'model'} on ${classifier.backend}`);
try {
  const files = (await readdir(folder)).filter((name) => ['.png', '.jpg', '.jpeg'].includes(extname(name).toLowerCase())).sort();
  for (const name of files) {
    const started = performance.now();
    try {
      const [best, second] = await classifier.classify(join(folder, name), { topK: 2 });
      console.log(`${name}: ${best.label} ${(best.score * 100).toFixed(1)}% (then ${second.label} ${(second.score * 100).toFixed(1)}%) in ${(performance.now() - started).toFixed(0)} ms`);
    } catch (error) {
      // One bad file does not stop the rest.
      console.error(`${name}: ${error.code ?? error.name}: ${error.message}`);
      process.exitCode = 1;
    }
  }
} finally {
  classifier.dispose();
}
