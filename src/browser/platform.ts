// How the classifier reads weights and images in a browser (page or worker).
import type { Platform } from '../classifier/platform.js';
import type { OpenedWeights } from '../io/opened-weights.js';
import { AlexNetError } from '../errors.js';
import { DEMO_MODEL_URL } from '../io/demo-model.js';
import { openPortableSource, type PortableByteSource } from '../io/open-bytes.js';
import { decodeBrowserImage, type BrowserImageInput } from './decode-image.js';
import { absoluteUrl } from './page-url.js';
import { cacheAvailable } from '../io/clear-weights-cache.js';
import { openCachedWeights } from './weights-cache.js';

/** A URL (relative to the page), a Response, a stream, a Blob or the bytes of a weights file. */
export type BrowserWeightsSource = PortableByteSource;


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

