// The import rules of src/ (docs/architecture.md draws them): layers from the top down are
// element -> browser/ and node/ entries -> classifier/ -> engine/ -> backends/ -> model/; weights/,
// io/ and image/ sit below the classifier beside the engine. `npm run check:imports` (part of npm test)
// fails on an import against them, or on any cycle, and names the files.
const layer = (name, mayNotImport, comment) => ({
  name,
  comment,
  severity: 'error',
  from: { path: `^src/${name}` },
  to: { path: `^src/(${mayNotImport.join('|')})` },
});

module.exports = {
  forbidden: [
    { name: 'no-cycles', comment: 'Modules import one way: no cycle, however long.', severity: 'error', from: {}, to: { circular: true } },
    layer('element/', ['node/', 'cli/', 'convert/'], 'The element runs in browsers, on the browser entry.'),
    layer('browser/', ['element/', 'node/', 'cli/', 'convert/'], 'Browser entries sit under the element and beside node/.'),
    layer('node/', ['element/', 'browser/', 'cli/', 'convert/'], 'Node entries sit beside browser/.'),
    layer('public-api\\.ts', ['element/', 'browser/', 'node/', 'cli/', 'convert/'], 'The export list both entries share names what lies below them.'),
    layer('classifier/', ['element/', 'browser/', 'node/', 'cli/', 'convert/', 'public-api\\.ts'], 'The classifier knows no platform: the entries hand it one (classifier/platform.ts).'),
    layer('engine/', ['element/', 'browser/', 'node/', 'cli/', 'convert/', 'public-api\\.ts', 'classifier/', 'weights/', 'io/', 'image/', 'classify/'],
      'The engine walks a layer list over a backend; it reads no files and no images.'),
    layer('backends/', ['element/', 'browser/', 'node/', 'cli/', 'convert/', 'public-api\\.ts', 'classifier/', 'engine/', 'weights/', 'io/', 'image/', 'classify/'],
      'Backends know tensors and ops, never the model file, images or labels (LayerWeights and StagedBytes live in backends/backend.ts).'),
    layer('weights/', ['element/', 'browser/', 'node/', 'cli/', 'convert/', 'public-api\\.ts', 'classifier/', 'engine/', 'io/', 'image/', 'classify/'],
      'The weights file format: below the classifier, beside the engine; it may name the backend types it fills.'),
    layer('io/', ['element/', 'browser/', 'node/', 'cli/', 'convert/', 'public-api\\.ts', 'classifier/', 'engine/', 'backends/', 'weights/', 'image/', 'classify/'],
      'Reading bytes (downloads, files, the cache names) knows nothing of what the bytes are.'),
    layer('image/', ['element/', 'browser/', 'node/', 'cli/', 'convert/', 'public-api\\.ts', 'classifier/', 'engine/', 'backends/', 'weights/', 'io/', 'classify/'],
      'Images and preprocessing: below the classifier, beside the engine.'),
    layer('classify/', ['element/', 'browser/', 'node/', 'cli/', 'convert/', 'public-api\\.ts', 'classifier/', 'engine/', 'backends/', 'weights/', 'io/', 'image/', 'model/'],
      'Ranking scores into labels needs nothing else.'),
    layer('model/', ['element/', 'browser/', 'node/', 'cli/', 'convert/', 'public-api\\.ts', 'classifier/', 'engine/', 'backends/', 'weights/', 'io/', 'image/', 'classify/'],
      'The layer list and its shapes are the floor every other room stands on.'),
    layer('convert/', ['element/', 'browser/', 'node/', 'cli/', 'classifier/', 'engine/', 'io/', 'image/', 'classify/'],
      'The converter writes weights files; it runs no network.'),
    layer('(errors|runtime|bytes)\\.ts', ['.'], 'Leaves: every room may import them, they import nothing of ours.'),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(kernels|assembly)/|\\.wgsl$' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
