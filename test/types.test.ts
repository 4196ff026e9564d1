// The package's types as an app sees them: the packed tarball installed into a fresh folder, README's
// TypeScript snippets (extracted from README itself) type-checked for browser code and Node code
// under moduleResolution bundler, node16 and nodenext, with the library's own .d.ts checked too.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installInto, packInto } from './packed.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const work = mkdtempSync(join(tmpdir(), 'alexnet-web-types-'));
const app = join(work, 'app');

/** The ```ts blocks of README's section `heading`. */
function readmeSnippets(heading: string): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(`\n## ${heading}\n`);
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  return [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
}

/** Code a typed app writes beyond README: option types without type arguments, the shared image type. */
const EXTRA = `import { createClassifier, type Classifier, type ClassifierOptions, type ImageInput, type AlexNetErrorCode } from 'alexnet-web';
const options: ClassifierOptions = { threads: 1, arithmetic: 'f32', worker: false };
const classifier: Classifier = await createClassifier(options);
const images: ImageInput[] = ['a.png', new URL('https://example.com/b.jpg'), new Uint8Array(8), { data: new Uint8ClampedArray(4), width: 1, height: 1 }];
const code: AlexNetErrorCode = 'IMAGE_INVALID';
console.log(await classifier.classify(images), code);
`;

/** The element in a typed app: its tag in querySelector, its properties and its events' details. */
const ELEMENT = `import 'alexnet-web/element';
const element = document.querySelector('alexnet-classifier')!;
element.topK = 3;
element.addEventListener('result', (event) => console.log(event.detail.results[0].label, event.detail.ms));
element.addEventListener('ready', (event) => console.log(event.detail.threads, event.detail.arithmetic));
element.addEventListener('error', (event) => console.log(event.detail.code));
element.addEventListener('backendchange', (event) => console.log(event.detail.backend));
`;

const PLATFORMS = {
  browser: { lib: ['es2022', 'dom', 'dom.iterable'], types: [] as string[], snippets: () => [...readmeSnippets('Use it in a browser'), ELEMENT] },
  node: { lib: ['es2022'], types: ['node'], snippets: () => readmeSnippets('Use it from Node.js') },
};

describe('types from the packed package', () => {
  beforeAll(async () => {
    const tarball = await packInto(work);
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'typed-app', private: true, type: 'module' }));
    // React's and Preact's types for the JSX checks come from the npm cache this repository's install filled.
    await installInto(app, tarball, ['@types/react@19', 'preact@10']);
  }, 180_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('README has a TypeScript snippet for each platform', () => {
    for (const platform of Object.values(PLATFORMS)) expect(platform.snippets().length).toBeGreaterThan(0);
  });

  describe.each(['bundler', 'node16', 'nodenext'] as const)('moduleResolution %s', (resolution) => {
    it.each(Object.keys(PLATFORMS) as (keyof typeof PLATFORMS)[])('%s code type-checks (README snippets and option types without type arguments)', async (platform) => {
      const { lib, types, snippets } = PLATFORMS[platform];
      const folder = join(app, `${platform}-${resolution}`);
      mkdirSync(folder, { recursive: true });
      const files = [...snippets(), EXTRA].map((code, i) => {
        writeFileSync(join(folder, `snippet${i}.ts`), `${code}\nexport {};\n`);
        return `snippet${i}.ts`;
      });
      const compilerOptions = {
        module: resolution === 'bundler' ? 'esnext' : resolution, moduleResolution: resolution, target: 'es2022', lib, types,
        typeRoots: [join(ROOT, 'node_modules/@types')], strict: true, noEmit: true, skipLibCheck: false,
      };
      writeFileSync(join(folder, 'tsconfig.json'), JSON.stringify({ compilerOptions, files }));
      const result = await run(process.execPath, [TSC, '-p', folder], { cwd: folder }).then(() => '', (error: { stdout: string }) => error.stdout);
      expect(result).toBe('');
    }, 60_000);
  });

  it.each([
    ['React 19', 'react', `import type {} from 'alexnet-web/react';
export const App = () => <alexnet-classifier src="cat.jpg" top-k={3} weights="/models/a.safetensors" no-worker onClick={(event) => console.log(event.currentTarget.topK)} />;
// @ts-expect-error top-k is a number or a string
export const Wrong = () => <alexnet-classifier top-k={[3]} />;`],
    ['Preact', 'preact', `import type {} from 'alexnet-web/preact';
export const App = () => <alexnet-classifier src="cat.jpg" top-k="3" arithmetic="f32" />;
// @ts-expect-error arithmetic is int8 or f32
export const Wrong = () => <alexnet-classifier arithmetic="f16" />;`],
  ])('<alexnet-classifier> type-checks in %s JSX (and a wrong attribute does not)', async (_, jsxImportSource, code) => {
    const folder = join(app, `jsx-${jsxImportSource}`);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'app.tsx'), code);
    const compilerOptions = {
      module: 'esnext', moduleResolution: 'bundler', target: 'es2022', lib: ['es2022', 'dom'], types: [], jsx: 'react-jsx', jsxImportSource,
      strict: true, noEmit: true, skipLibCheck: false,
    };
    writeFileSync(join(folder, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['app.tsx'] }));
    const result = await run(process.execPath, [TSC, '-p', folder], { cwd: folder }).then(() => '', (error: { stdout: string }) => error.stdout);
    expect(result).toBe('');
  }, 60_000);
});
