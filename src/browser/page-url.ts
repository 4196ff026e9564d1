// URLs the page hands over, made absolute against the page (in a worker, `location` is the worker's script).
import { AlexNetError } from '../errors.js';

export function absoluteUrl(source: unknown): string | undefined {
  if (source instanceof URL) return source.href;
  if (typeof source !== 'string') return undefined;
  // Relative to the page: in a worker, location is the worker script, so the page resolves first.
  const base = typeof document !== 'undefined' ? document.baseURI : globalThis.location?.href;
  try {
    return new URL(source, base).href;
  } catch {
    throw new AlexNetError('INVALID_ARGUMENT', `${JSON.stringify(source)} is not a URL.`);
  }
}
