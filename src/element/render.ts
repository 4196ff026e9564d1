// What <alexnet-classifier> draws in its shadow root (template.ts holds the markup): the image, the
// loading bar, the labels with score bars, and the line saying where the classifier runs.
import type { BrowserClassifier, BrowserImageInput, Classification, LoadProgress } from '../browser/index.js';

function percent(score: number): string {
  return `${(score * 100).toFixed(score >= 0.995 || score < 0.0005 ? 0 : 1)}%`;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** Where a classifier computes, for the status line: "wasm · int8 · 2 threads", "wasm · f32 · 1 thread", "webgpu". */
export function placementLine(classifier: BrowserClassifier): string {
  if (classifier.backend !== 'wasm') return classifier.backend;
  return `wasm · ${classifier.arithmetic} · ${classifier.threads} ${classifier.threads === 1 ? 'thread' : 'threads'}`;
}

/** The loading bar and its text for `p`. */
export function renderProgress(bar: { progress: HTMLElement; fill: HTMLElement; text: HTMLElement }, p: LoadProgress): void {
  const share = p.totalBytes ? Math.min(100, (100 * p.loadedBytes) / p.totalBytes) : undefined;
  bar.fill.style.width = `${share ?? 0}%`;
  if (share === undefined) bar.progress.removeAttribute('aria-valuenow');
  else bar.progress.setAttribute('aria-valuenow', share.toFixed(0));
  bar.text.textContent = p.totalBytes ? `Loading the model: ${megabytes(p.loadedBytes)} of ${megabytes(p.totalBytes)} (${share!.toFixed(0)}%)` : `Loading the model: ${megabytes(p.loadedBytes)}`;
}

/** Shows `image` where it has a URL (or is a Blob: then a new object URL, returned for the caller to revoke). */
export function renderImage(img: HTMLImageElement, image: BrowserImageInput): string | undefined {
  let url: string | undefined;
  let objectUrl: string | undefined;
  if (typeof image === 'string' || image instanceof URL) url = String(image);
  else if (image instanceof Blob) url = objectUrl = URL.createObjectURL(image);
  else if (image instanceof HTMLImageElement) url = image.currentSrc || image.src;
  img.hidden = !url;
  if (url) {
    img.src = url;
    img.alt = image instanceof File ? image.name : 'The image being classified';
  }
  return objectUrl;
}

/** One row per class: label, score bar, percentage. */
export function renderResults(list: HTMLElement, results: Classification[]): void {
  list.replaceChildren(...results.map((result) => {
    const row = document.createElement('li');
    row.className = 'result';
    row.setAttribute('part', 'result');
    const label = document.createElement('span');
    label.setAttribute('part', 'label');
    label.textContent = result.label;
    const track = document.createElement('span');
    track.className = 'track';
    track.setAttribute('part', 'bar');
    const fill = document.createElement('span');
    fill.className = 'fill';
    fill.setAttribute('part', 'bar-fill');
    fill.style.display = 'block';
    fill.style.width = `${Math.max(0, Math.min(100, result.score * 100))}%`;
    track.append(fill);
    const score = document.createElement('span');
    score.className = 'score';
    score.setAttribute('part', 'score');
    score.textContent = percent(result.score);
    row.append(label, track, score);
    row.setAttribute('aria-label', `${result.label}: ${percent(result.score)}`);
    return row;
  }));
}
