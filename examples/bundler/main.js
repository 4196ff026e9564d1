// Both ways in, from the npm package: Vite emits the worker, the wasm and the demo model as assets.
import { createClassifier } from 'alexnet-web';
import 'alexnet-web/element';
import sneaker from './sneaker.png';

document.getElementById('element').setAttribute('src', sneaker);

const classifier = await createClassifier();
const [best] = await classifier.classify(sneaker);
document.getElementById('api').textContent = `${best.label} (${(best.score * 100).toFixed(1)}%) on ${classifier.backend}`;
document.body.dataset.apiResult = best.label;
