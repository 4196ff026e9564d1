/** Stable error codes: programs branch on these, people read the message. */
export type AlexNetErrorCode =
  | 'INVALID_ARGUMENT'
  | 'MODEL_INVALID'
  | 'WEIGHTS_TRUNCATED'
  | 'WEIGHTS_CORRUPT'
  | 'WEIGHTS_SHAPE_MISMATCH'
  | 'WEIGHTS_UNSUPPORTED_VERSION'
  | 'WEIGHTS_NOT_FOUND'
  | 'WEIGHTS_DOWNLOAD_FAILED'
  | 'IMAGE_INVALID'
  | 'INPUT_SHAPE_MISMATCH'
  | 'ONNX_INVALID'
  | 'ONNX_UNSUPPORTED'
  | 'BACKEND_UNAVAILABLE'
  | 'WEBGPU_UNAVAILABLE'
  | 'BACKEND_FAILED'
  | 'OUT_OF_MEMORY'
  | 'NUMERIC_ERROR'
  | 'ABORTED'
  | 'DISPOSED';

/** The one error class of alexnet-web: `code` is stable, `message` says what was expected, found, and what to do. */
export class AlexNetError extends Error {
  readonly code: AlexNetErrorCode;

  constructor(code: AlexNetErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AlexNetError';
    this.code = code;
  }
}

export function isAlexNetError(value: unknown): value is AlexNetError {
  return value instanceof AlexNetError;
}

/** Longest piece of an untrusted value an error message quotes. */
const QUOTE_CHARS = 60;

/**
 * An untrusted value for an error message, bounded whatever it is: a short JSON form of a primitive,
 * or what kind of array or object it is (never walked: a file may nest 100,000 deep).
 */
export function describeValue(value: unknown): string {
  if (Array.isArray(value)) return value.length <= 8 && value.every((v) => typeof v === 'number') ? `[${value.join(', ')}]` : `an array of ${value.length} ${value.length === 1 ? 'item' : 'items'}`;
  if (value === null || typeof value !== 'object') {
    const text = typeof value === 'string' ? JSON.stringify(value.slice(0, QUOTE_CHARS)) + (value.length > QUOTE_CHARS ? '…' : '') : String(value);
    return text;
  }
  return 'an object';
}
