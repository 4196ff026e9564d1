// Fuzz: damaged and hostile PNG and JPEG files, declared sizes included, classified in Node. Each case
// answers finite scores or IMAGE_INVALID, and the same bytes always get the same answer.
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClassifier, type NodeClassifier } from '../../src/node/index.js';
import { mutateBytes, Random } from './mutate.js';
import { caseCount, expectFinite, Outcomes, SUITE_TIMEOUT_MS } from './outcomes.js';
import { SEED_IMAGES, tinyWeights } from './seeds.js';

const CASES = caseCount(800);
const SEED = 35_000;
const SIZES = [0, 1, 2, 255, 20_000, 65_535, 2 ** 31 - 1, 2 ** 32 - 1];

/** The PNG with its IHDR width/height (and sometimes depth or colour type) replaced; CRC fixed half the time. */
function withPngHeader(png: Uint8Array, random: Random): Uint8Array {
  const out = new Uint8Array(png);
  const view = new DataView(out.buffer);
  if (random.chance(0.7)) view.setUint32(16 + 4 * random.below(2), random.pick(SIZES));
  else out[24 + random.below(2)] = random.pick([0, 1, 3, 4, 6, 7, 16, 255]);
  if (random.chance(0.5)) view.setUint32(29, crc32(out.subarray(12, 29)));
  return out;
}

/** The JPEG with the height or width of its frame header (SOF0/SOF2) replaced. */
function withJpegHeader(jpeg: Uint8Array, random: Random): Uint8Array {
  const out = new Uint8Array(jpeg);
  for (let i = 2; i + 9 < out.byteLength; i++) {
    if (out[i] === 0xff && (out[i + 1] === 0xc0 || out[i + 1] === 0xc2)) {
      new DataView(out.buffer).setUint16(i + 5 + 2 * random.below(2), random.pick([0, 1, 7, 8_000, 30_000, 65_535]));
      break;
    }
  }
  return out;
}

function imageCase(i: number): { bytes: Uint8Array; family: string } {
  const random = new Random(SEED + i);
  const format = random.pick(['png', 'jpeg'] as const);
  const seed = SEED_IMAGES[format]();
  const family = random.pick(['bytes', 'header', 'tail'] as const);
  if (family === 'header') return { bytes: format === 'png' ? withPngHeader(seed, random) : withJpegHeader(seed, random), family: `${format} header` };
  if (family === 'tail') return { bytes: mutateBytes(seed, random, seed.byteLength).subarray(0, seed.byteLength - random.below(64)), family: `${format} tail` };
  return { bytes: mutateBytes(seed, random), family: `${format} bytes` };
}

describe('fuzz: images', () => {
  const outcomes = new Outcomes();
  let classifier: NodeClassifier;
  beforeAll(async () => {
    classifier = await createClassifier({ weights: tinyWeights('int8'), threads: 1 });
  });
  afterAll(async () => {
    console.log(outcomes.report('fuzz images'));
    await classifier.dispose();
  });

  it(`${CASES} hostile images each classify to finite scores or IMAGE_INVALID, the same way twice`, async () => {
    const seen = new Set<string>();
    for (let i = 0; i < CASES; i++) {
      const { bytes, family } = imageCase(i);
      const answers: string[] = [];
      for (const attempt of ['', ', again']) {
        // Poison Node's buffer pool between attempts: an answer read from uninitialized memory would change.
        Buffer.allocUnsafe(8192).fill(attempt ? 0x5a : 0xa5);
        let answer = '';
        const outcome = await outcomes.settle(`image #${i} (${family})${attempt}`, async () => {
          try {
            const top = await classifier.classify(bytes, { topK: 10 });
            expectFinite(top.map((c) => c.score), `image #${i}`);
            answer = top.map((c) => `${c.index}:${c.score}`).join(' ');
          } catch (error) {
            answer = (error as Error).message;
            throw error;
          }
        });
        answers.push(`${outcome} ${answer}`);
        seen.add(outcome);
      }
      expect(answers[1], `image #${i} (${family}): the same bytes, the same answer`).toBe(answers[0]);
    }
    expect([...seen].sort()).toEqual(['IMAGE_INVALID', 'ok']);
  }, SUITE_TIMEOUT_MS);
});
