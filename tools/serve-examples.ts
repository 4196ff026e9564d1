// npm start: serves the package root (dist/, models/, examples/) on 127.0.0.1 with COOP/COEP, so the
// examples run cross-origin isolated as a real deployment should, and prints their URLs.
// PORT picks the port (default 8080; 0 for any free one).
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startStaticServer } from './static-server.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const port = Number(process.env.PORT ?? 8080);
const server = await startStaticServer(root, port).catch((error: NodeJS.ErrnoException) => {
  if (error.code !== 'EADDRINUSE') throw error;
  console.error(`Port ${port} is taken; serving on a free one instead (set PORT to choose).`);
  return startStaticServer(root, 0);
});
const examples = readdirSync(new URL('../examples/', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(new URL(`../examples/${entry.name}/index.html`, import.meta.url)))
  .map((entry) => entry.name);
// An example with its own package.json imports bare names: it runs after its bundler built it, not from here.
const needsBuild = (name: string): boolean => existsSync(new URL(`../examples/${name}/package.json`, import.meta.url));
console.log('alexnet-web examples (Ctrl+C to stop):');
for (const name of examples.filter((name) => !needsBuild(name))) console.log(`  ${name.padEnd(8)} ${server.origin}/examples/${name}/`);
for (const name of examples.filter(needsBuild)) console.log(`  ${name.padEnd(8)} (built with its bundler: see examples/${name}/README.md)`);
const stop = (): void => void server.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
