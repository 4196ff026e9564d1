// Launches Debian's Firefox ESR for the Firefox tests, through puppeteer-core's WebDriver BiDi support
// (no browser download).
import { existsSync } from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer-core';

const CANDIDATES = [process.env.FIREFOX_PATH, '/usr/bin/firefox-esr', '/usr/bin/firefox'];

/** The Firefox binary to drive: $FIREFOX_PATH, else Debian's firefox-esr. */
export function findFirefox(): string | undefined {
  return CANDIDATES.find((path): path is string => !!path && existsSync(path));
}

export async function launchFirefox(): Promise<Browser> {
  const executablePath = findFirefox();
  if (!executablePath) throw new Error('Firefox not found: apt-get install -y firefox-esr (or set FIREFOX_PATH).');
  return puppeteer.launch({ browser: 'firefox', executablePath, headless: true });
}
