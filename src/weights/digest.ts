// Hashes computed while a file streams in: SRI strings (sha256/384/512, base64) that callers give to
// pin a file, and xxh32 checksums (hex) that catch a damaged cached copy at memory speed. Browsers run
// our own plain-JS hashes (sha2.ts, xxh32.ts): a hashing library in WebAssembly was 15 kB of every
// page's download for twice the SHA speed; Node hashes SHA-2 with OpenSSL, 13x faster (bench/hashes.ts).
import { AlexNetError, describeValue } from '../errors.js';
import { runsOnNode } from '../runtime.js';
import { createSha256, createSha384, createSha512, type Hasher } from './sha2.js';
import { createXxh32 } from './xxh32.js';

const ALGORITHMS = {
  sha256: { create: createSha256, encoding: 'base64' },
  sha384: { create: createSha384, encoding: 'base64' },
  sha512: { create: createSha512, encoding: 'base64' },
  xxh32: { create: createXxh32, encoding: 'hex' },
} as const;

type Algorithm = keyof typeof ALGORITHMS;

/** The checksum a cached copy is recorded with. */
export const CHECKSUM_ALGORITHM = 'xxh32';

/** A running hash, and the string the same form as the one it checks against. */
export interface Digest {
  update(bytes: Uint8Array): void;
  /** "<algorithm>-<value>" of everything updated so far; call once. */
  finish(): string;
}

const PATTERN = /^(sha256|sha384|sha512)-([A-Za-z0-9+/]+={0,2})$|^(xxh32)-([0-9a-f]{8})$/;

/** Checks an "sha256-<base64>" (SRI) or "xxh32-<hex>" string; INVALID_ARGUMENT otherwise. */
export function parseDigest(value: string): { algorithm: Algorithm; expected: string } {
  const match = PATTERN.exec(value.trim());
  if (!match) throw new AlexNetError('INVALID_ARGUMENT', `integrity must look like "sha256-<base64>" (SRI; sha384 and sha512 work too), found ${describeValue(value)}.`);
  return { algorithm: (match[1] ?? match[3]) as Algorithm, expected: value.trim() };
}

function encode(bytes: Uint8Array, encoding: 'base64' | 'hex'): string {
  if (encoding === 'hex') return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return btoa(String.fromCharCode(...bytes));
}

/** Node's OpenSSL hash of `algorithm`, as a Hasher. */
async function opensslHasher(algorithm: string): Promise<Hasher> {
  // A computed specifier keeps browser bundlers from following it.
  const nodeCrypto = 'node:crypto';
  const { createHash } = (await import(/* @vite-ignore */ /* webpackIgnore: true */ nodeCrypto)) as typeof import('node:crypto');
  const hash = createHash(algorithm);
  return { update: (bytes) => void hash.update(bytes), digest: () => new Uint8Array(hash.digest()) };
}

export async function createDigest(algorithm: Algorithm): Promise<Digest> {
  const { create, encoding } = ALGORITHMS[algorithm];
  const hasher = encoding === 'base64' && runsOnNode() ? await opensslHasher(algorithm) : create();
  return {
    update: (bytes) => hasher.update(bytes),
    finish: () => `${algorithm}-${encode(hasher.digest(), encoding)}`,
  };
}
