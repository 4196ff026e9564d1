// A first-fit allocator over WebAssembly linear memory, owned by JS (the kernels never allocate).
// Blocks are 16-byte aligned for v128 loads; freed neighbours merge; memory grows on demand.
import { AlexNetError } from '../../errors.js';

/** Every block starts on a multiple of this many bytes (v128 loads) and is that much wider at least. */
export const HEAP_ALIGN = 16;
const PAGE = 65536;

interface Block {
  offset: number;
  bytes: number;
}

export class WasmHeap {
  private readonly free: Block[] = [];
  private top: number;

  constructor(private readonly memory: WebAssembly.Memory, heapBase: number) {
    this.top = alignUp(heapBase);
  }

  /** Offset of `bytes` of fresh memory (contents undefined). */
  allocate(bytes: number): number {
    const size = alignUp(Math.max(bytes, 1));
    const index = this.free.findIndex((block) => block.bytes >= size);
    if (index >= 0) {
      const block = this.free[index];
      if (block.bytes === size) this.free.splice(index, 1);
      else this.free[index] = { offset: block.offset + size, bytes: block.bytes - size };
      return block.offset;
    }
    const offset = this.top;
    this.ensureCapacity(offset + size);
    this.top = offset + size;
    return offset;
  }

  release(offset: number, bytes: number): void {
    const size = alignUp(Math.max(bytes, 1));
    const at = this.free.findIndex((block) => block.offset > offset);
    const position = at < 0 ? this.free.length : at;
    this.free.splice(position, 0, { offset, bytes: size });
    this.mergeAround(position);
    const last = this.free[this.free.length - 1];
    if (last && last.offset + last.bytes === this.top) {
      this.top = last.offset;
      this.free.pop();
    }
  }

  private mergeAround(position: number): void {
    const next = this.free[position + 1];
    const current = this.free[position];
    if (next && current.offset + current.bytes === next.offset) {
      current.bytes += next.bytes;
      this.free.splice(position + 1, 1);
    }
    const previous = this.free[position - 1];
    if (previous && previous.offset + previous.bytes === current.offset) {
      previous.bytes += current.bytes;
      this.free.splice(position, 1);
    }
  }

  private ensureCapacity(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    try {
      this.memory.grow(Math.ceil((end - have) / PAGE));
    } catch (error) {
      throw new AlexNetError('OUT_OF_MEMORY', `WebAssembly memory could not grow from ${have} to ${end} bytes (the limit is 4 GiB). Use int8 weights, a smaller batch, or dispose classifiers you no longer need.`, { cause: error });
    }
  }
}

export function alignUp(value: number, to = HEAP_ALIGN): number {
  return Math.ceil(value / to) * to;
}
