// Fuzz: damaged and hostile weights files, from bytes and from a path. Each case must load and answer
// finite scores, or fail with a documented AlexNetError, quickly and within memory.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createClassifier } from '../../src/node/index.js';
import { METADATA_KEY } from '../../src/model/metadata.js';
import { pattern } from '../images.js';
import { uniform } from '../random.js';
import { hostileValue, mutateBytes, mutateJson, Random, toHostileJson } from './mutate.js';
import { caseCount, expectFinite, Outcomes, SUITE_TIMEOUT_MS } from './outcomes.js';
import { TINY_SPEC, tinyWeights } from './seeds.js';

const CASES = caseCount(1500);
const SEED = 15_000;
const directory = mkdtempSync(join(tmpdir(), 'alexnet-web-fuzz-'));
const image = pattern(40, 30, 1);
const input = uniform(3 * 35 * 35, 2, -200, 200);

interface Parsed {
  header: Record<string, any>;
  metadata: Record<string, any>;
  data: Uint8Array;
}

function parse(bytes: Uint8Array): Parsed {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
  return { header, metadata: JSON.parse(header.__metadata__[METADATA_KEY]), data: bytes.subarray(8 + length) };
}

function encode({ header, metadata, data }: Parsed, random: Random): Uint8Array {
  const metadataText = toHostileJson(metadata);
  const json = new TextEncoder().encode(toHostileJson({ ...header, __metadata__: { [METADATA_KEY]: metadataText } }));
  const out = new Uint8Array(8 + json.byteLength + data.byteLength);
  // Now and then a prefix that lies about the header's length.
  const declared = random.chance(0.05) ? json.byteLength + random.pick([-3, 1, 1 << 20, -json.byteLength]) : json.byteLength;
  new DataView(out.buffer).setBigUint64(0, BigInt(Math.max(0, declared)), true);
  out.set(json, 8);
  out.set(data, 8 + json.byteLength);
  return out;
}

/** One hostile weights file, from the family `i` falls in. */
function weightsCase(i: number): { bytes: Uint8Array; family: string } {
  const random = new Random(SEED + i);
  const base = tinyWeights(random.pick(['int8', 'int8', 'f16', 'f32'] as const));
  const family = random.pick(['bytes', 'header bytes', 'tensor entries', 'metadata', 'layer specs', 'values'] as const);
  const parsed = parse(base);
  const headerEnd = base.byteLength - parsed.data.byteLength;
  switch (family) {
    case 'bytes':
      return { bytes: mutateBytes(base, random), family };
    case 'header bytes':
      return { bytes: mutateBytes(base, random, headerEnd), family };
    case 'tensor entries': {
      const names = Object.keys(parsed.header).filter((n) => n !== '__metadata__');
      for (let edits = 1 + random.below(2); edits > 0; edits--) {
        const entry = parsed.header[random.pick(names)];
        // An earlier edit may have replaced the entry or its field already.
        if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) continue;
        const field = random.pick(['dtype', 'shape', 'data_offsets', 'whole'] as const);
        if (field === 'dtype') entry.dtype = random.pick(['F32', 'F16', 'I8', 'F64', 'BF16', 'x', null]);
        else if (field === 'whole') parsed.header[random.pick(names)] = hostileValue(random);
        else if (random.chance(0.5) || !Array.isArray(entry[field])) entry[field] = hostileValue(random);
        else entry[field] = entry[field].map((v: number) => (random.chance(0.5) ? v + random.pick([-1, 1, 4, 2 ** 32, -v]) : v));
      }
      return { bytes: encode(parsed, random), family };
    }
    case 'metadata':
      for (let edits = 1 + random.below(3); edits > 0; edits--) mutateJson(parsed.metadata, random);
      return { bytes: encode(parsed, random), family };
    case 'layer specs': {
      const layers = parsed.metadata.network.layers;
      const layer = random.pick(layers) as Record<string, unknown>;
      const field = random.pick([...Object.keys(layer), 'input']);
      if (field === 'input') parsed.metadata.network.input[random.pick(['channels', 'height', 'width'])] = random.pick([0, 1, 7, 12000, 2 ** 31, 1e9]);
      else if (random.chance(0.7)) layer[field] = hostileValue(random);
      else layers.splice(random.below(layers.length), 0, ...Array.from({ length: random.pick([1, 2, 1500]) }, () => structuredClone(random.pick(layers))));
      return { bytes: encode(parsed, random), family };
    }
    default: {
      // Float values in the data: NaN, infinities, huge, denormal (int8 weights hold any byte legally).
      const bytes = new Uint8Array(base);
      const view = new DataView(bytes.buffer);
      for (let edits = 1 + random.below(4); edits > 0; edits--) {
        const at = headerEnd + 4 * random.below(Math.floor(parsed.data.byteLength / 4));
        view.setFloat32(at, random.pick([NaN, Infinity, -Infinity, 3.4e38, -1e30, 1e-45, 1e7]), true);
      }
      return { bytes, family };
    }
  }
}

describe('fuzz: weights files', () => {
  const outcomes = new Outcomes();
  afterAll(() => {
    console.log(outcomes.report('fuzz weights'));
    rmSync(directory, { recursive: true, force: true });
  });

  it(`${CASES} hostile files each load and answer finite scores, or fail with a documented code`, async () => {
    const families = new Map<string, Set<string>>();
    for (let i = 0; i < CASES; i++) {
      const { bytes, family } = weightsCase(i);
      const fromPath = i % 8 === 0;
      const source = fromPath ? join(directory, `case-${i}.safetensors`) : bytes;
      if (fromPath) writeFileSync(source as string, bytes);
      const name = `weights #${i} (${family}${fromPath ? ', from a path' : ''})`;
      const run = async () => {
        // Most cases on one thread (fast); some with helper threads, the default.
        const classifier = await createClassifier({ weights: source, threads: i % 50 === 1 ? undefined : 1, backend: 'wasm' });
        try {
          const scores = await classifier.infer(input);
          expectFinite(scores, `weights #${i}: infer`);
          const top = await classifier.classify(image, { topK: 3 });
          expectFinite(top.map((c) => c.score), `weights #${i}: classify`);
        } finally {
          await classifier.dispose();
        }
      };
      const outcome = await outcomes.settle(name, run);
      // The same bytes, the same answer.
      if (i % 10 === 0) expect(await outcomes.settle(`${name}, again`, run), name).toBe(outcome);
      if (!families.has(family)) families.set(family, new Set());
      families.get(family)!.add(outcome);
    }
    // Each family reached more than one outcome: the mutations are not all refused by the same first check.
    for (const [family, seen] of families) expect(seen.size, `${family}: ${[...seen].join(', ')}`).toBeGreaterThan(1);
    expect(outcomes.count('ok')).toBeGreaterThan(0);
  }, SUITE_TIMEOUT_MS);

  it('the unmutated seeds load, so the counts above are about the mutations', async () => {
    for (const quantize of ['int8', 'f16', 'f32'] as const) {
      const classifier = await createClassifier({ weights: tinyWeights(quantize), threads: 1 });
      expect(classifier.metadata.network.input).toEqual(TINY_SPEC.input);
      await classifier.dispose();
    }
  });
});
