// <alexnet-classifier> in React 19's JSX: `import type {} from 'alexnet-web/react';` once in the app.
import type { DetailedHTMLProps, HTMLAttributes } from 'react';
import type { AlexNetClassifierAttributes, AlexNetClassifierElement } from '../dist/element.js';

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'alexnet-classifier': DetailedHTMLProps<HTMLAttributes<AlexNetClassifierElement>, AlexNetClassifierElement> & AlexNetClassifierAttributes;
    }
  }
}
