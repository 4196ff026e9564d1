// Browser image decoding: the browser decodes (createImageBitmap), a canvas hands us the RGBA pixels,
// and our own preprocessing (shared with Node) does the rest, so both give the same tensor.
import { AlexNetError } from '../errors.js';
import type { ImageInput } from '../image/image-input.js';
import { checkRgbaImage, DEFAULT_MAX_IMAGE_PIXELS, isRgbaImage, type RgbaImage } from '../image/rgba-image.js';

/** What classify() takes in browsers: every ImageInput. Strings and URLs are fetched (relative to the page). */
export type BrowserImageInput = ImageInput;

/** Encoded bytes become a Blob the browser decodes; anything else stays as it is. */
export function bytesAsBlob<T>(image: T): T | Blob {
  return image instanceof Uint8Array || image instanceof ArrayBuffer ? new Blob([image as BlobPart]) : image;
}

export const SUPPORTED_IMAGES = 'pass an <img>, <canvas>, <video>, OffscreenCanvas, ImageBitmap, ImageData, VideoFrame, Blob, PNG/JPEG bytes, URL or {data, width, height} RGBA';

// Pixels exactly as stored: no colour management and no premultiplied alpha, as pngjs/jpeg-js give in Node.
const BITMAP_OPTIONS: ImageBitmapOptions = { premultiplyAlpha: 'none', colorSpaceConversion: 'none' };

function invalid(message: string, cause?: unknown): AlexNetError {
  return new AlexNetError('IMAGE_INVALID', message, { cause });
}

function typeName(image: unknown): string {
  return Object.prototype.toString.call(image).slice(8, -1);
}

function isInstance<T>(image: unknown, name: string): image is T {
  const type = (globalThis as Record<string, unknown>)[name];
  return typeof type === 'function' && image instanceof (type as new () => T);
}

/** Elements and frames that createImageBitmap reads but a worker cannot receive. */
export function isDrawable(image: unknown): image is ImageBitmapSource {
  return ['HTMLImageElement', 'SVGImageElement', 'HTMLVideoElement', 'HTMLCanvasElement', 'OffscreenCanvas', 'VideoFrame']
    .some((name) => isInstance(image, name));
}

/** A bitmap of any drawable source; waits for <img> elements that are still loading. */
export async function toImageBitmap(image: ImageBitmapSource | Blob): Promise<ImageBitmap> {
  if (isInstance<HTMLImageElement>(image, 'HTMLImageElement') && !image.complete) {
    await image.decode().catch((error) => {
      throw invalid(`The <img> at ${image.currentSrc || image.src || '(no src)'} could not be loaded or decoded.`, error);
    });
  }
  const size = drawableSize(image);
  if (size && (size.width === 0 || size.height === 0)) throw invalid(`The ${typeName(image)} is ${size.width}x${size.height}; it needs at least one pixel.`);
  try {
    return await createImageBitmap(image, BITMAP_OPTIONS);
  } catch (error) {
    const what = image instanceof Blob ? `the ${image.type || 'untyped'} Blob of ${image.size} bytes` : `the ${typeName(image)}`;
    throw invalid(`Could not decode ${what}: ${(error as Error).message}. Is it a complete image in a format this browser reads?`, error);
  }
}

function drawableSize(image: unknown): { width: number; height: number } | undefined {
  if (isInstance<HTMLImageElement>(image, 'HTMLImageElement')) return { width: image.naturalWidth, height: image.naturalHeight };
  if (isInstance<HTMLVideoElement>(image, 'HTMLVideoElement')) return { width: image.videoWidth, height: image.videoHeight };
  if (isInstance<VideoFrame>(image, 'VideoFrame')) return { width: image.displayWidth, height: image.displayHeight };
  if (isInstance<HTMLCanvasElement>(image, 'HTMLCanvasElement') || isInstance<OffscreenCanvas>(image, 'OffscreenCanvas') || isInstance<ImageBitmap>(image, 'ImageBitmap')) {
    return { width: (image as ImageBitmap).width, height: (image as ImageBitmap).height };
  }
  return undefined;
}

/** The RGBA pixels of a bitmap, read back through a 2D canvas (OffscreenCanvas in workers). */
export function bitmapPixels(bitmap: ImageBitmap, maxPixels = DEFAULT_MAX_IMAGE_PIXELS): RgbaImage {
  const { width, height } = bitmap;
  if (width === 0 || height === 0) throw invalid(`The ImageBitmap is ${width}x${height}; it needs at least one pixel.`);
  if (width * height > maxPixels) throw invalid(`The image is ${width}x${height} pixels; the limit is ${maxPixels} pixels (the maxImagePixels option).`);
  const canvas = typeof OffscreenCanvas === 'function' ? new OffscreenCanvas(width, height) : Object.assign(document.createElement('canvas'), { width, height });
  const context = canvas.getContext('2d', { willReadFrequently: true }) as OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D | null;
  if (!context) throw invalid('This browser gives no 2D canvas to read image pixels from.');
  context.drawImage(bitmap, 0, 0);
  const { data } = context.getImageData(0, 0, width, height);
  return { data, width, height };
}

async function fetchImage(url: string, signal?: AbortSignal): Promise<Blob> {
  let response: Response;
  try {
    response = await fetch(url, { signal });
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw invalid(`Could not fetch the image ${url}: ${(error as Error).message}.`, error);
  }
  if (!response.ok) throw invalid(`Fetching the image ${url} failed with HTTP ${response.status} ${response.statusText}.`);
  return response.blob();
}

/** Any supported image -> RGBA pixels; IMAGE_INVALID for empty, undecodable or unsupported input. */
export async function decodeBrowserImage(input: BrowserImageInput, signal?: AbortSignal, maxPixels = DEFAULT_MAX_IMAGE_PIXELS): Promise<RgbaImage> {
  let image = bytesAsBlob(input);
  if (isInstance<ImageData>(image, 'ImageData') || isRgbaImage(image)) {
    checkRgbaImage(image);
    return image;
  }
  if (typeof image === 'string' || image instanceof URL) image = await fetchImage(String(image), signal);
  if (isInstance<ImageBitmap>(image, 'ImageBitmap')) return bitmapPixels(image, maxPixels);
  if (image instanceof Blob || isDrawable(image)) {
    const bitmap = await toImageBitmap(image);
    try {
      return bitmapPixels(bitmap, maxPixels);
    } finally {
      bitmap.close();
    }
  }
  throw invalid(`Unsupported image type ${typeName(image)}; ${SUPPORTED_IMAGES}.`);
}
