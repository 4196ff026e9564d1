// The shadow DOM of <alexnet-classifier>: markup and styles. Every piece is a ::part() and colours,
// radius and font are CSS custom properties, so pages restyle it without reaching inside.
import STYLES from './styles.css?raw';

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
