// Launches Debian's Chromium for the browser tests and bench (puppeteer-core: no browser download).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/lib/chromium/chromium', '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The Chromium binary to drive: $CHROMIUM_PATH, else Debian's (the /usr/lib binary skips the wrapper's flags). */
export function findChromium(): string | undefined {
  return CANDIDATES.find((path): path is string => !!path && existsSync(path));
}

/**
 * Headless Chromium with a fresh profile, WebGPU on (SwiftShader when there is no GPU), no background
 * traffic. `protocolTimeout`: how long one call into the page may take (puppeteer's default: 180 s).
 */
export async function launchChromium(options: { protocolTimeout?: number } = {}): Promise<Browser> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error('Chromium not found: apt-get install -y chromium (or set CHROMIUM_PATH).');
  const userDataDir = mkdtempSync(join(tmpdir(), 'alexnet-web-chromium-'));
  const browser = await puppeteer.launch({
    executablePath,
    headless: true,
    userDataDir,
    protocolTimeout: options.protocolTimeout,
    args: [
      '--no-sandbox', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-quic', '--enable-unsafe-webgpu',
    ],
  });
  browser.once('disconnected', () => {
    try {
      rmSync(userDataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    } catch {
      // Chromium may still be writing its profile; it is in the temp directory either way.
    }
  });
  return browser;
}
