// How a multiply pass is cut for threads (work-split.ts multiplyBlocks) and how a claim of several of
// its items runs as one block (assembly/conv2d.ts locateRun): exactly those items' outputs, no more.
import { describe, expect, it } from 'vitest';
import { instantiateKernels } from '../src/backends/wasm/kernels.js';
import { multiplyBlocks } from '../src/backends/wasm/work-split.js';
import { uniform } from './random.js';

// A grouped 3x3 convolution small enough to check output by output: 2 groups of 12 channels (3 weight
// tiles of MR = 4 each), 9x9 outputs (81 pixels: 11 panels of NR = 8, the last one short).
const [C, K, R, S, G, H, W] = [6, 24, 3, 3, 2, 11, 11];
const [OH, OW] = [H - R + 1, W - S + 1];
const P = OH * OW;
const [mTiles, nTiles] = [3, 11];

/** The convolution's packed weights and panels in a fresh instance, and a multiply over items [first, end) cut in (mBlock, nBlock). */
async function convolution() {
  const { exports: k } = await instantiateKernels(false);
  const weights = uniform(K * (C / G) * R * S, 1, -1, 1);
  const input = uniform(C * H * W, 2, -1, 1);
  const bias = uniform(K, 3, -1, 1);
  const align = (bytes: number) => Math.ceil(bytes / 64) * 64;
  const weightsAt = align(k.heapBase());
  const inputAt = align(weightsAt + weights.byteLength);
  const biasAt = align(inputAt + input.byteLength);
  const packedAt = align(biasAt + bias.byteLength);
  const scratchAt = align(packedAt + k.conv2dPackedWeightFloats(C, K, R, S, G) * 4);
  const outAt = align(scratchAt + k.conv2dScratchBytes(C, K, R, S, G, OH, OW));
  k.memory.grow(Math.ceil((outAt + K * P * 4) / 65536));
  new Float32Array(k.memory.buffer, weightsAt, weights.length).set(weights);
  new Float32Array(k.memory.buffer, inputAt, input.length).set(input);
  new Float32Array(k.memory.buffer, biasAt, bias.length).set(bias);
  k.conv2dPackWeights(packedAt, weightsAt, 0, K, C, R, S, G);
  k.conv2dPack(scratchAt, inputAt, C, H, W, R, S, G, 1, 1, 0, 0, OH, OW, 0, G * nTiles);
  const out = () => new Float32Array(k.memory.buffer, outAt, K * P);
  return (mBlock: number, nBlock: number, first: number, end: number): Float32Array => {
    out().fill(Number.NaN);
    k.conv2dMultiply(outAt, scratchAt, packedAt, biasAt, C, K, R, S, G, OH, OW, 0, mBlock, nBlock, first, end);
    return out().slice();
  };
}

/** Which outputs (channel * P + pixel) the items [first, end) of a cut own, by the numbering of multiplyItems. */
function ownedBy(mBlock: number, nBlock: number, first: number, end: number): Set<number> {
  const mBlocks = Math.ceil(mTiles / mBlock);
  const nBlocks = Math.ceil(nTiles / nBlock);
  const owned = new Set<number>();
  for (let item = first; item < end; item++) {
    const nb = item % nBlocks;
    const mb = Math.floor(item / nBlocks) % mBlocks;
    const g = Math.floor(item / nBlocks / mBlocks);
    for (let m = mb * mBlock * 4; m < Math.min(mTiles, (mb + 1) * mBlock) * 4; m++) {
      for (let p = nb * nBlock * 8; p < Math.min(P, (nb + 1) * nBlock * 8); p++) owned.add((g * K / G + m) * P + p);
    }
  }
  return owned;
}

describe('multiply passes shared by threads', () => {
  it('run a claim of several items as one block: exactly their outputs, the same values as one call over all', async () => {
    const multiply = await convolution();
    const whole = multiply(mTiles, nTiles, 0, G);
    expect(whole.every(Number.isFinite)).toBe(true);
    // Items of one weight tile (panels uncut), of one panel (weights uncut), and of both cut; runs across a group's end.
    const cases: [mBlock: number, nBlock: number, first: number, end: number][] = [
      [1, nTiles, 1, 3], [1, nTiles, 2, 5], [1, nTiles, 0, 6],
      [mTiles, 1, 3, 9], [mTiles, 1, 9, 14], [mTiles, 1, 0, 22],
      [2, 4, 1, 3], [2, 4, 2, 9], [2, 4, 5, 12],
    ];
    for (const [mBlock, nBlock, first, end] of cases) {
      const out = multiply(mBlock, nBlock, first, end);
      const owned = ownedBy(mBlock, nBlock, first, end);
      const wrong = Array.from(out.keys()).filter((i) => (owned.has(i) ? out[i] !== whole[i] : !Number.isNaN(out[i])));
      expect(`items [${first}, ${end}) of (${mBlock}, ${nBlock}): ${wrong.length} outputs wrong`).toBe(`items [${first}, ${end}) of (${mBlock}, ${nBlock}): 0 outputs wrong`);
    }
  });

  it('cut AlexNet layers into claims of a sixth of a share, of weight tiles or of panels', () => {
    // conv3 (384 channels = 96 weight tiles, 13x13 outputs = 7 Winograd panels): cut by weight tiles.
    expect(multiplyBlocks(96, 7, 1, 2)).toEqual({ mBlock: 1, nBlock: 7, items: 96, claim: 6 });
    // conv5 (2 groups of 32 weight tiles).
    expect(multiplyBlocks(32, 7, 2, 2)).toEqual({ mBlock: 1, nBlock: 7, items: 64, claim: 4 });
    // conv1 (98 panels): cut by panels, each thread reading all the weights.
    expect(multiplyBlocks(24, 98, 1, 2)).toEqual({ mBlock: 24, nBlock: 1, items: 98, claim: 8 });
    // A huge input's two million panels: items of many, few enough for the ticket (MAX_SHARED_ITEMS).
    expect(multiplyBlocks(24, 2_000_000, 1, 2)).toEqual({ mBlock: 24, nBlock: 20_834, items: 96, claim: 7 });
    // Few of both: blocks of both, one a claim.
    expect(multiplyBlocks(3, 3, 1, 4)).toEqual({ mBlock: 1, nBlock: 1, items: 9, claim: 1 });
    expect(multiplyBlocks(96, 7, 1, 1)).toEqual({ mBlock: 96, nBlock: 7, items: 1, claim: 1 });
  });
});
