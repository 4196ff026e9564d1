// Seeded mutations of bytes and of JSON values, as a hostile or unlucky user would produce them.
import { randomGenerator } from '../random.js';

export class Random {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = randomGenerator(seed);
  }
  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }
}

/** Text that JSON.stringify cannot write: swapped in after stringifying. */
const RAW_JSON: Record<string, string> = {
  '@@huge@@': '1e400',
  '@@negative-huge@@': '-1e400',
  '@@deep@@': '['.repeat(100_000) + ']'.repeat(100_000),
};

/** Values a hostile file puts where a number, list, string or object belongs. */
export function hostileValue(random: Random): unknown {
  return random.pick<() => unknown>([
    () => null,
    () => true,
    () => -1,
    () => 0,
    () => 0.5,
    () => 2 ** 31,
    () => 2 ** 32 + 3,
    () => 2 ** 53 + 2,
    () => -(2 ** 31),
    () => 1e-300,
    () => 3.4e38,
    () => '1',
    () => '',
    () => 'x'.repeat(100_000),
    () => [],
    () => [1],
    () => [1e9, 1e9],
    () => [3, 3, 3, 3, 3],
    () => Array.from({ length: 100_000 }, (_, i) => i),
    () => ({}),
    () => ({ mode: 'stretch', width: 1e9, height: -1 }),
    () => '@@huge@@',
    () => '@@negative-huge@@',
    () => '@@deep@@',
  ])();
}

/** JSON text of `value`, with the placeholders of hostileValue written as raw JSON. */
export function toHostileJson(value: unknown): string {
  return JSON.stringify(value).replace(/"(@@[a-z-]+@@)"/g, (_, key: string) => RAW_JSON[key]);
}

/** Replaces, deletes or adds one value at a random depth inside `root` (objects and arrays). */
export function mutateJson(root: Record<string, unknown>, random: Random): void {
  let node: unknown = root;
  for (let depth = 0; depth < 6; depth++) {
    const keys = node && typeof node === 'object' ? Object.keys(node) : [];
    if (keys.length === 0) break;
    const key = random.pick(keys);
    const child = (node as Record<string, unknown>)[key];
    const stop = child === null || typeof child !== 'object' || random.chance(0.3);
    if (stop) {
      const target = node as Record<string, unknown>;
      if (random.chance(0.15) && !Array.isArray(target)) delete target[key];
      else if (random.chance(0.1) && Array.isArray(target)) target.push(...Array.from({ length: random.pick([1, 3, 1200]) }, () => structuredClone(target[0])));
      else target[key] = hostileValue(random);
      return;
    }
    node = child;
  }
}

/** A copy, whatever `bytes` is: a Node Buffer's slice() is a view, and mutating it would damage the seed. */
function copyOf(bytes: Uint8Array, end = bytes.byteLength): Uint8Array {
  return new Uint8Array(bytes.subarray(0, end));
}

/** One byte-level damage: a cut, flipped bits, overwritten or inserted bytes, a zeroed range. */
export function mutateBytes(bytes: Uint8Array, random: Random, region = bytes.byteLength): Uint8Array {
  const at = random.below(Math.max(1, region));
  switch (random.below(5)) {
    case 0:
      return copyOf(bytes, at);
    case 1: {
      const out = copyOf(bytes);
      for (let i = 0, flips = 1 + random.below(8); i < flips; i++) out[random.below(region)] ^= 1 << random.below(8);
      return out;
    }
    case 2: {
      const out = copyOf(bytes);
      for (let i = at, end = Math.min(out.length, at + 1 + random.below(16)); i < end; i++) out[i] = random.below(256);
      return out;
    }
    case 3: {
      const inserted = Uint8Array.from({ length: 1 + random.below(16) }, () => random.below(256));
      const out = new Uint8Array(bytes.byteLength + inserted.byteLength);
      out.set(bytes.subarray(0, at));
      out.set(inserted, at);
      out.set(bytes.subarray(at), at + inserted.byteLength);
      return out;
    }
    default: {
      const out = copyOf(bytes);
      out.fill(0, at, at + 1 + random.below(64));
      return out;
    }
  }
}
