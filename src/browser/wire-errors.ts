// Errors crossing the worker boundary keep what callers branch on: AlexNetError with its code, and
// AbortError. Comlink's own handler would turn both into a plain Error.
import { transferHandlers, type TransferHandler } from 'comlink';
import { AlexNetError, type AlexNetErrorCode } from '../errors.js';

interface WireError {
  isError: boolean;
  value: unknown;
}

function toWire(value: unknown): WireError {
  if (!(value instanceof Error) && !(typeof DOMException !== 'undefined' && value instanceof DOMException)) return { isError: false, value };
  const error = value as Error & { code?: unknown };
  const code = value instanceof AlexNetError ? value.code : undefined;
  return { isError: true, value: { name: error.name, message: error.message, stack: error.stack, code } };
}

function fromWire({ isError, value }: WireError): never {
  if (!isError) throw value;
  const { name, message, stack, code } = value as { name: string; message: string; stack?: string; code?: AlexNetErrorCode };
  if (code) throw Object.assign(new AlexNetError(code, message), { stack });
  if (name === 'AbortError') throw new DOMException(message, 'AbortError');
  throw Object.assign(new Error(message), { name, stack });
}

/** Replaces Comlink's handler for thrown values; both sides of the worker call this. */
export function installErrorTransfer(): void {
  const original = transferHandlers.get('throw')!;
  const handler: TransferHandler<{ value: unknown }, WireError> = {
    canHandle: original.canHandle as (value: unknown) => value is { value: unknown },
    serialize: ({ value }) => [toWire(value), []],
    deserialize: fromWire,
  };
  transferHandlers.set('throw', handler as TransferHandler<unknown, unknown>);
}
