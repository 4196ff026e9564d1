// What classify() takes, one type on every platform, so the same code type-checks for browsers and
// Node under any moduleResolution. Page-only sources resolve to `never` where TypeScript's DOM
// library is not loaded, so a Node project needs no DOM types.
import type { RgbaImage } from './rgba-image.js';

/** The instance type of the global class `Name` where the running TypeScript project declares it, else never. */
type Global<Name extends string> = typeof globalThis extends { [K in Name]: { prototype: infer T } } ? T : never;

/** Images, canvases, video and bitmaps of a page or worker: browsers only. */
export type PageImageSource =
  | Global<'HTMLImageElement'>
  | Global<'SVGImageElement'>
  | Global<'HTMLVideoElement'>
  | Global<'HTMLCanvasElement'>
  | Global<'OffscreenCanvas'>
  | Global<'ImageBitmap'>
  | Global<'ImageData'>
  | Global<'VideoFrame'>;

/**
 * An image to classify: a path (Node) or URL (http(s) anywhere, file: in Node, relative to the page in
 * browsers), PNG/JPEG bytes or a Blob of them, decoded RGBA pixels, or a page image source (browsers).
 */
export type ImageInput = string | URL | Uint8Array | ArrayBuffer | Global<'Blob'> | RgbaImage | PageImageSource;
