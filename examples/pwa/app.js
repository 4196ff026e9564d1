// The page: waits until the service worker controls it (so everything it loads is kept for offline use),
// asks it which weights file this version of the app uses, and hands that to the element.
// alexnet-web/ is the package's dist/ folder and models/ its models/, copied into the app (npm start
// serves them there); with a bundler: import 'alexnet-web/element'.
import './alexnet-web/element.js';

const status = document.getElementById('status');

async function controlled() {
  const registering = navigator.serviceWorker.register('./sw.js');
  // Already installed: the update check runs in the background and fails quietly offline.
  if (navigator.serviceWorker.controller) {
    registering.catch(() => undefined);
    return;
  }
  await registering;
  // First visit: the new worker claims this page once it has cached everything.
  await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
}

async function start() {
  if (!('serviceWorker' in navigator)) {
    status.textContent = 'This browser has no service workers: the app works, but not offline.';
  } else {
    await controlled();
    // A new version (new weights) took over: start again on it.
    navigator.serviceWorker.addEventListener('controllerchange', () => location.reload());
  }
  const config = await (await fetch('./config.json')).json();
  // Made only now, so it loads this version's weights and nothing else.
  const element = document.createElement('alexnet-classifier');
  element.setAttribute('weights', config.weights);
  element.setAttribute('top-k', '3');
  element.setAttribute('src', '../images/t-shirt-top.png');
  status.after(element);
  status.textContent = `Version ${config.version}${navigator.onLine ? '' : ' (offline)'}. Drop, paste or choose a picture of clothing.`;
}

start().catch((error) => {
  status.textContent = `Could not start: ${error.message}`;
});
