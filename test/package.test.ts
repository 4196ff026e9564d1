// The package as users install it from git: npm clones the repository, installs its dev dependencies
// and runs `prepare`, which builds dist/. Then the CLI classifies a sample image that ships with it.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));

describe('npm install from git', () => {
  const app = mkdtempSync(join(tmpdir(), 'alexnet-web-git-'));
  afterAll(() => rmSync(app, { recursive: true, force: true }));

  it('builds dist/ through prepare, and npx alexnet-web classify runs on a sample image in the package', async () => {
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'git-app', private: true, type: 'module' }));
    // The committed HEAD, as `npm install github:owner/alexnet-web` would fetch it; dependencies from the npm cache.
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', `git+file://${ROOT}`], { cwd: app, timeout: 300_000 });
    const installed = join(app, 'node_modules/alexnet-web');
    expect(existsSync(join(installed, 'dist/index.js'))).toBe(true);
    const { stdout } = await run('npx', ['alexnet-web', 'classify', '--top-k', '1', join(installed, 'examples/images/sneaker.png')], { cwd: app });
    expect(stdout).toMatch(/sneaker\.png: Sneaker \d+\.\d%/);
  }, 360_000);
});
