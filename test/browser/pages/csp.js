// Classifies a sample image with the default settings (module worker, wasm) and reports the result,
// plus any CSP violation the page saw, on window.cspResult.
import { createClassifier } from '/dist/browser.js';

const violations = [];
document.addEventListener('securitypolicyviolation', (event) => violations.push(`${event.violatedDirective}: ${event.blockedURI}`));

async function run() {
  const classifier = await createClassifier({ cache: false });
  const top = await classifier.classify('/examples/images/sneaker.png', { topK: 1 });
  const { threads } = classifier;
  classifier.dispose();
  return { top, threads };
}

run().then(
  ({ top, threads }) => { window.cspResult = { top, threads, violations }; },
  (error) => { window.cspResult = { error: `${error.code ?? error.name}: ${error.message}`, violations }; },
);
