// The SDK API in a page: load with progress, pick a backend, classify a chosen file, show timings.
// In your app: import { createClassifier } from 'alexnet-web';
import { createClassifier } from '../../dist/browser.js';

const $ = (id) => document.getElementById(id);
let classifier;

async function load(backend) {
  classifier?.dispose();
  classifier = undefined;
  $('error').textContent = '';
  const started = performance.now();
  try {
    classifier = await createClassifier({
      backend,
      onProgress: ({ loadedBytes, totalBytes, phase }) => {
        $('progress').value = totalBytes ? loadedBytes / totalBytes : 0;
        $('progress-text').textContent = `${phase}: ${(loadedBytes / 1e6).toFixed(1)} MB${totalBytes ? ` of ${(totalBytes / 1e6).toFixed(1)} MB` : ''}`;
      },
    });
  } catch (error) {
    $('error').textContent = `${error.code ?? error.name}: ${error.message}`;
    return;
  }
  $('progress-text').textContent = `Loaded in ${(performance.now() - started).toFixed(0)} ms`;
  $('backend-info').textContent = `Backend: ${classifier.backend} (${classifier.backendReason.join('; ')})`;
  await classify(new URL('../images/sandal.png', location.href).href);
}

async function classify(image) {
  if (!classifier) return;
  $('preview').src = typeof image === 'string' ? image : URL.createObjectURL(image);
  $('preview').hidden = false;
  $('error').textContent = '';
  try {
    const started = performance.now();
    const top = await classifier.classify(image, { topK: 5 });
    $('timing').textContent = `classify: ${(performance.now() - started).toFixed(1)} ms on ${classifier.backend}`;
    $('results').replaceChildren(...top.map(({ label, score }) => Object.assign(document.createElement('li'), { textContent: `${label}: ${(score * 100).toFixed(1)}%` })));
  } catch (error) {
    $('error').textContent = `${error.code ?? error.name}: ${error.message}`;
  }
}

$('backend').addEventListener('change', (event) => load(event.target.value));
$('file').addEventListener('change', (event) => event.target.files[0] && classify(event.target.files[0]));
load($('backend').value);
