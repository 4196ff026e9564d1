// A worker of the bench's host row: runs the multiply-add loop of dot-peak.ts (i16DotSteps, operands in
// L1, nothing shared) when asked, so the bench times the same work on one thread and split over two in
// the same alternation as the engines: how far two threads could go on this host at that moment.
// Plain JavaScript, so it runs as a Node worker thread and as a browser module worker alike.
let loop;

async function handle(message, reply) {
  if (message.wasm) {
    const { instance } = await WebAssembly.instantiate(message.wasm, {});
    loop = instance.exports.i16DotSteps;
    // Past the baseline compiler: the optimized code replaces it from a later call on.
    for (let i = 0; i < 4; i++) loop(1024, 1 << 18);
    reply('ready');
    return;
  }
  loop(1024, message.steps);
  reply('done');
}

if (typeof process !== 'undefined' && process.versions?.node) {
  const { parentPort } = await import('node:worker_threads');
  parentPort.on('message', (message) => handle(message, (answer) => parentPort.postMessage(answer)));
} else {
  self.onmessage = (event) => handle(event.data, (answer) => self.postMessage(answer));
}
