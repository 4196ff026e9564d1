// A small static server for the browser tests, the browser bench and the examples: serves the
// package root on 127.0.0.1 with COOP/COEP (so pages are cross-origin isolated), Range requests,
// and, on request, responses that are cut, throttled or refuse ranges. It records every request.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

export interface ServedRequest {
  path: string;
  query: string;
  range: string | undefined;
}

export interface StaticServer {
  /** http://127.0.0.1:PORT */
  origin: string;
  requests: ServedRequest[];
  /** Bytes served at `path` instead of a file (e.g. a damaged weights file). */
  files: Map<string, Uint8Array>;
  /** Paths answered with 404 although a file is there (e.g. a script a deployment forgot). */
  missing: Set<string>;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm', '.png': 'image/png', '.jpg': 'image/jpeg', '.svg': 'image/svg+xml', '.map': 'application/json',
};

/** The policy a strict page declares: no inline script, no eval, workers and wasm only from here. */
export const STRICT_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; object-src 'none'; base-uri 'none'";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Query flags on any URL: `cut=N` ends a full (non-Range) response after N bytes by destroying the
 * socket; `norange` ignores Range headers; `slow=MS` sends 64 KiB chunks MS apart; `csp=strict` adds
 * STRICT_CSP to the response; `isolation=off` leaves out COOP and COEP (the page is not cross-origin isolated).
 */
/**
 * The offline app (examples/pwa) ships the package inside its own folder, as a deployed app would, so
 * its service worker's scope covers the worker and the wasm too: these URLs serve dist/ and models/.
 */
const ALIASES: [prefix: string, folder: string][] = [['/examples/pwa/alexnet-web/', '/dist/'], ['/examples/pwa/models/', '/models/']];

export interface StaticServerOptions {
  /**
   * Serve scripts and wasm cacheable for an hour, as a static host would, so a worker loads what its
   * page just loaded from the browser's cache (the bench); everything else, weights included, stays
   * no-store. Off by default: tests count requests.
   */
  cacheableCode?: boolean;
  /** Send STRICT_CSP with every response, so workers started from a page are under it too. */
  strictCsp?: boolean;
  /** Send this Content-Security-Policy with every response instead. */
  contentSecurityPolicy?: string;
  /** Serve to any origin, as a CDN does: CORS headers, a cross-origin resource policy, preflights answered. */
  cors?: boolean;
}

export async function startStaticServer(root: string, port = 0, options: StaticServerOptions = {}): Promise<StaticServer> {
  const requests: ServedRequest[] = [];
  const files = new Map<string, Uint8Array>();
  const missing = new Set<string>();
  const base = resolve(root);

  async function body(path: string): Promise<{ size: number; read(from: number, to: number): AsyncIterable<Uint8Array> } | undefined> {
    const inMemory = files.get(path);
    if (inMemory) return { size: inMemory.byteLength, read: async function* (from, to) { yield inMemory.subarray(from, to); } };
    const alias = ALIASES.find(([prefix]) => path.startsWith(prefix));
    const onDisk = alias ? alias[1] + path.slice(alias[0].length) : path;
    const file = normalize(join(base, decodeURIComponent(onDisk)));
    if (!file.startsWith(base + sep)) return undefined;
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    return { size: info.size, read: (from, to) => createReadStream(file, { start: from, end: to - 1, highWaterMark: 64 * 1024 }) };
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const flags = url.searchParams;
    requests.push({ path: url.pathname, query: url.search, range: request.headers.range });
    const headers: Record<string, string | number> = {
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
      'cross-origin-resource-policy': 'same-origin',
      // The HTTP cache would hide whether the Cache API was used.
      'cache-control': 'no-store',
    };
    if (flags.get('csp') === 'strict' || options.strictCsp) headers['content-security-policy'] = STRICT_CSP;
    if (options.contentSecurityPolicy) headers['content-security-policy'] = options.contentSecurityPolicy;
    if (options.cors) {
      Object.assign(headers, {
        'access-control-allow-origin': '*',
        'access-control-allow-headers': 'range',
        'access-control-expose-headers': 'content-length, content-range, accept-ranges',
        'cross-origin-resource-policy': 'cross-origin',
      });
      if (request.method === 'OPTIONS') {
        response.writeHead(204, headers).end();
        return;
      }
    }
    if (flags.get('isolation') === 'off') {
      delete headers['cross-origin-opener-policy'];
      delete headers['cross-origin-embedder-policy'];
    }
    // A folder's index.html, as any web server does, so examples open at /examples/basic/.
    const path = url.pathname.endsWith('/') ? `${url.pathname}index.html` : url.pathname;
    const found = missing.has(path) ? undefined : await body(path);
    if (!found) {
      response.writeHead(404, headers).end('not found');
      return;
    }
    headers['content-type'] = TYPES[extname(path)] ?? 'application/octet-stream';
    if (options.cacheableCode && ['.js', '.wasm'].includes(extname(path))) headers['cache-control'] = 'max-age=3600';
    const range = flags.has('norange') ? undefined : /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? '');
    if (!flags.has('norange')) headers['accept-ranges'] = 'bytes';
    let from = 0;
    let to = found.size;
    if (range) {
      from = Number(range[1]);
      to = range[2] ? Math.min(found.size, Number(range[2]) + 1) : found.size;
      if (from >= found.size || from >= to) {
        response.writeHead(416, { ...headers, 'content-range': `bytes */${found.size}` }).end();
        return;
      }
      headers['content-range'] = `bytes ${from}-${to - 1}/${found.size}`;
    }
    headers['content-length'] = to - from;
    response.writeHead(range ? 206 : 200, headers);
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    const cutAt = !range && flags.has('cut') ? Number(flags.get('cut')) : Infinity;
    const pause = Number(flags.get('slow') ?? 0);
    let sent = 0;
    for await (const chunk of found.read(from, to)) {
      for (let at = 0; at < chunk.byteLength; at += 64 * 1024) {
        const piece = chunk.subarray(at, Math.min(chunk.byteLength, at + 64 * 1024, at + cutAt - sent));
        if (piece.byteLength > 0 && !response.write(piece)) await new Promise((resolve) => response.once('drain', resolve));
        sent += piece.byteLength;
        if (sent >= cutAt) {
          // Let the bytes leave before the connection drops.
          await sleep(50);
          response.socket?.destroy();
          return;
        }
        if (pause) await sleep(pause);
        if (response.destroyed) return;
      }
    }
    response.end();
  }

  const server = createServer((request, response) => {
    handle(request, response).catch(() => response.destroy());
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
  const address = server.address();
  const origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    origin,
    requests,
    files,
    missing,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
