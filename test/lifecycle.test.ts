// The classifier's lifecycle (src/classifier/lifecycle.ts) in Node, with backend selection replaced by
// one that hands out a pretend GPU (WebAssembly underneath, named 'webgpu') that runs out of memory at
// load or loses its device at the first call: the fallback policy's moves as a user sees them.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Backend } from '../src/backends/backend.js';
import { AlexNetError } from '../src/errors.js';
import { createClassifier, type BackendChange } from '../src/node/index.js';
import { smallWeights } from './fixtures.js';

type Trouble = 'out-of-memory-at-load' | 'lost-at-first-read';

const pretend = vi.hoisted(() => ({ troubles: [] as Trouble[], selections: [] as string[] }));

/** `backend` named 'webgpu', with `trouble`. */
function pretendGpu(backend: Backend, trouble: Trouble): Backend {
  let lost: Backend['lost'] = false;
  return new Proxy(backend, {
    get(target, property) {
      if (property === 'name') return 'webgpu';
      if (property === 'lost') return lost;
      if (property === 'settle' && trouble === 'out-of-memory-at-load') {
        return () => Promise.reject(new AlexNetError('OUT_OF_MEMORY', 'the pretend GPU could not hold the model.'));
      }
      if (property === 'read' && trouble === 'lost-at-first-read') {
        return () => {
          lost = 'device-lost';
          return Promise.reject(new AlexNetError('BACKEND_FAILED', 'the pretend GPU was lost.'));
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

vi.mock('../src/backends/select-backend.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/backends/select-backend.js')>();
  return {
    ...real,
    async selectBackend(choice: Parameters<typeof real.selectBackend>[0]) {
      const asked = choice.backend ?? 'auto';
      pretend.selections.push(asked);
      const selected = await real.selectBackend({ ...choice, backend: 'wasm', threads: 1 });
      const trouble = asked === 'wasm' ? undefined : pretend.troubles.shift();
      if (!trouble) return selected;
      return { backend: pretendGpu(selected.backend, trouble), reasons: ['webgpu: selected, a pretend GPU'] };
    },
  };
});

const IMAGE = { data: new Uint8Array(227 * 227 * 4).map((_, i) => (i * 37) & 255), width: 227, height: 227 };

/** The answer on plain WebAssembly, the reference for every move. */
async function wasmAnswer() {
  const classifier = await createClassifier({ weights: smallWeights(), backend: 'wasm', threads: 1 });
  const top = await classifier.classify(IMAGE, { topK: 3 });
  await classifier.dispose();
  return top;
}

describe('classifier lifecycle: moves between backends', () => {
  afterEach(() => {
    pretend.troubles = [];
    pretend.selections = [];
  });

  it("under 'auto', a GPU that cannot hold the model at load is dropped for WebAssembly, saying why", async () => {
    const expected = await wasmAnswer();
    pretend.selections = [];
    pretend.troubles = ['out-of-memory-at-load'];
    const classifier = await createClassifier({ weights: smallWeights(), threads: 1 });
    expect(pretend.selections).toEqual(['auto', 'wasm']);
    expect(classifier.backend).toBe('wasm');
    expect(classifier.backendReason[0]).toBe('webgpu: dropped after loading, the pretend GPU could not hold the model.');
    expect(await classifier.classify(IMAGE, { topK: 3 })).toEqual(expected);
    await classifier.dispose();
  });

  it("asked for 'webgpu', a GPU that cannot hold the model fails the load with OUT_OF_MEMORY", async () => {
    pretend.troubles = ['out-of-memory-at-load'];
    await expect(createClassifier({ weights: smallWeights(), backend: 'webgpu', threads: 1 })).rejects.toMatchObject({ code: 'OUT_OF_MEMORY' });
    expect(pretend.selections).toEqual(['webgpu']);
  });

  it('a device lost mid-call: the model loads again, the call answers, and one backendchange says where it moved', async () => {
    const expected = await wasmAnswer();
    pretend.selections = [];
    pretend.troubles = ['lost-at-first-read'];
    const classifier = await createClassifier({ weights: smallWeights(), threads: 1 });
    const changes: BackendChange[] = [];
    classifier.addEventListener('backendchange', (event) => changes.push(event.detail));
    expect(classifier.backend).toBe('webgpu');
    expect(await classifier.classify(IMAGE, { topK: 3 })).toEqual(expected);
    // 'auto' again: a lost device may come back (here the selection gives WebAssembly).
    expect(pretend.selections).toEqual(['auto', 'auto']);
    expect(changes).toHaveLength(1);
    expect(changes[0].backend).toBe('wasm');
    expect(changes[0].backendReason[0]).toBe('wasm: selected after the previous device was lost');
    expect(classifier.backend).toBe('wasm');
    await classifier.dispose();
  });

  it('a device lost with a one-shot source (a stream read once) ends the classifier with BACKEND_FAILED', async () => {
    pretend.troubles = ['lost-at-first-read'];
    const bytes = smallWeights();
    const stream = new ReadableStream<Uint8Array>({ start: (controller) => (controller.enqueue(bytes), controller.close()) });
    const classifier = await createClassifier({ weights: stream, threads: 1 });
    await expect(classifier.classify(IMAGE)).rejects.toMatchObject({ code: 'BACKEND_FAILED', message: expect.stringMatching(/could not be loaded again/) });
    await expect(classifier.classify(IMAGE)).rejects.toMatchObject({ code: 'DISPOSED' });
  });
});
