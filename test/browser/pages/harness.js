// Exposes the built browser bundle to puppeteer: tests call window.alexnet.* from page.evaluate.
import * as alexnet from '/dist/browser.js';

window.alexnet = alexnet;
window.harnessReady = true;
