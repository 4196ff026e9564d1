// <alexnet-classifier> in Debian's Chromium: examples/basic renders a result that matches Node, a
// screenshot of it is written to test/output/ and checked to show rows and bars; attributes, events,
// errors, keyboard use and sharing one model between elements.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import type { Page } from 'puppeteer-core';
import { describe, expect, it } from 'vitest';
import { createClassifier as createNodeClassifier } from '../src/node/index.js';
import { chromiumAvailable, chromiumSkipNote, chromiumFixture, openPage } from './chromium-fixture.js';

const OUTPUT = new URL('./output/', import.meta.url);

interface Seen {
  type: string;
  detail: { results?: { label: string; score: number }[]; model?: string; backend?: string; arithmetic?: string; ms?: number; code?: string; message?: string; loadedBytes?: number };
  from: string;
}

declare global {
  interface Window {
    seenEvents: Seen[];
  }
}

// Every event the elements send, from the first script on: the element may answer before the test looks.
const RECORD_EVENTS = `
  window.seenEvents = [];
  for (const type of ['progress', 'ready', 'result', 'error']) {
    document.addEventListener(type, (event) => {
      if (!(event.target instanceof HTMLElement) || !event.target.localName.includes('-')) return;
      window.seenEvents.push({ type, detail: JSON.parse(JSON.stringify({ ...event.detail, error: undefined })), from: event.target.id || event.target.localName });
    });
  }
`;

describe('<alexnet-classifier> on a server', () => {
  it('imports where there is no DOM (server-side rendering): defines nothing, throws nothing', async () => {
    expect(typeof globalThis.HTMLElement).toBe('undefined');
    const element = await import('../dist/element.js');
    expect(typeof element.defineAlexNetClassifier()).toBe('function');
  });
});

describe.skipIf(!chromiumAvailable())('<alexnet-classifier> in Chromium' + chromiumSkipNote(), () => {
  const chromium = chromiumFixture();

  const open = (path: string): Promise<Page> => openPage(chromium.browser, `${chromium.server.origin}${path}`, RECORD_EVENTS);

  const waitForEvent = (page: Page, type: string, from?: string) =>
    page.waitForFunction((type, from) => window.seenEvents.some((e) => e.type === type && (!from || e.from === from)), { timeout: 60_000 }, type, from);

  it('examples/basic: reaches a result matching Node, and its screenshot shows the rows and bars', async () => {
    const node = await createNodeClassifier();
    const expected = await node.classify(fileURLToPath(new URL('../examples/images/sneaker.png', import.meta.url)), { topK: 3 });
    node.dispose();
    const modelRequests = () => chromium.server.requests.filter((r) => r.path === '/models/fashion-alexnet-mini.safetensors').length;
    const before = modelRequests();
    const page = await open('/examples/basic/');
    await waitForEvent(page, 'result');
    // The element upgrades with its attributes already set: one model load, not one per attribute.
    expect(modelRequests() - before).toBe(1);
    const events = await page.evaluate(() => window.seenEvents);
    const result = events.find((e) => e.type === 'result')!;
    expect(result.detail.results!.map((r) => r.label)).toEqual(expected.map((r) => r.label));
    expect(result.detail.results![0].score).toBeCloseTo(expected[0].score, 5);
    expect(result.detail.backend).toBe('wasm');
    expect(result.detail.ms).toBeGreaterThan(0);
    const ready = events.find((e) => e.type === 'ready')!;
    expect(ready.detail.backend).toBe('wasm');
    // The demo model's weights are int8: they multiply as 8-bit integers unless arithmetic="f32".
    expect(ready.detail.arithmetic).toBe('int8');
    const progress = events.filter((e) => e.type === 'progress').map((e) => e.detail.loadedBytes!);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));

    // What a reader sees: three labelled rows with bars sized by score, and the percentages.
    const layout = await page.evaluate(() => {
      const root = document.querySelector('alexnet-classifier')!.shadowRoot!;
      const rows = [...root.querySelectorAll('[part~="result"]')].map((row) => ({
        label: row.querySelector('[part~="label"]')!.textContent,
        score: row.querySelector('[part~="score"]')!.textContent,
        barWidth: row.querySelector('[part~="bar-fill"]')!.getBoundingClientRect().width,
        trackWidth: row.querySelector('[part~="bar"]')!.getBoundingClientRect().width,
        height: row.getBoundingClientRect().height,
      }));
      const image = root.querySelector('[part~="image"]') as HTMLImageElement;
      const note = root.querySelector('[part~="note"]') as HTMLElement;
      return { rows, status: root.querySelector('[part~="status"]')!.textContent, note: note.hidden ? '' : note.textContent, imageShown: !image.hidden && image.naturalWidth > 0 };
    });
    expect(layout.rows.map((r) => r.label)).toEqual(expected.map((r) => r.label));
    expect(layout.rows[0].score).toBe(`${(expected[0].score * 100).toFixed(expected[0].score >= 0.995 ? 0 : 1)}%`);
    for (const row of layout.rows) {
      expect(row.height).toBeGreaterThan(0);
      expect(row.trackWidth).toBeGreaterThan(0);
    }
    expect(layout.rows[0].barWidth).toBeGreaterThan(layout.rows[0].trackWidth * expected[0].score - 2);
    // The page is cross-origin isolated on 2 cores: the engine's worker and one helper thread.
    expect(layout.status).toMatch(/^wasm · int8 · 2 threads · \d+ ms$/);
    // The bundled demo model says what it knows, and results name their model.
    expect(layout.note).toBe('Demo model: 10 clothing classes (Fashion-MNIST)');
    expect(result.detail.model).toBe('fashion-alexnet-mini');
    expect(layout.imageShown).toBe(true);

    const element = (await page.$('alexnet-classifier'))!;
    const screenshot = await element.screenshot({ type: 'png' });
    mkdirSync(OUTPUT, { recursive: true });
    writeFileSync(new URL('element-basic.png', OUTPUT), screenshot);
    const png = PNG.sync.read(Buffer.from(screenshot));
    const colours = new Set<number>();
    for (let i = 0; i < png.data.length; i += 4) colours.add(png.data.readUInt32BE(i));
    // A blank or single-colour capture has a handful of colours; text, bars and the photo have hundreds.
    expect(png.width).toBeGreaterThan(100);
    expect(colours.size).toBeGreaterThan(100);
    await page.close();
  });

  it('takes a new image from the keyboard (file picker), by drop and by paste; the dark scheme is readable', async () => {
    const page = await open('/test/browser/pages/element.html');
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
    await page.evaluate(() => {
      const element = document.createElement('alexnet-classifier');
      element.id = 'input';
      document.body.append(element);
    });
    await waitForEvent(page, 'ready', 'input');
    const topLabel = () => page.evaluate(() => document.getElementById('input')!.shadowRoot!.querySelector('[part~="label"]')?.textContent);
    const resultCount = () => page.evaluate(() => window.seenEvents.filter((e) => e.type === 'result' && e.from === 'input').length);

    // Keyboard only: Tab to the drop zone, Enter opens the file picker.
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.id === 'input' && document.getElementById('input')!.shadowRoot!.activeElement?.getAttribute('part'));
    expect(focused).toBe('drop-zone');
    const choosing = page.waitForFileChooser();
    // A round trip first: CDP answers in order, so the file chooser is intercepted before Enter arrives.
    await page.evaluate(() => 0);
    await page.keyboard.press('Enter');
    const chooser = await choosing;
    await chooser.accept([fileURLToPath(new URL('../examples/images/trouser.png', import.meta.url))]);
    await page.waitForFunction(() => window.seenEvents.filter((e) => e.type === 'result' && e.from === 'input').length === 1);
    expect(await topLabel()).toBe('Trouser');

    // Drop and paste carry a File in a DataTransfer.
    for (const [event, name, label] of [['drop', 'dress.png', 'Dress'], ['paste', 'sandal.png', 'Sandal']] as const) {
      const before = await resultCount();
      await page.evaluate(async (event, name) => {
        const element = document.getElementById('input')!;
        const bytes = await (await fetch(`/examples/images/${name}`)).blob();
        const data = new DataTransfer();
        data.items.add(new File([bytes], name, { type: 'image/png' }));
        const target = event === 'drop' ? element.shadowRoot!.querySelector('[part~="drop-zone"]')! : element;
        target.dispatchEvent(event === 'drop'
          ? new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true, composed: true })
          : new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true, composed: true }));
      }, event, name);
      await page.waitForFunction((before) => window.seenEvents.filter((e) => e.type === 'result' && e.from === 'input').length > before, {}, before);
      expect(await topLabel()).toBe(label);
    }

    // Dark scheme: light text on a dark background, far apart in luminance.
    const colours = await page.evaluate(() => {
      const root = document.getElementById('input')!.shadowRoot!;
      const luminance = (css: string) => {
        const [r, g, b] = css.match(/\d+(\.\d+)?/g)!.slice(0, 3).map(Number).map((v) => v / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
      };
      const text = luminance(getComputedStyle(root.querySelector('[part~="label"]')!).color);
      const background = luminance(getComputedStyle(root.querySelector('[part~="container"]')!).backgroundColor);
      return { text, background, contrast: (Math.max(text, background) + 0.05) / (Math.min(text, background) + 0.05) };
    });
    expect(colours.background).toBeLessThan(colours.text);
    // WCAG AA for body text.
    expect(colours.contrast).toBeGreaterThanOrEqual(4.5);
    await page.close();
  });

  it('shares one model between elements with the same weights, follows its attributes and shows errors', async () => {
    const page = await open('/test/browser/pages/element.html');
    await page.waitForFunction(() => customElements.get('alexnet-classifier') !== undefined);
    // The first test left the demo model in the Cache API: count downloads from a cold cache.
    await page.evaluate(async () => {
      for (const name of await caches.keys()) await caches.delete(name);
    });
    const weightsRequests = () => chromium.server.requests.filter((r) => r.path === '/models/fashion-alexnet-mini.safetensors').length;
    const before = weightsRequests();
    const result = await page.evaluate(async () => {
      const make = (id: string, attributes: Record<string, string>) => {
        const element = document.createElement('alexnet-classifier');
        element.id = id;
        for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
        document.body.append(element);
        return element as HTMLElement & { classifier?: unknown; classify(image: unknown): Promise<unknown>; topK: number; noWorker: boolean };
      };
      const done = (id: string, type: string) => new Promise<void>((resolve) => {
        const check = () => (window.seenEvents.some((e) => e.from === id && e.type === type) ? resolve() : setTimeout(check, 20));
        check();
      });
      const a = make('a', { src: '/examples/images/trouser.png', 'top-k': '2' });
      const b = make('b', { src: '/examples/images/dress.png' });
      await Promise.all([done('a', 'result'), done('b', 'result')]);
      const shared = a.classifier !== undefined && a.classifier === b.classifier;
      const rowsOf = (element: HTMLElement) => element.shadowRoot!.querySelectorAll('[part~="result"]').length;
      const counts = { a: rowsOf(a), b: rowsOf(b) };
      // Properties mirror attributes; a new top-k shows on the same image.
      a.topK = 4;
      await new Promise((resolve) => a.addEventListener('result', resolve, { once: true }));
      const afterTopK = { attribute: a.getAttribute('top-k'), rows: rowsOf(a) };
      // An image that cannot be decoded: the element shows the code and sends 'error'; classify() rejects.
      const failure = await a.classify(new Blob(['not an image'], { type: 'image/png' })).then(() => undefined, (error) => error.code);
      const shown = a.shadowRoot!.querySelector('[part~="error"]')!.textContent;
      const alert = a.shadowRoot!.querySelector('[role="alert"]') !== null;
      const drop = a.shadowRoot!.querySelector('[part~="drop-zone"]')!;
      const keyboard = { tabIndex: (drop as HTMLElement).tabIndex, role: drop.getAttribute('role') };
      const progressbar = a.shadowRoot!.querySelector('[role="progressbar"]')!.getAttribute('aria-valuemax');
      // A second import and another name: harmless, and the same element.
      const module = (window as unknown as { alexnetElement: { defineAlexNetClassifier(name?: string): void } }).alexnetElement;
      module.defineAlexNetClassifier();
      module.defineAlexNetClassifier('my-classifier');
      const other = document.createElement('my-classifier') as HTMLElement & { classify(image: unknown): Promise<{ label: string }[]> };
      other.setAttribute('no-worker', '');
      document.body.append(other);
      const otherTop = (await other.classify('/examples/images/sneaker.png'))[0].label;
      return { shared, counts, afterTopK, failure, shown, alert, keyboard, progressbar, otherTop };
    });
    expect(result.shared).toBe(true);
    // One download for both elements.
    expect(weightsRequests() - before).toBe(1);
    expect(result.counts).toEqual({ a: 2, b: 5 });
    expect(result.afterTopK).toEqual({ attribute: '4', rows: 4 });
    expect(result.failure).toBe('IMAGE_INVALID');
    expect(result.shown).toMatch(/^IMAGE_INVALID: /);
    expect(result.alert).toBe(true);
    expect(result.keyboard).toEqual({ tabIndex: 0, role: 'button' });
    expect(result.progressbar).toBe('100');
    expect(result.otherTop).toBe('Sneaker');
    const events = await page.evaluate(() => window.seenEvents);
    expect(events.some((e) => e.type === 'error' && e.from === 'a' && e.detail.code === 'IMAGE_INVALID')).toBe(true);
    await page.close();
  });
});
