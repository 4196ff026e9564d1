// What a platform (Node, a browser page or worker) gives the classifier: how weights and images are read
// and where helper threads start.
import type { ThreadStarter } from '../backends/wasm/helper-worker.js';
import type { RgbaImage } from '../image/rgba-image.js';
import type { OpenedWeights } from '../io/opened-weights.js';

export type { OpenedWeights } from '../io/opened-weights.js';

export interface Platform<WeightsSource, ImageInput> {
  /** Where the wasm backend's helper threads start; absent: in this context. */
  startThread?: ThreadStarter;
  /** Lines backendReason starts with: where the engine runs and why, when the platform chose it. */
  notes?: readonly string[];
  defaultWeights(): WeightsSource;
  openWeights(source: WeightsSource, signal?: AbortSignal): Promise<OpenedWeights>;
  /** RGBA pixels of `image`; IMAGE_INVALID for one over `maxPixels` (before decoding where the format says its size). */
  decodeImage(image: ImageInput, signal: AbortSignal | undefined, maxPixels: number): Promise<RgbaImage>;
}
