// The package as npm would publish it, for the tests that install it into fresh app folders.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PACKAGE_ROOT } from './chromium-fixture.js';

const run = promisify(execFile);

/** `npm pack` of this repository into `folder` (dist/ must be built: npm test builds first); the tarball's path. */
export async function packInto(folder: string): Promise<string> {
  const { stdout } = await run('npm', ['pack', '--silent', '--pack-destination', folder], { cwd: PACKAGE_ROOT });
  return join(folder, stdout.trim().split('\n').pop()!);
}

/** Installs `tarball` and `packages` into the app at `app`; dependencies come from the npm cache `npm ci` filled. */
export async function installInto(app: string, tarball: string, packages: string[] = []): Promise<void> {
  await run('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', tarball, ...packages], { cwd: app });
}
