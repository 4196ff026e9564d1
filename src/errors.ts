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
