// ONNX TensorProto -> typed arrays, from raw_data, the typed fields, or external data files.
import { AlexNetError } from '../errors.js';
import { halvesToFloats } from '../weights/float16.js';
import { ONNX_DTYPE, toNumber, type OnnxTensor } from './onnx-proto.js';

/** Reads `length` bytes at `offset` of an external data file named by the model (ONNX "location"). */
export type ExternalDataReader = (location: string, offset: number, length: number | undefined) => Uint8Array;

export function dimsOf(tensor: OnnxTensor): number[] {
  return (tensor.dims ?? []).map(toNumber);
}

function unsupported(tensor: OnnxTensor, message: string): never {
  throw new AlexNetError('ONNX_UNSUPPORTED', `Tensor "${tensor.name}": ${message}`);
}

function rawBytes(tensor: OnnxTensor, readExternal?: ExternalDataReader): Uint8Array | undefined {
  if (tensor.data_location === 1) {
    const entries = Object.fromEntries((tensor.external_data ?? []).map((e) => [e.key, e.value]));
    if (!entries.location) unsupported(tensor, 'external data without a location.');
    if (!readExternal) unsupported(tensor, `its data lives in the external file "${entries.location}"; convert from a path so it can be found.`);
    return readExternal(entries.location, Number(entries.offset ?? 0), entries.length === undefined ? undefined : Number(entries.length));
  }
  return tensor.raw_data && tensor.raw_data.byteLength > 0 ? tensor.raw_data : undefined;
}

// A fresh copy at offset 0 (Buffer.slice would return a view, so copy through the constructor).
function copied(bytes: Uint8Array): ArrayBuffer {
  return new Uint8Array(bytes).buffer;
}

/** `bytes` as `Type`, viewing when aligned and copying otherwise. */
function view<T>(bytes: Uint8Array, Type: { new (buffer: ArrayBuffer, offset: number, length: number): T; BYTES_PER_ELEMENT: number }): T {
  const width = Type.BYTES_PER_ELEMENT;
  if (bytes.byteOffset % width === 0) return new Type(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength / width);
  return new Type(copied(bytes), 0, bytes.byteLength / width);
}

/** Float values of a FLOAT, FLOAT16 or DOUBLE tensor (little-endian raw data). */
export function tensorToFloat32(tensor: OnnxTensor, readExternal?: ExternalDataReader): Float32Array {
  const count = dimsOf(tensor).reduce((a, b) => a * b, 1);
  const raw = rawBytes(tensor, readExternal);
  let values: Float32Array;
  switch (tensor.data_type) {
    case ONNX_DTYPE.FLOAT:
      values = raw ? view(raw, Float32Array) : Float32Array.from(tensor.float_data ?? []);
      break;
    case ONNX_DTYPE.FLOAT16: {
      // Without raw data, FLOAT16 values sit in int32_data, one per entry.
      const halves = raw ? view(raw, Uint16Array) : Uint16Array.from(tensor.int32_data ?? []);
      values = halvesToFloats(halves);
      break;
    }
    case ONNX_DTYPE.DOUBLE:
      values = Float32Array.from(raw ? view(raw, Float64Array) : tensor.double_data ?? []);
      break;
    default:
      return unsupported(tensor, `data type ${tensor.data_type} is not a float type; weights must be FLOAT, FLOAT16 or DOUBLE.`);
  }
  if (values.length !== count) unsupported(tensor, `holds ${values.length} values but its dims [${dimsOf(tensor).join(', ')}] need ${count}.`);
  return values;
}

/** Integer values of an INT64 or INT32 tensor (shapes for Reshape). */
export function tensorToIntegers(tensor: OnnxTensor): number[] {
  const raw = rawBytes(tensor);
  if (tensor.data_type === ONNX_DTYPE.INT64) {
    if (raw) return Array.from(view(raw, BigInt64Array), Number);
    return (tensor.int64_data ?? []).map(toNumber);
  }
  if (tensor.data_type === ONNX_DTYPE.INT32) {
    if (raw) return Array.from(view(raw, Int32Array));
    return tensor.int32_data ?? [];
  }
  return unsupported(tensor, `data type ${tensor.data_type} is not an integer type.`);
}
