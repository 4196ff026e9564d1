// The page: waits until the service worker controls it (so everything it loads is kept for offline use),
// asks it which weights file this version of the app uses, and hands that to the element.
// alexnet-web/ is the package's dist/ folder and models/ its models/, copied into the app (README.md;
// npm start serves them there); with a bundler: import 'alexnet-web/element'.
import './alexnet-web/element.js';

const status = document.getElementById('status');

/** Resolves true once the service worker controls this page, false if it cannot (the app then runs online only). */
async function controlled() {
  const registering = navigator.serviceWorker.register('./sw.js');
  // Already installed: the update check runs in the background and fails quietly offline.
  if (navigator.serviceWorker.controller) {
    registering.catch(() => undefined);
    return true;
  }
  const takenOver = new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', () => resolve(true), { once: true }));
  await registering;
  // First visit: the worker claims this page once it has cached everything. After a hard reload it is
  // active already but does not control the page: ask it to.
  const ready = navigator.serviceWorker.ready.then((registration) => registration.active?.postMessage('claim'));
  const gaveUp = new Promise((resolve) => setTimeout(() => resolve(false), 30_000));
  return Promise.race([takenOver, ready.then(() => takenOver), gaveUp]);
}

async function start() {
  if (!('serviceWorker' in navigator)) {
    status.textContent = 'This browser has no service workers: the app works, but not offline.';
  } else {
    if (!(await controlled())) status.textContent = 'Offline use could not be set up (the service worker did not install); online only.';
    // A new version (new weights) took over: start again on it.
    navigator.serviceWorker.addEventListener('controllerchange', () => location.reload());
  }
  const config = navigator.serviceWorker?.controller
    ? await (await fetch('./config.json')).json()
    : { version: 'online', weights: new URL('./models/fashion-alexnet-mini.safetensors', location.href).href };
  // Made only now, so it loads this version's weights and nothing else.
  const element = document.createElement('alexnet-classifier');
  element.setAttribute('weights', config.weights);
  // The service worker keeps the weights: no second copy in alexnet-web's own cache.
  element.setAttribute('no-cache', '');
  element.setAttribute('top-k', '3');
  element.setAttribute('src', './t-shirt-top.png');
  status.after(element);
  status.textContent = `Version ${config.version}${navigator.onLine ? '' : ' (offline)'}. Drop, paste or choose a picture of clothing.`;
}

start().catch((error) => {
  status.textContent = `Could not start: ${error.message}`;
});
