// The bundled demo model: used when no weights are given, and still as accurate as recorded, so a
// kernel or preprocessing regression shows up as lost accuracy on 1000 real test images.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../src/node/index.js';
import type { RgbaImage } from '../src/image/rgba-image.js';

const root = new URL('../', import.meta.url);
const recorded = JSON.parse(readFileSync(new URL('models/fashion-alexnet-mini.metrics.json', root), 'utf8'));
const FASHION_LABELS = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

/** The 1000 committed test images (a 40 x 25 sprite of 28x28 tiles) with their labels. */
function testSet(): { images: RgbaImage[]; labels: number[] } {
  const sprite = PNG.sync.read(readFileSync(new URL('test/data/fashion-mnist-test-1000.png', root)));
  const labels: number[] = JSON.parse(readFileSync(new URL('test/data/fashion-mnist-test-1000.labels.json', root), 'utf8'));
  const images = labels.map((_, i) => {
    const data = new Uint8Array(28 * 28 * 4);
    const [tx, ty] = [i % 40, Math.floor(i / 40)];
    for (let y = 0; y < 28; y++) {
      const start = ((ty * 28 + y) * sprite.width + tx * 28) * 4;
      data.set(sprite.data.subarray(start, start + 28 * 4), y * 28 * 4);
    }
    return { data, width: 28, height: 28 };
  });
  return { images, labels };
}

describe('bundled demo model (fashion-alexnet-mini)', () => {
  it('is the default: no weights option needed, Fashion-MNIST labels, 227x227 input', async () => {
    const classifier = await createClassifier();
    expect(classifier.labels).toEqual(FASHION_LABELS);
    expect(classifier.inputShape).toEqual([3, 227, 227]);
    expect(classifier.metadata.preprocess.grayscale).toBe(true);
    classifier.dispose();
  });

  /** Correct answers on the 1000 committed images with `arithmetic`. */
  async function firstThousandCorrect(arithmetic: 'f32' | 'int8'): Promise<number> {
    const classifier = await createClassifier({ arithmetic });
    expect(classifier.arithmetic).toBe(arithmetic);
    const { images, labels } = testSet();
    let correct = 0;
    for (let first = 0; first < images.length; first += 50) {
      const results = await classifier.classify(images.slice(first, first + 50), { topK: 1 });
      results.forEach((r, j) => (correct += r[0].index === labels[first + j] ? 1 : 0));
    }
    await classifier.dispose();
    return correct / images.length;
  }

  it(`classifies the 1000 committed test images within 1 point of the recorded ${(recorded.firstThousandAccuracy * 100).toFixed(1)}% (f32 arithmetic), int8 arithmetic within 0.5 points of that`, async () => {
    const widened = await firstThousandCorrect('f32');
    const int8 = await firstThousandCorrect('int8');
    console.log(`demo model, first 1000 test images: f32 arithmetic ${(widened * 100).toFixed(1)}%, int8 arithmetic ${(int8 * 100).toFixed(1)}%`);
    expect(Math.abs(widened - recorded.firstThousandAccuracy)).toBeLessThanOrEqual(0.01);
    expect(Math.abs(int8 - widened)).toBeLessThanOrEqual(0.005);
  });

  it('answers for a colour photo-sized image too (resized and converted to gray as the metadata says)', async () => {
    const classifier = await createClassifier();
    const { images, labels } = testSet();
    // A trouser image blown up to 300x400 and tinted: still a trouser to a grayscale model.
    const index = labels.indexOf(1);
    const source = images[index];
    const data = new Uint8Array(300 * 400 * 4);
    for (let y = 0; y < 400; y++) {
      for (let x = 0; x < 300; x++) {
        const v = source.data[(Math.floor((y * 28) / 400) * 28 + Math.floor((x * 28) / 300)) * 4];
        data.set([v, Math.round(v * 0.8), Math.round(v * 0.6), 255], (y * 300 + x) * 4);
      }
    }
    const [best] = await classifier.classify({ data, width: 300, height: 400 }, { topK: 1 });
    expect(best.label).toBe('Trouser');
    classifier.dispose();
  });

  it("README's first command: the CLI classifies examples/images with no --weights", async () => {
    const cli = fileURLToPath(new URL('dist/cli.js', root));
    const images = readdirSync(new URL('examples/images/', root)).filter((f) => f.endsWith('.png')).map((f) => `examples/images/${f}`);
    expect(images.length).toBeGreaterThanOrEqual(5);
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [cli, 'classify', '--top-k', '3', ...images], { cwd: fileURLToPath(root) }, (error, out) => (error ? reject(error) : resolve(out))),
    );
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(images.length);
    for (const line of lines) expect(line).toMatch(/^examples\/images\/.+\.png: .+ \d+\.\d%, .+ \d+\.\d%, .+ \d+\.\d%$/);
    // The samples are named after their true class (tools/train-demo/evaluate.ts): most must be right.
    const right = lines.filter((line) => {
      const [file, results] = line.split(': ');
      const topLabel = results.split(', ')[0].replace(/ \d+\.\d%$/, '');
      return file === `examples/images/${topLabel.toLowerCase().replace(/[^a-z]+/g, '-')}.png`;
    });
    expect(right.length).toBeGreaterThanOrEqual(images.length - 1);
  });
});
