// Our hashes (src/weights/sha2.ts, xxh32.ts) against independent implementations: Node's OpenSSL for
// SHA-2, hash-wasm's build of the reference C xxHash for XXH32, and published test vectors. Inputs of
// every length around the block sizes, fed in random pieces, so the buffering between chunks is covered.
import { createHash } from 'node:crypto';
import { createXXHash32 } from 'hash-wasm';
import { describe, expect, it } from 'vitest';
import { createDigest, parseDigest } from '../src/weights/digest.js';
import { createSha256, createSha384, createSha512, type Hasher } from '../src/weights/sha2.js';
import { createXxh32 } from '../src/weights/xxh32.js';
import { randomGenerator } from './random.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

function randomBytes(count: number, seed: number): Uint8Array {
  const next = randomGenerator(seed);
  return Uint8Array.from({ length: count }, () => Math.floor(next() * 256));
}

/** Feeds `bytes` to `hasher` in pieces of random length (some empty), from a byte offset that is not aligned. */
function hashInPieces(hasher: Hasher, bytes: Uint8Array, seed: number): string {
  const next = randomGenerator(seed);
  const unaligned = new Uint8Array(bytes.byteLength + 3).subarray(3);
  unaligned.set(bytes);
  for (let at = 0; at < unaligned.byteLength;) {
    const piece = Math.floor(next() * next() * 300);
    hasher.update(unaligned.subarray(at, at + piece));
    at += piece;
  }
  return hex(hasher.digest());
}

/** Every length from 0 to 300 (SHA-512's blocks are 128 bytes, its length field 16), and some larger. */
const LENGTHS = [...Array.from({ length: 301 }, (_, i) => i), 1000, 4096, 65_537, 1 << 20];

describe('SHA-2 and XXH32, fed while a file streams in', () => {
  it.each([
    ['sha256', createSha256],
    ['sha384', createSha384],
    ['sha512', createSha512],
  ] as const)('%s equals OpenSSL for lengths 0-300 and up to 1 MiB, in random pieces', (algorithm, create) => {
    const wrong = LENGTHS.filter((length, i) => {
      const bytes = randomBytes(length, i + 1);
      return hashInPieces(create(), bytes, i) !== createHash(algorithm).update(bytes).digest('hex');
    });
    expect(wrong).toEqual([]);
  });

  it('sha256 and sha512 give the FIPS 180-4 example digests of "abc"', () => {
    const abc = new TextEncoder().encode('abc');
    const digest = (hasher: Hasher) => {
      hasher.update(abc);
      return hex(hasher.digest());
    };
    expect(digest(createSha256())).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(digest(createSha512())).toBe(
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    );
  });

  it('xxh32 equals the reference xxHash (seed 0) for lengths 0-300 and up to 1 MiB, in random pieces', async () => {
    const reference = await createXXHash32(0);
    const wrong = LENGTHS.filter((length, i) => {
      const bytes = randomBytes(length, 1000 + i);
      reference.init();
      reference.update(bytes);
      return hashInPieces(createXxh32(), bytes, i) !== reference.digest('hex');
    });
    expect(wrong).toEqual([]);
    // The published digest of no input.
    expect(hex(createXxh32().digest())).toBe('02cc5d05');
  });

  it('write SRI strings in base64 and checksums in hex, and parse only those forms', async () => {
    const bytes = randomBytes(5000, 7);
    for (const algorithm of ['sha256', 'sha384', 'sha512'] as const) {
      const digest = await createDigest(algorithm);
      digest.update(bytes);
      const sri = `${algorithm}-${createHash(algorithm).update(bytes).digest('base64')}`;
      expect(digest.finish()).toBe(sri);
      expect(parseDigest(` ${sri} `)).toEqual({ algorithm, expected: sri });
    }
    const checksum = await createDigest('xxh32');
    checksum.update(bytes);
    expect(checksum.finish()).toMatch(/^xxh32-[0-9a-f]{8}$/);
    for (const bad of ['md5-abc', 'sha256-', 'xxh64-0123456789abcdef', 'xxh32-XYZ', 'sha256-a b']) {
      expect(() => parseDigest(bad), bad).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
  });
});
