// A worker of the bench's wake-placement probe (wake-placement.ts): waits for slot 0 of the shared
// block to change, asleep in Atomics.wait (woken by the caller's notify) or polling it, then burns the
// same time as the caller and says so in slot 1. Plain JavaScript, so it runs as a Node worker thread.
const burn = (ms) => {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) for (let i = 0; i < 1000; i++) x += Math.sqrt(i + x);
  return x;
};

function serve({ block, sleeps, burnMs }) {
  const slots = new Int32Array(block);
  let seen = 0;
  for (;;) {
    if (sleeps) Atomics.wait(slots, 0, seen);
    const now = Atomics.load(slots, 0);
    if (now === seen) continue;
    seen = now;
    if (seen < 0) return;
    burn(burnMs);
    Atomics.store(slots, 1, seen);
  }
}

const { parentPort } = await import('node:worker_threads');
parentPort.once('message', serve);
