// How the classifier reads weights and images in a browser (page or worker).
import { demoModelUrl } from 'alexnet-web:demo-model-url';
import type { OpenedWeights, Platform } from '../classifier.js';
import { AlexNetError } from '../errors.js';
import { openPortableSource, type PortableByteSource } from '../io/open-bytes.js';
import { decodeBrowserImage, type BrowserImageInput } from './decode-image.js';
import { cacheAvailable, openCachedWeights } from './weights-cache.js';

/** A URL (relative to the page), a Response, a stream, a Blob or the bytes of a weights file. */
export type BrowserWeightsSource = PortableByteSource;

/** The bundled demo model (Fashion-MNIST, see models/README.md), used when no weights are given. */
export const DEMO_MODEL_URL: URL = demoModelUrl;

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

/** `cache`: keep downloaded weights in the Cache API; `integrity`: the caller's SRI string. */
export function browserPlatform(options: { cache: boolean; integrity?: string }): Platform<BrowserWeightsSource, BrowserImageInput> {
  return {
    defaultWeights: () => DEMO_MODEL_URL,
    async openWeights(source, signal): Promise<OpenedWeights> {
      const url = absoluteUrl(source);
      const errors = { notFound: 'WEIGHTS_NOT_FOUND', downloadFailed: 'WEIGHTS_DOWNLOAD_FAILED' } as const;
      if (url && !/^https?:/i.test(url)) throw new AlexNetError('INVALID_ARGUMENT', `Browsers load weights over http(s), found ${url}.`);
      if (url && options.cache && cacheAvailable()) return openCachedWeights(url, options.integrity, signal);
      const opened = await openPortableSource(url ?? source, errors, 'the weights', signal);
      if (!opened) {
        throw new AlexNetError('INVALID_ARGUMENT', `Cannot read the weights from ${Object.prototype.toString.call(source)}; pass a URL, a Response, a ReadableStream, a Blob or bytes.`);
      }
      return opened;
    },
    decodeImage: decodeBrowserImage,
  };
}

