// Runs in Chromium: a WebGpuBackend driven by test/webgpu-remote.ts. Commands arrive in batches;
// tensors and weights are numbered by the Node side; array data is fetched from the test server.
import type { Backend } from '../../src/backends/backend.js';
import { WebGpuBackend } from '../../src/backends/webgpu/backend.js';
import type { ArrayRef, RemoteCommand } from '../webgpu-remote.js';

let backend: WebGpuBackend | undefined;
const handles = new Map<number, unknown>();

const TYPES = { Float32Array, Int8Array, Uint16Array } as const;

async function fetchArray(ref: ArrayRef): Promise<Float32Array | Int8Array | Uint16Array> {
  const bytes = await (await fetch(ref.path)).arrayBuffer();
  return new TYPES[ref.type](bytes);
}

async function run(command: RemoteCommand): Promise<void> {
  const b = backend as unknown as Backend<unknown, unknown>;
  switch (command.op) {
    case 'uploadConv2d':
    case 'uploadFullyConnected': {
      const { weight, bias } = command.weights;
      const values = await fetchArray(weight.values);
      const scales = weight.scales ? await fetchArray(weight.scales) : undefined;
      const layer = { weight: { dtype: weight.dtype, values, scales }, bias: (await fetchArray(bias)) as Float32Array } as never;
      handles.set(command.id, command.op === 'uploadConv2d' ? b.uploadConv2d(layer, command.shape as never) : b.uploadFullyConnected(layer, command.shape as never));
      return;
    }
    case 'allocate':
      handles.set(command.id, b.allocate(command.elements));
      return;
    case 'write':
      b.write(handles.get(command.id), (await fetchArray(command.data)) as Float32Array);
      return;
    case 'release':
      b.release(handles.get(command.id));
      handles.delete(command.id);
      return;
    case 'conv2d':
    case 'fullyConnected':
      b[command.op](handles.get(command.out), handles.get(command.input), handles.get(command.weights!), command.shape as never);
      return;
    case 'maxPool':
    case 'lrn':
    case 'softmax':
      b[command.op](handles.get(command.out), handles.get(command.input), command.shape as never);
  }
}

function toBase64(values: Float32Array): string {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

Object.assign(window, {
  webgpuOps: {
    /** Opens the adapter Chromium gives (SwiftShader here) and says which it is. */
    async open(options: Parameters<typeof WebGpuBackend.create>[1]): Promise<string> {
      const adapter = await navigator.gpu?.requestAdapter();
      if (!adapter) throw new Error(navigator.gpu ? 'navigator.gpu gave no adapter' : 'no navigator.gpu');
      backend = await WebGpuBackend.create(adapter, options);
      return `${backend.adapterDescription}, int8 weights unpacked with ${backend.int8Unpack}`;
    },
    /** Runs `commands` in order, then reads `read` back (base64 of its f32 values). */
    async run(commands: RemoteCommand[], read?: { id: number; elements: number }): Promise<string | undefined> {
      for (const command of commands) await run(command);
      if (!read) return undefined;
      return toBase64(await backend!.read(handles.get(read.id) as never, read.elements));
    },
    dispose(): void {
      backend?.dispose();
      backend = undefined;
      handles.clear();
    },
  },
});
