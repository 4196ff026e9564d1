// Starts a module worker of one of the package's scripts. From the page's origin: directly. From
// another origin (the package on a CDN or another port), browsers refuse `new Worker(url)`, so a
// same-origin blob: module imports the script instead. Where the page's Content-Security-Policy
// forbids blob: workers, that worker fails with an error event (Chromium), which callers handle.

export interface StartedWorker {
  worker: Worker;
  /** Set when the worker was started through a blob: module: how, for backendReason. */
  bootstrapped?: string;
}

/**
 * `direct` constructs the worker when `url` is on the page's origin: pass a literal
 * `new Worker(new URL('./x.js', import.meta.url), { type: 'module' })` there, the form bundlers follow.
 */
export function startModuleWorker(url: URL, name: string, direct = () => new Worker(url, { type: 'module', name })): StartedWorker {
  const origin = globalThis.location?.origin;
  if (origin === undefined || url.origin === origin) return { worker: direct() };
  const bootstrap = URL.createObjectURL(new Blob([`import ${JSON.stringify(url.href)};`], { type: 'text/javascript' }));
  // The worker fetches its script soon after it is constructed; the URL is not needed after that.
  setTimeout(() => URL.revokeObjectURL(bootstrap), 30_000);
  return {
    worker: new Worker(bootstrap, { type: 'module', name }),
    bootstrapped: `the package is on another origin (${url.origin}) than the page (${origin}): started through a blob: module that imports ${url.href}`,
  };
}
