// The safetensors container: u64 little-endian header length, a JSON header, then raw little-endian data.
// Only the container lives here; what alexnet-web expects inside is checked in model-file.ts.
import { AlexNetError, describeValue } from '../errors.js';
import { elementsOf } from '../model/shapes.js';

export type DType = 'I8' | 'F16' | 'F32';
export const DTYPE_BYTES: Record<DType, number> = { I8: 1, F16: 2, F32: 4 };

export interface TensorEntry {
  name: string;
  dtype: DType;
  shape: number[];
  /** Absolute byte offsets in the file, end exclusive. */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  /** Offset of the first data byte: 8 + header length. */
  dataStart: number;
  /** Size the whole file must have. */
  fileBytes: number;
  metadata: Record<string, string>;
  /** In file order. */
  tensors: TensorEntry[];
}

/** Above this a header length is garbage, not a header (the format's own limit is 100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

function corrupt(message: string): never {
  throw new AlexNetError('WEIGHTS_CORRUPT', `The weights file is not a valid safetensors file: ${message}`);
}

/** Header length from the first 8 bytes; throws WEIGHTS_TRUNCATED / WEIGHTS_CORRUPT. */
export function readHeaderLength(prefix: Uint8Array): number {
  if (prefix.byteLength < 8) {
    throw new AlexNetError('WEIGHTS_TRUNCATED', `The weights file is ${prefix.byteLength} bytes, shorter than the 8-byte safetensors prefix. The download or copy was cut short; fetch it again.`);
  }
  const view = new DataView(prefix.buffer, prefix.byteOffset, 8);
  const length = view.getBigUint64(0, true);
  if (length === 0n || length > BigInt(MAX_HEADER_BYTES)) corrupt(`the header length field says ${length} bytes.`);
  return Number(length);
}

/**
 * Parses the header from `bytes`, which must hold at least the 8-byte prefix and the JSON.
 * `fileBytes`, when known, is the file's real size: tensors past it mean a truncated file.
 */
export function parseHeader(bytes: Uint8Array, fileBytes?: number): SafetensorsHeader {
  const headerLength = readHeaderLength(bytes);
  const dataStart = 8 + headerLength;
  if (bytes.byteLength < dataStart) {
    throw new AlexNetError('WEIGHTS_TRUNCATED', `The weights header is ${headerLength} bytes but only ${bytes.byteLength - 8} arrived. The file was cut short; fetch it again.`);
  }
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart)));
  } catch (error) {
    return corrupt(`the header is not UTF-8 JSON (${(error as Error).message}).`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) corrupt('the header is not a JSON object.');
  const metadata: Record<string, string> = {};
  const tensors: TensorEntry[] = [];
  for (const [name, value] of Object.entries(json)) {
    if (name === '__metadata__') {
      if (typeof value !== 'object' || value === null) corrupt('__metadata__ is not an object.');
      for (const [key, text] of Object.entries(value)) {
        if (typeof text !== 'string') corrupt(`__metadata__.${key} is not a string.`);
        metadata[key] = text;
      }
      continue;
    }
    if (typeof value !== 'object' || value === null) corrupt(`tensor "${name.slice(0, 60)}" is ${describeValue(value)}, not an object.`);
    const entry = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof entry.dtype !== 'string' || !(entry.dtype in DTYPE_BYTES)) {
      corrupt(`tensor "${name}" has dtype ${describeValue(entry.dtype)}; alexnet-web reads I8, F16 and F32.`);
    }
    const shape = entry.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) corrupt(`tensor "${name}" has shape ${describeValue(shape)}.`);
    const offsets = entry.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) || offsets[1] < offsets[0]) {
      corrupt(`tensor "${name}" has data_offsets ${describeValue(offsets)}.`);
    }
    const dtype = entry.dtype as DType;
    const expectedBytes = elementsOf(shape) * DTYPE_BYTES[dtype];
    if (offsets[1] - offsets[0] !== expectedBytes) {
      corrupt(`tensor "${name}" ${dtype}[${shape.join(', ')}] needs ${expectedBytes} bytes but its offsets span ${offsets[1] - offsets[0]}.`);
    }
    tensors.push({ name, dtype, shape, begin: dataStart + offsets[0], end: dataStart + offsets[1] });
  }
  tensors.sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < tensors.length; i++) {
    if (tensors[i].begin < tensors[i - 1].end) corrupt(`tensors "${tensors[i - 1].name}" and "${tensors[i].name}" overlap.`);
  }
  const fileEnd = tensors.length > 0 ? tensors[tensors.length - 1].end : dataStart;
  if (fileBytes !== undefined && fileBytes < fileEnd) {
    throw new AlexNetError('WEIGHTS_TRUNCATED', `The weights file is ${fileBytes} bytes but its header describes ${fileEnd}. The download or copy was cut short; fetch it again.`);
  }
  return { dataStart, fileBytes: fileEnd, metadata, tensors };
}

export interface TensorToWrite {
  name: string;
  dtype: DType;
  shape: number[];
  data: Uint8Array;
}

/**
 * Serializes tensors (kept in the given order, contiguous) and string metadata.
 * Returns the header and the data chunks, so a writer can stream them without one big copy.
 */
export function encodeSafetensors(tensors: TensorToWrite[], metadata: Record<string, string>): Uint8Array[] {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const tensor of tensors) {
    const bytes = elementsOf(tensor.shape) * DTYPE_BYTES[tensor.dtype];
    if (bytes !== tensor.data.byteLength) {
      throw new AlexNetError('INVALID_ARGUMENT', `tensor "${tensor.name}" ${tensor.dtype}[${tensor.shape.join(', ')}] needs ${bytes} bytes, got ${tensor.data.byteLength}.`);
    }
    header[tensor.name] = { dtype: tensor.dtype, shape: tensor.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
  const padded = Math.ceil(json.byteLength / 8) * 8;
  if (padded !== json.byteLength) {
    const withSpaces = new Uint8Array(padded).fill(0x20);
    withSpaces.set(json);
    json = withSpaces;
  }
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(json.byteLength), true);
  return [prefix, json, ...tensors.map((t) => t.data)];
}
