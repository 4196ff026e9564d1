// <alexnet-classifier>: shows an image and its top-k labels with score bars, the backend and the time
// taken; takes new images by drop, paste or file picker. Loads the bundled demo model unless `weights`
// names another file; elements with the same weights share one classifier (shared-classifiers.ts).
import type { BackendChange, BrowserClassifier, BrowserImageInput, Classification, LoadProgress } from '../browser/index.js';
import { AlexNetError } from '../errors.js';
import type { AlexNetClassifierEventMap, BackendAttribute, ErrorDetail, ReadyDetail, ResultDetail } from './element-types.js';
import { acceptImages } from './image-intake.js';
import { placementLine, renderImage, renderProgress, renderResults } from './render.js';
import { acquireClassifier, type SharedClassifier } from './shared-classifiers.js';
import { fillShadow } from './template.js';

const DEMO_MODEL_NOTE = 'Demo model: 10 clothing classes (Fashion-MNIST)';

/** Attributes that choose the classifier: changing one loads another. */
const MODEL_ATTRIBUTES = ['weights', 'backend', 'arithmetic', 'integrity', 'no-worker', 'no-cache'];

/** Errors after which this classifier cannot serve again. */
const BROKEN_CODES = new Set(['BACKEND_FAILED', 'DISPOSED']);

// Server-side rendering imports this module where no DOM exists: a stand-in base class keeps the
// import from throwing (nothing is defined there; see index.ts).
const ElementBase: typeof HTMLElement = typeof HTMLElement === 'function' ? HTMLElement : (class {} as typeof HTMLElement);

export interface AlexNetClassifierElement {
  addEventListener<K extends keyof AlexNetClassifierEventMap>(type: K, listener: (this: AlexNetClassifierElement, event: AlexNetClassifierEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof AlexNetClassifierEventMap>(type: K, listener: (this: AlexNetClassifierElement, event: AlexNetClassifierEventMap[K]) => unknown, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
}

export class AlexNetClassifierElement extends ElementBase {
  static observedAttributes = ['src', 'top-k', ...MODEL_ATTRIBUTES];

  private readonly root: ShadowRoot;
  private shared: SharedClassifier | undefined;
  /** Counts classify calls: only the latest one renders. */
  private generation = 0;
  private lastImage: BrowserImageInput | undefined;
  private objectUrl: string | undefined;
  private loaded: BrowserClassifier | undefined;
  /** connectedCallback has run: attribute changes before it only set up the first load. */
  private started = false;
  private reloadScheduled = false;

  constructor() {
    super();
    this.root = this.attachShadow({ mode: 'open' });
    fillShadow(this.root);
    const img = this.shadowPart('image') as HTMLImageElement;
    img.addEventListener('load', () => img.classList.toggle('small', img.naturalWidth < 100));
    acceptImages(this, this.shadowPart('drop-zone'), this.root.querySelector('input')!, (file) => void this.classifyAndShow(file));
  }

  /** The image URL to classify. */
  get src(): string {
    return this.getAttribute('src') ?? '';
  }
  set src(value: string) {
    this.setAttribute('src', value);
  }

  /** URL of the weights file; the bundled demo model when empty. */
  get weights(): string {
    return this.getAttribute('weights') ?? '';
  }
  set weights(value: string) {
    this.setAttribute('weights', value);
  }

  get backend(): BackendAttribute {
    const value = this.getAttribute('backend');
    return value === 'wasm' || value === 'webgpu' ? value : 'auto';
  }
  set backend(value: BackendAttribute) {
    this.setAttribute('backend', value);
  }

  /** How int8 weights multiply on wasm: 'int8' (8-bit integers, the default) or 'f32' (widened to floats). */
  get arithmetic(): 'int8' | 'f32' {
    return this.getAttribute('arithmetic') === 'f32' ? 'f32' : 'int8';
  }
  set arithmetic(value: 'int8' | 'f32') {
    this.setAttribute('arithmetic', value);
  }

  /** How many labels to show (default 5). */
  get topK(): number {
    const value = Number(this.getAttribute('top-k'));
    return Number.isInteger(value) && value >= 1 ? value : 5;
  }
  set topK(value: number) {
    this.setAttribute('top-k', String(value));
  }

  /** Subresource Integrity of the weights file ("sha256-..."). */
  get integrity(): string {
    return this.getAttribute('integrity') ?? '';
  }
  set integrity(value: string) {
    this.setAttribute('integrity', value);
  }

  /** Do not keep the weights in alexnet-web's Cache API store (an app whose service worker caches them). */
  get noCache(): boolean {
    return this.hasAttribute('no-cache');
  }
  set noCache(value: boolean) {
    this.toggleAttribute('no-cache', value);
  }

  /** Run on the page's thread instead of a worker. */
  get noWorker(): boolean {
    return this.hasAttribute('no-worker');
  }
  set noWorker(value: boolean) {
    this.toggleAttribute('no-worker', value);
  }

  /** The SDK classifier once the model is loaded (shared with other elements using the same weights). */
  get classifier(): BrowserClassifier | undefined {
    return this.loaded;
  }

  connectedCallback(): void {
    this.started = true;
    if (!this.shared) this.load();
    if (this.src && this.lastImage === undefined) void this.classifyAndShow(this.src);
  }

  disconnectedCallback(): void {
    // Moving the element in the page disconnects and connects it at once: keep the model then.
    queueMicrotask(() => {
      if (this.isConnected) return;
      this.unload();
      if (this.objectUrl) URL.revokeObjectURL(this.objectUrl);
      this.objectUrl = undefined;
    });
  }

  attributeChangedCallback(name: string, previous: string | null, value: string | null): void {
    if (previous === value || !this.started || !this.isConnected) return;
    if (MODEL_ATTRIBUTES.includes(name)) {
      this.scheduleReload();
    } else if (name === 'src' && value) {
      void this.classifyAndShow(value);
    } else if (name === 'top-k' && this.lastImage !== undefined) {
      void this.classifyAndShow(this.lastImage);
    }
  }

  /** Classifies any image the SDK takes, shows it and its labels; rejects (and shows the error) on failure. */
  async classify(image: BrowserImageInput): Promise<Classification[]> {
    const generation = ++this.generation;
    this.lastImage = image;
    this.showImage(image);
    this.showError(undefined);
    this.shadowPart('status').textContent = 'Classifying…';
    try {
      if (!this.shared) this.load();
      const classifier = await this.shared!.classifier;
      const started = performance.now();
      const results = await classifier.classify(image, { topK: this.topK });
      const ms = performance.now() - started;
      if (generation === this.generation) {
        this.showResults(results, placementLine(classifier), ms);
        this.emit<ResultDetail>('result', { results, model: classifier.metadata.name, backend: classifier.backend, threads: classifier.threads, ms });
      }
      return results;
    } catch (error) {
      if (error instanceof AlexNetError && BROKEN_CODES.has(error.code) && this.shared) {
        // The next image gets a new classifier.
        this.shared.evict();
        this.unload();
      }
      if (generation === this.generation) this.fail(error);
      throw error;
    }
  }

  // Several attributes set in a row load one model, once.
  private scheduleReload(): void {
    if (this.reloadScheduled) return;
    this.reloadScheduled = true;
    queueMicrotask(() => {
      this.reloadScheduled = false;
      this.unload();
      this.load();
      if (this.lastImage !== undefined) void this.classifyAndShow(this.lastImage);
    });
  }

  private classifyAndShow(image: BrowserImageInput): Promise<void> {
    // The error is already shown and sent as an event.
    return this.classify(image).then(() => undefined, () => undefined);
  }

  private load(): void {
    const progress = this.shadowPart('progress');
    const fill = this.shadowPart('progress-bar');
    const text = this.shadowPart('progress-text');
    progress.hidden = false;
    text.textContent = 'Loading the model…';
    const shared = acquireClassifier(
      {
        weights: this.weights || undefined, backend: this.backend, arithmetic: this.arithmetic, integrity: this.integrity || undefined,
        worker: !this.noWorker, cache: !this.noCache,
      },
      (p: LoadProgress) => {
        if (this.shared !== shared) return;
        renderProgress({ progress, fill, text }, p);
        this.emit<LoadProgress>('progress', p);
      },
    );
    this.shared = shared;
    shared.classifier.then((classifier) => {
      if (this.shared !== shared) return;
      this.loaded = classifier;
      classifier.addEventListener('backendchange', this.forwardBackendChange);
      progress.hidden = true;
      this.shadowPart('status').textContent ||= `Ready on ${placementLine(classifier)}.`;
      // The demo model knows 10 clothing classes: say so, or a photo of a circuit board reads as "Bag".
      const note = this.shadowPart('note');
      note.hidden = Boolean(this.weights);
      note.textContent = this.weights ? '' : DEMO_MODEL_NOTE;
      const { backend, backendReason: reason, threads, arithmetic } = classifier;
      this.emit<ReadyDetail>('ready', { backend, reason, threads, arithmetic });
    }, (error) => {
      if (this.shared !== shared) return;
      progress.hidden = true;
      // The next classify loads again.
      this.unload();
      // classify() reports its own failure; a load nobody waits on reports here.
      if (this.lastImage === undefined) this.fail(error);
    });
  }

  /** A lost GPU or a dead helper thread moved the classifier: the page hears it from the element. */
  private readonly forwardBackendChange = (event: CustomEvent<BackendChange>): void => {
    if (event.detail) this.emit<BackendChange>('backendchange', event.detail);
  };

  private unload(): void {
    this.loaded?.removeEventListener('backendchange', this.forwardBackendChange);
    this.shared?.release();
    this.shared = undefined;
    this.loaded = undefined;
  }

  private shadowPart(name: string): HTMLElement {
    return this.root.querySelector(`[part~="${name}"]`)!;
  }

  private emit<T>(type: string, detail: T): void {
    this.dispatchEvent(new CustomEvent<T>(type, { detail, bubbles: true, composed: true }));
  }

  private showImage(image: BrowserImageInput): void {
    if (this.objectUrl) URL.revokeObjectURL(this.objectUrl);
    this.objectUrl = renderImage(this.shadowPart('image') as HTMLImageElement, image);
  }

  private showResults(results: Classification[], placement: string, ms: number): void {
    renderResults(this.shadowPart('results'), results);
    this.shadowPart('status').textContent = `${placement} · ${ms.toFixed(0)} ms`;
  }

  private showError(message: string | undefined): void {
    const error = this.shadowPart('error');
    error.hidden = message === undefined;
    error.textContent = message ?? '';
  }

  private fail(error: unknown): void {
    // Every message carries a code: an abort is ABORTED, anything unforeseen BACKEND_FAILED (the next call loads again).
    const code = error instanceof AlexNetError ? error.code : (error as Error)?.name === 'AbortError' ? 'ABORTED' : 'BACKEND_FAILED';
    const message = (error as Error)?.message ?? String(error);
    this.shadowPart('status').textContent = '';
    this.shadowPart('results').replaceChildren();
    this.showError(`${code}: ${message}`);
    this.emit<ErrorDetail>('error', { error, code, message });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'alexnet-classifier': AlexNetClassifierElement;
  }
}
