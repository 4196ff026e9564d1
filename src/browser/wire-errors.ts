// Errors crossing the worker boundary keep what callers branch on: AlexNetError with its code, and
// AbortError. Comlink's own handler would turn both into a plain Error.
import { transferHandlers, type TransferHandler } from 'comlink';
import { AlexNetError, type AlexNetErrorCode } from '../errors.js';

interface WireError {
  isError: boolean;
  value: unknown;
}

/** An error as plain data that survives structured cloning. */
export interface ErrorDescription {
  name: string;
  message: string;
  stack?: string;
  code?: AlexNetErrorCode;
}

function isError(value: unknown): value is Error {
  return value instanceof Error || (typeof DOMException !== 'undefined' && value instanceof DOMException);
}

export function describeError(value: unknown): ErrorDescription | undefined {
  if (!isError(value)) return undefined;
  const code = value instanceof AlexNetError ? value.code : undefined;
  return { name: value.name, message: value.message, stack: value.stack, code };
}

export function reviveError({ name, message, stack, code }: ErrorDescription): Error {
  if (code) return Object.assign(new AlexNetError(code, message), { stack });
  if (name === 'AbortError') return new DOMException(message, 'AbortError');
  return Object.assign(new Error(message), { name, stack });
}

function toWire(value: unknown): WireError {
  const description = describeError(value);
  return description ? { isError: true, value: description } : { isError: false, value };
}

function fromWire({ isError, value }: WireError): never {
  throw isError ? reviveError(value as ErrorDescription) : value;
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
