// SHA-256, SHA-384 and SHA-512 (FIPS 180-4), fed in chunks as a file streams in: the hashes of SRI
// strings. Plain JS, so no hashing library ships to the page; the round constants and initial values
// are computed from their definitions (roots of the first primes) instead of being spelled out in hex.

/** A hash fed in pieces. */
export interface Hasher {
  update(bytes: Uint8Array): void;
  /** The hash of everything updated so far; call once. */
  digest(): Uint8Array;
}

function firstPrimes(count: number): bigint[] {
  const primes: bigint[] = [];
  for (let n = 2; primes.length < count; n++) if (primes.every((p) => n % Number(p) !== 0)) primes.push(BigInt(n));
  return primes;
}

/** floor(n^(1/k)) by Newton's method on integers. */
function integerRoot(n: bigint, k: bigint): bigint {
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / Number(k)) + 1);
  for (;;) {
    const next = ((k - 1n) * x + n / x ** (k - 1n)) / k;
    if (next >= x) return x;
    x = next;
  }
}

/** The first `bits` bits of the fractional parts of the k-th roots of `primes` (FIPS 180-4 4.2, 5.3). */
function rootFractions(primes: bigint[], k: bigint, bits: bigint): bigint[] {
  return primes.map((p) => integerRoot(p << (k * bits), k) & ((1n << bits) - 1n));
}

/** 64-bit values as [high, low] 32-bit halves, one after the other. */
function halves(values: bigint[]): Int32Array {
  return Int32Array.from(values.flatMap((v) => [Number(v >> 32n), Number(v & 0xffffffffn)]));
}

const PRIMES = firstPrimes(80);
const K256 = Int32Array.from(rootFractions(PRIMES.slice(0, 64), 3n, 32n), Number);
const INITIAL_256 = Int32Array.from(rootFractions(PRIMES.slice(0, 8), 2n, 32n), Number);
const K512 = halves(rootFractions(PRIMES, 3n, 64n));
const INITIAL_512 = halves(rootFractions(PRIMES.slice(0, 8), 2n, 64n));
const INITIAL_384 = halves(rootFractions(PRIMES.slice(8, 16), 2n, 64n));

/** Buffers input into whole blocks for `compress`, and pads the last one with the bit length. */
abstract class BlockHasher implements Hasher {
  private readonly block: Uint8Array;
  private buffered = 0;
  private length = 0;

  constructor(private readonly blockBytes: number, private readonly lengthBytes: number) {
    this.block = new Uint8Array(blockBytes);
  }

  /** Mixes the block at `offset` of `view` into the state. */
  protected abstract compress(view: DataView, offset: number): void;
  /** The state as the digest's bytes. */
  protected abstract output(): Uint8Array;

  update(bytes: Uint8Array): void {
    this.length += bytes.byteLength;
    let at = 0;
    if (this.buffered > 0) {
      at = Math.min(bytes.byteLength, this.blockBytes - this.buffered);
      this.block.set(bytes.subarray(0, at), this.buffered);
      this.buffered += at;
      if (this.buffered < this.blockBytes) return;
      this.compress(new DataView(this.block.buffer), 0);
      this.buffered = 0;
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (; at + this.blockBytes <= bytes.byteLength; at += this.blockBytes) this.compress(view, at);
    this.block.set(bytes.subarray(at));
    this.buffered = bytes.byteLength - at;
  }

  digest(): Uint8Array {
    const bits = this.length * 8;
    const padding = new Uint8Array((this.buffered + 1 + this.lengthBytes <= this.blockBytes ? 1 : 2) * this.blockBytes - this.buffered);
    padding[0] = 0x80;
    const view = new DataView(padding.buffer);
    // Files stay far below 2^53 bits: the upper words of the length are zero.
    view.setUint32(padding.byteLength - 8, ((bits / 2 ** 32) | 0));
    view.setUint32(padding.byteLength - 4, bits >>> 0);
    this.update(padding);
    return this.output();
  }
}

class Sha256 extends BlockHasher {
  private readonly state = INITIAL_256.slice();
  private readonly words = new Int32Array(64);

  constructor() {
    super(64, 8);
  }

  protected compress(view: DataView, offset: number): void {
    const w = this.words;
    for (let i = 0; i < 16; i++) w[i] = view.getInt32(offset + i * 4);
    for (let i = 16; i < 64; i++) {
      const a = w[i - 15];
      const b = w[i - 2];
      const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
      const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
    }
    const s = this.state;
    let a = s[0], b = s[1], c = s[2], d = s[3], e = s[4], f = s[5], g = s[6], h = s[7];
    for (let i = 0; i < 64; i++) {
      const sum1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (h + sum1 + ((e & f) ^ (~e & g)) + K256[i] + w[i]) | 0;
      const sum0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (sum0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    s[0] += a; s[1] += b; s[2] += c; s[3] += d; s[4] += e; s[5] += f; s[6] += g; s[7] += h;
  }

  protected output(): Uint8Array {
    return bigEndianBytes(this.state, 32);
  }
}

/** SHA-512, and SHA-384 (other initial values, first 48 bytes of the output). */
class Sha512 extends BlockHasher {
  private readonly state: Int32Array;
  /** The message schedule, as [high, low] pairs. */
  private readonly words = new Int32Array(160);

  constructor(initial: Int32Array, private readonly outputBytes: number) {
    super(128, 16);
    this.state = initial.slice();
  }

  protected compress(view: DataView, offset: number): void {
    const w = this.words;
    for (let i = 0; i < 32; i++) w[i] = view.getInt32(offset + i * 4);
    for (let i = 32; i < 160; i += 2) {
      // sigma0 of w[t-15]: rotr 1 ^ rotr 8 ^ shr 7; sigma1 of w[t-2]: rotr 19 ^ rotr 61 ^ shr 6.
      const ah = w[i - 30];
      const al = w[i - 29];
      const s0h = ((ah >>> 1) | (al << 31)) ^ ((ah >>> 8) | (al << 24)) ^ (ah >>> 7);
      const s0l = ((al >>> 1) | (ah << 31)) ^ ((al >>> 8) | (ah << 24)) ^ ((al >>> 7) | (ah << 25));
      const bh = w[i - 4];
      const bl = w[i - 3];
      const s1h = ((bh >>> 19) | (bl << 13)) ^ ((bl >>> 29) | (bh << 3)) ^ (bh >>> 6);
      const s1l = ((bl >>> 19) | (bh << 13)) ^ ((bh >>> 29) | (bl << 3)) ^ ((bl >>> 6) | (bh << 26));
      const low = (s0l >>> 0) + (s1l >>> 0) + (w[i - 13] >>> 0) + (w[i - 31] >>> 0);
      w[i] = (s0h + s1h + w[i - 14] + w[i - 32] + ((low / 2 ** 32) | 0)) | 0;
      w[i + 1] = low | 0;
    }
    const s = this.state;
    let ah = s[0], al = s[1], bh = s[2], bl = s[3], ch = s[4], cl = s[5], dh = s[6], dl = s[7];
    let eh = s[8], el = s[9], fh = s[10], fl = s[11], gh = s[12], gl = s[13], hh = s[14], hl = s[15];
    for (let i = 0; i < 160; i += 2) {
      // Sum1(e): rotr 14 ^ rotr 18 ^ rotr 41; Sum0(a): rotr 28 ^ rotr 34 ^ rotr 39.
      const sum1h = ((eh >>> 14) | (el << 18)) ^ ((eh >>> 18) | (el << 14)) ^ ((el >>> 9) | (eh << 23));
      const sum1l = ((el >>> 14) | (eh << 18)) ^ ((el >>> 18) | (eh << 14)) ^ ((eh >>> 9) | (el << 23));
      const chooseH = (eh & fh) ^ (~eh & gh);
      const chooseL = (el & fl) ^ (~el & gl);
      const t1Low = (hl >>> 0) + (sum1l >>> 0) + (chooseL >>> 0) + (K512[i + 1] >>> 0) + (w[i + 1] >>> 0);
      const t1h = (hh + sum1h + chooseH + K512[i] + w[i] + ((t1Low / 2 ** 32) | 0)) | 0;
      const t1l = t1Low | 0;
      const sum0h = ((ah >>> 28) | (al << 4)) ^ ((al >>> 2) | (ah << 30)) ^ ((al >>> 7) | (ah << 25));
      const sum0l = ((al >>> 28) | (ah << 4)) ^ ((ah >>> 2) | (al << 30)) ^ ((ah >>> 7) | (al << 25));
      const majorityH = (ah & bh) ^ (ah & ch) ^ (bh & ch);
      const majorityL = (al & bl) ^ (al & cl) ^ (bl & cl);
      const t2Low = (sum0l >>> 0) + (majorityL >>> 0);
      const t2h = (sum0h + majorityH + ((t2Low / 2 ** 32) | 0)) | 0;
      const t2l = t2Low | 0;
      hh = gh; hl = gl;
      gh = fh; gl = fl;
      fh = eh; fl = el;
      const eLow = (dl >>> 0) + (t1l >>> 0);
      eh = (dh + t1h + ((eLow / 2 ** 32) | 0)) | 0;
      el = eLow | 0;
      dh = ch; dl = cl;
      ch = bh; cl = bl;
      bh = ah; bl = al;
      const aLow = (t1l >>> 0) + (t2l >>> 0);
      ah = (t1h + t2h + ((aLow / 2 ** 32) | 0)) | 0;
      al = aLow | 0;
    }
    addTo(s, 0, ah, al);
    addTo(s, 2, bh, bl);
    addTo(s, 4, ch, cl);
    addTo(s, 6, dh, dl);
    addTo(s, 8, eh, el);
    addTo(s, 10, fh, fl);
    addTo(s, 12, gh, gl);
    addTo(s, 14, hh, hl);
  }

  protected output(): Uint8Array {
    return bigEndianBytes(this.state, this.outputBytes);
  }
}

/** Adds the 64-bit [high, low] to the pair at `at` of `state`. */
function addTo(state: Int32Array, at: number, high: number, low: number): void {
  const sum = (state[at + 1] >>> 0) + (low >>> 0);
  state[at] = (state[at] + high + ((sum / 2 ** 32) | 0)) | 0;
  state[at + 1] = sum | 0;
}

function bigEndianBytes(words: Int32Array, bytes: number): Uint8Array {
  const out = new Uint8Array(words.length * 4);
  const view = new DataView(out.buffer);
  words.forEach((word, i) => view.setInt32(i * 4, word));
  return out.subarray(0, bytes);
}

export const createSha256 = (): Hasher => new Sha256();
export const createSha384 = (): Hasher => new Sha512(INITIAL_384, 48);
export const createSha512 = (): Hasher => new Sha512(INITIAL_512, 64);
