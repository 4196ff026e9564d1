// The service worker: precaches the app shell, the alexnet-web files (their list comes from the build,
// browser-files.json, so hashed chunk names are right) and this version's weights, then serves them
// cache-first, offline too. A new VERSION (new weights) installs beside the old one and deletes it on
// activation. The package lives inside the app (alexnet-web/ = the package's dist/, models/ beside it),
// so this worker's scope covers the Web Worker and the wasm it loads.
const VERSION = '1';
const WEIGHTS = `./models/fashion-alexnet-mini.safetensors?v=${VERSION}`;
const CACHE = `alexnet-pwa-v${VERSION}`;
const DIST = './alexnet-web/';
const SHELL = [
  './', './index.html', './app.js', './manifest.webmanifest', './icons/icon-192.png', './icons/icon-512.png',
  './style.css', './t-shirt-top.png',
];

async function precache() {
  const files = await (await fetch(`${DIST}browser-files.json`, { cache: 'no-store' })).json();
  const cache = await caches.open(CACHE);
  // Past the HTTP cache: a stale copy must not become the offline one.
  await cache.addAll([...SHELL, ...files.map((file) => DIST + file), WEIGHTS].map((url) => new Request(url, { cache: 'reload' })));
}

self.addEventListener('install', (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    // Older versions of this app, and alexnet-web's own copies of their weights, go.
    const names = await caches.keys();
    const old = names.filter((name) => (name.startsWith('alexnet-pwa-') && name !== CACHE) || name.startsWith('alexnet-web-weights'));
    await Promise.all(old.map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

// A page opened with a hard reload is not controlled; it asks.
self.addEventListener('message', (event) => {
  if (event.data === 'claim') event.waitUntil(self.clients.claim());
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== location.origin) return;
  // Beside this worker, whatever folder the app lives in.
  if (url.pathname === new URL('./config.json', location.href).pathname) {
    event.respondWith(Response.json({ version: VERSION, weights: new URL(WEIGHTS, location.href).href }));
    return;
  }
  // Range requests (a resumed download) go to the network; whole files come from the cache first.
  if (event.request.headers.has('range')) return;
  event.respondWith((async () => {
    const cached = await caches.match(event.request, { cacheName: CACHE });
    return cached ?? fetch(event.request);
  })());
});
