// `import 'alexnet-web/element'` registers <alexnet-classifier>; importing twice is harmless.
// defineAlexNetClassifier('my-name') registers the same element under another name.
import { AlexNetClassifierElement } from './classifier-element.js';

let baseClassDefined = false;

/** Registers the element under `name`; where there is no DOM (server-side rendering) it defines nothing. */
export function defineAlexNetClassifier(name = 'alexnet-classifier'): CustomElementConstructor {
  if (typeof customElements === 'undefined') return AlexNetClassifierElement;
  const existing = customElements.get(name);
  if (existing) return existing;
  // One class can back one name only: other names get their own subclass.
  const element = baseClassDefined ? class extends AlexNetClassifierElement {} : AlexNetClassifierElement;
  customElements.define(name, element);
  baseClassDefined = true;
  return element;
}

if (typeof customElements !== 'undefined') defineAlexNetClassifier();

export { AlexNetClassifierElement };
export type { AlexNetClassifierAttributes, AlexNetClassifierEventMap, ErrorDetail, ReadyDetail, ResultDetail } from './element-types.js';
