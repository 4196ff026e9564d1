// Accuracy of a weights file on Fashion-MNIST's 10,000 test images, run by alexnet-web (WASM backend),
// the confusion matrix as SVG, and the committed 1000-image test sprite and sample images.
//   npx tsx tools/train-demo/evaluate.ts models/fashion-alexnet-mini.safetensors
import { mkdirSync, writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { createClassifier } from '../../dist/index.js';
import { FASHION_MNIST, grayToRgba, readImages, readLabels } from './fashion-mnist.js';
import { confusionMatrixSvg } from './confusion-svg.js';

const BATCH = 50;
const SPRITE_IMAGES = 1000;
const SPRITE_COLUMNS = 40;

async function main(): Promise<void> {
  const weightsPath = process.argv[2] ?? 'models/fashion-alexnet-mini.safetensors';
  const images = readImages(`${FASHION_MNIST}/t10k-images-idx3-ubyte.gz`);
  const labels = readLabels(`${FASHION_MNIST}/t10k-labels-idx1-ubyte.gz`);
  const classifier = await createClassifier({ weights: weightsPath });
  const classes = classifier.labels.length;
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  const size = images.width * images.height;
  let correct = 0;
  const started = performance.now();
  for (let first = 0; first < images.count; first += BATCH) {
    const batch = [];
    for (let i = first; i < Math.min(first + BATCH, images.count); i++) batch.push(grayToRgba(images.pixels.subarray(i * size, (i + 1) * size), images.width, images.height));
    const results = await classifier.classify(batch, { topK: 1 });
    results.forEach((result, j) => {
      const truth = labels[first + j];
      confusion[truth][result[0].index]++;
      if (result[0].index === truth) correct++;
    });
  }
  const seconds = (performance.now() - started) / 1000;
  const accuracy = correct / images.count;
  // The first 1000 test images: the CI regression set.
  let correctFirst = 0;
  for (let first = 0; first < SPRITE_IMAGES; first += BATCH) {
    const batch = [];
    for (let i = first; i < first + BATCH; i++) batch.push(grayToRgba(images.pixels.subarray(i * size, (i + 1) * size), images.width, images.height));
    (await classifier.classify(batch, { topK: 1 })).forEach((r, j) => (correctFirst += r[0].index === labels[first + j] ? 1 : 0));
  }
  classifier.dispose();

  mkdirSync('models', { recursive: true });
  writeFileSync('models/confusion-matrix.svg', confusionMatrixSvg(confusion, [...classifier.labels], `alexnet-web int8, Fashion-MNIST test set: ${(accuracy * 100).toFixed(2)}% top-1`));
  const metrics = { weights: weightsPath, testImages: images.count, int8TestAccuracy: accuracy, firstThousandAccuracy: correctFirst / SPRITE_IMAGES, confusion, seconds };
  writeFileSync('models/fashion-alexnet-mini.metrics.json', JSON.stringify(metrics, null, 2) + '\n');

  // 1000 test images as one gray PNG sprite (40 x 25 tiles of 28x28) and their labels.
  const rows = SPRITE_IMAGES / SPRITE_COLUMNS;
  const sprite = new PNG({ width: SPRITE_COLUMNS * images.width, height: rows * images.height, colorType: 0, inputColorType: 0, inputHasAlpha: false });
  const gray = Buffer.alloc(sprite.width * sprite.height);
  for (let i = 0; i < SPRITE_IMAGES; i++) {
    const [tx, ty] = [i % SPRITE_COLUMNS, Math.floor(i / SPRITE_COLUMNS)];
    for (let y = 0; y < images.height; y++) {
      gray.set(images.pixels.subarray(i * size + y * images.width, i * size + (y + 1) * images.width), (ty * images.height + y) * sprite.width + tx * images.width);
    }
  }
  mkdirSync('test/data', { recursive: true });
  sprite.data = gray;
  writeFileSync('test/data/fashion-mnist-test-1000.png', PNG.sync.write(sprite, { colorType: 0, inputColorType: 0, inputHasAlpha: false }));
  writeFileSync('test/data/fashion-mnist-test-1000.labels.json', JSON.stringify(Array.from(labels.subarray(0, SPRITE_IMAGES))) + '\n');

  // Sample images for README's first command: the first test image of each of six classes.
  mkdirSync('examples/images', { recursive: true });
  for (const wanted of [0, 1, 3, 5, 7, 9]) {
    const i = labels.indexOf(wanted);
    const name = classifier.labels[wanted].toLowerCase().replace(/[^a-z]+/g, '-');
    const png = new PNG({ width: images.width, height: images.height });
    png.data = Buffer.from(grayToRgba(images.pixels.subarray(i * size, (i + 1) * size), images.width, images.height).data);
    writeFileSync(`examples/images/${name}.png`, PNG.sync.write(png));
  }
  console.log(`int8 test accuracy ${(accuracy * 100).toFixed(2)}% on ${images.count} images (${seconds.toFixed(1)} s); first 1000: ${((correctFirst / SPRITE_IMAGES) * 100).toFixed(1)}%`);
}

await main();
