// The shadow DOM of <alexnet-classifier>: markup and styles. Every piece is a ::part() and colours,
// radius and font are CSS custom properties, so pages restyle it without reaching inside.

const STYLES = `
:host {
  --alexnet-accent: #2563eb;
  --alexnet-background: #ffffff;
  --alexnet-foreground: #1f2937;
  --alexnet-muted: #6b7280;
  --alexnet-track: #e5e7eb;
  --alexnet-error: #b91c1c;
  --alexnet-radius: 8px;
  --alexnet-font: system-ui, sans-serif;
  display: block;
  max-width: 28rem;
  color-scheme: light dark;
  font-family: var(--alexnet-font);
  color: var(--alexnet-foreground);
}
@media (prefers-color-scheme: dark) {
  :host {
    --alexnet-accent: #60a5fa;
    --alexnet-background: #111827;
    --alexnet-foreground: #f3f4f6;
    --alexnet-muted: #9ca3af;
    --alexnet-track: #374151;
    --alexnet-error: #f87171;
  }
}
:host([hidden]) { display: none; }
.container {
  background: var(--alexnet-background);
  border: 1px solid var(--alexnet-track);
  border-radius: var(--alexnet-radius);
  padding: 12px;
}
.drop {
  display: grid;
  place-items: center;
  gap: 8px;
  min-height: 8rem;
  border: 2px dashed var(--alexnet-track);
  border-radius: var(--alexnet-radius);
  padding: 8px;
  cursor: pointer;
  text-align: center;
}
.drop:focus-visible { outline: 3px solid var(--alexnet-accent); outline-offset: 2px; }
.drop.dragging { border-color: var(--alexnet-accent); }
img { height: 10rem; max-width: 100%; object-fit: contain; border-radius: calc(var(--alexnet-radius) / 2); }
/* Small pictures (28x28 Fashion-MNIST) enlarge without blur. */
img.small { image-rendering: pixelated; }
.hint { color: var(--alexnet-muted); font-size: 0.9rem; }
.browse { color: var(--alexnet-accent); text-decoration: underline; }
.progress { margin-top: 10px; }
.track { height: 8px; background: var(--alexnet-track); border-radius: 4px; overflow: hidden; }
.fill { height: 100%; width: 0; background: var(--alexnet-accent); transition: width 0.1s linear; }
.progress-text, .status { font-size: 0.85rem; color: var(--alexnet-muted); margin: 6px 0 0; }
.results { list-style: none; margin: 10px 0 0; padding: 0; display: grid; gap: 6px; }
.result { display: grid; grid-template-columns: minmax(6rem, 1fr) 2fr 4rem; align-items: center; gap: 8px; font-size: 0.95rem; }
.result .track { height: 10px; }
.score { text-align: right; font-variant-numeric: tabular-nums; }
.error { color: var(--alexnet-error); margin: 10px 0 0; font-size: 0.9rem; }
[hidden] { display: none !important; }
`;

const MARKUP = `
<div class="container" part="container">
  <div class="drop" part="drop-zone" tabindex="0" role="button" aria-label="Choose, drop or paste an image to classify">
    <img part="image" alt="" hidden>
    <span class="hint" part="hint">Drop an image here, paste one, or <span class="browse" part="browse">choose a file</span></span>
    <input type="file" accept="image/*" hidden>
  </div>
  <div class="progress" part="progress" role="progressbar" aria-label="Loading the model" aria-valuemin="0" aria-valuemax="100" hidden>
    <div class="track"><div class="fill" part="progress-bar"></div></div>
    <p class="progress-text" part="progress-text"></p>
  </div>
  <ol class="results" part="results" aria-label="Classification" aria-live="polite"></ol>
  <p class="status" part="status"></p>
  <p class="status" part="note" hidden></p>
  <p class="error" part="error" role="alert" hidden></p>
</div>
`;

let template: HTMLTemplateElement | undefined;
let sheet: CSSStyleSheet | undefined;

/** Fills `root` with the element's markup and styles (one shared stylesheet for every element). */
export function fillShadow(root: ShadowRoot): void {
  if (!template) {
    template = document.createElement('template');
    template.innerHTML = MARKUP;
  }
  root.append(template.content.cloneNode(true));
  // An adopted stylesheet passes a strict style-src; a <style> element is the fallback for old engines.
  if ('adoptedStyleSheets' in root && typeof CSSStyleSheet === 'function' && 'replaceSync' in CSSStyleSheet.prototype) {
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(STYLES);
    }
    root.adoptedStyleSheets = [sheet];
  } else {
    const style = document.createElement('style');
    style.textContent = STYLES;
    root.prepend(style);
  }
}
