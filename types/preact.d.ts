// <alexnet-classifier> in Preact's JSX: `import type {} from 'alexnet-web/preact';` once in the app.
import type { JSX } from 'preact';
import type { AlexNetClassifierAttributes, AlexNetClassifierElement } from '../dist/element.js';

declare module 'preact' {
  namespace JSX {
    interface IntrinsicElements {
      'alexnet-classifier': JSX.HTMLAttributes<AlexNetClassifierElement> & AlexNetClassifierAttributes;
    }
  }
}
