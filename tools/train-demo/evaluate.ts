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

interface Evaluation {
  accuracy: number;
  firstThousand: number;
  confusion: number[][];
  labels: readonly string[];
  seconds: number;
}

/** Top-1 accuracy on every test image and on the first 1000, with the weights widened to f32 or multiplied as int8. */
async function evaluate(weightsPath: string, arithmetic: 'f32' | 'int8', images: ReturnType<typeof readImages>, labels: Uint8Array): Promise<Evaluation> {
  const classifier = await createClassifier({ weights: weightsPath, arithmetic });
  const classes = classifier.labels.length;
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  const size = images.width * images.height;
  let correct = 0;
  let correctFirst = 0;
  const started = performance.now();
  for (let first = 0; first < images.count; first += BATCH) {
    const batch = [];
    for (let i = first; i < Math.min(first + BATCH, images.count); i++) batch.push(grayToRgba(images.pixels.subarray(i * size, (i + 1) * size), images.width, images.height));
    const results = await classifier.classify(batch, { topK: 1 });
    results.forEach((result, j) => {
      const truth = labels[first + j];
      confusion[truth][result[0].index]++;
      if (result[0].index !== truth) return;
      correct++;
      // The first 1000 test images: the CI regression set.
      if (first + j < SPRITE_IMAGES) correctFirst++;
    });
  }
  const seconds = (performance.now() - started) / 1000;
  const { labels: names } = classifier;
  await classifier.dispose();
  return { accuracy: correct / images.count, firstThousand: correctFirst / SPRITE_IMAGES, confusion, labels: names, seconds };
}

async function main(): Promise<void> {
  const weightsPath = process.argv[2] ?? 'models/fashion-alexnet-mini.safetensors';
  const images = readImages(`${FASHION_MNIST}/t10k-images-idx3-ubyte.gz`);
  const labels = readLabels(`${FASHION_MNIST}/t10k-labels-idx1-ubyte.gz`);
  const size = images.width * images.height;
  const widened = await evaluate(weightsPath, 'f32', images, labels);
  const int8 = await evaluate(weightsPath, 'int8', images, labels);
  const { accuracy, confusion, seconds } = widened;

  mkdirSync('models', { recursive: true });
  writeFileSync('models/confusion-matrix.svg', confusionMatrixSvg(confusion, [...widened.labels], `alexnet-web, int8 weights, Fashion-MNIST test set: ${(accuracy * 100).toFixed(2)}% top-1`));
  // int8TestAccuracy: int8 weights, f32 arithmetic; int8ArithmeticTestAccuracy: W8A8 (the default).
  const metrics = {
    weights: weightsPath, testImages: images.count, int8TestAccuracy: accuracy, firstThousandAccuracy: widened.firstThousand,
    int8ArithmeticTestAccuracy: int8.accuracy, int8ArithmeticFirstThousandAccuracy: int8.firstThousand, confusion, seconds,
  };
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
    const name = widened.labels[wanted].toLowerCase().replace(/[^a-z]+/g, '-');
    const png = new PNG({ width: images.width, height: images.height });
    png.data = Buffer.from(grayToRgba(images.pixels.subarray(i * size, (i + 1) * size), images.width, images.height).data);
    writeFileSync(`examples/images/${name}.png`, PNG.sync.write(png));
  }
  for (const [name, result] of [['f32 arithmetic', widened], ['int8 arithmetic', int8]] as const) {
    console.log(`${name}: test accuracy ${(result.accuracy * 100).toFixed(2)}% on ${images.count} images (${result.seconds.toFixed(1)} s); first 1000: ${(result.firstThousand * 100).toFixed(1)}%`);
  }
}

await main();
