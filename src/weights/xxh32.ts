// XXH32 (xxHash, 32 bits, seed 0), fed in chunks: the checksum a cached copy of a weights file is
// stored with. It catches damage, not tampering (that is SRI's job), and runs at memory speed in JS
// because it needs only 32-bit multiplies (Math.imul), where a 64-bit hash would need several each.
import type { Hasher } from './sha2.js';

const PRIME1 = 0x9e3779b1 | 0;
const PRIME2 = 0x85ebca77 | 0;
const PRIME3 = 0xc2b2ae3d | 0;
const PRIME4 = 0x27d4eb2f;
const PRIME5 = 0x165667b1;

const rotateLeft = (x: number, bits: number): number => (x << bits) | (x >>> (32 - bits));

class Xxh32 implements Hasher {
  /** The four lanes' accumulators. */
  private readonly lanes = Int32Array.of((PRIME1 + PRIME2) | 0, PRIME2, 0, -PRIME1 | 0);
  /** Bytes waiting for a whole 16-byte stripe. */
  private readonly stripe = new Uint8Array(16);
  private buffered = 0;
  private length = 0;

  update(bytes: Uint8Array): void {
    this.length += bytes.byteLength;
    let at = 0;
    if (this.buffered > 0) {
      at = Math.min(bytes.byteLength, 16 - this.buffered);
      this.stripe.set(bytes.subarray(0, at), this.buffered);
      this.buffered += at;
      if (this.buffered < 16) return;
      this.consume(new DataView(this.stripe.buffer), 0, 16);
      this.buffered = 0;
    }
    const whole = at + Math.floor((bytes.byteLength - at) / 16) * 16;
    this.consume(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), at, whole);
    this.stripe.set(bytes.subarray(whole));
    this.buffered = bytes.byteLength - whole;
  }

  /** Mixes the stripes of `view` in [from, to) into the lanes. */
  private consume(view: DataView, from: number, to: number): void {
    let [v1, v2, v3, v4] = this.lanes;
    for (let at = from; at < to; at += 16) {
      v1 = Math.imul(rotateLeft((v1 + Math.imul(view.getInt32(at, true), PRIME2)) | 0, 13), PRIME1);
      v2 = Math.imul(rotateLeft((v2 + Math.imul(view.getInt32(at + 4, true), PRIME2)) | 0, 13), PRIME1);
      v3 = Math.imul(rotateLeft((v3 + Math.imul(view.getInt32(at + 8, true), PRIME2)) | 0, 13), PRIME1);
      v4 = Math.imul(rotateLeft((v4 + Math.imul(view.getInt32(at + 12, true), PRIME2)) | 0, 13), PRIME1);
    }
    this.lanes.set([v1, v2, v3, v4]);
  }

  digest(): Uint8Array {
    const [v1, v2, v3, v4] = this.lanes;
    let hash = this.length >= 16 ? (rotateLeft(v1, 1) + rotateLeft(v2, 7) + rotateLeft(v3, 12) + rotateLeft(v4, 18)) | 0 : PRIME5;
    // The length modulo 2^32, as the reference adds it.
    hash = (hash + (this.length % 2 ** 32)) | 0;
    const tail = new DataView(this.stripe.buffer);
    let at = 0;
    for (; at + 4 <= this.buffered; at += 4) hash = Math.imul(rotateLeft((hash + Math.imul(tail.getInt32(at, true), PRIME3)) | 0, 17), PRIME4);
    for (; at < this.buffered; at++) hash = Math.imul(rotateLeft((hash + Math.imul(this.stripe[at], PRIME5)) | 0, 11), PRIME1);
    hash = Math.imul(hash ^ (hash >>> 15), PRIME2);
    hash = Math.imul(hash ^ (hash >>> 13), PRIME3);
    hash ^= hash >>> 16;
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, hash);
    return out;
  }
}

export const createXxh32 = (): Hasher => new Xxh32();
