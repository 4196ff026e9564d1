// npm's prepare step: an install from git (or a fresh clone's `npm ci`) builds dist/ when it is
// missing; an existing build is left alone, so `npm pack` in the tests does not rebuild under them.
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';

if (!existsSync(new URL('../dist/index.js', import.meta.url))) execSync('npm run build', { stdio: 'inherit', cwd: new URL('..', import.meta.url) });
