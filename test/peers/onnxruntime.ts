// onnxruntime-web's WASM backend in Node, single-threaded: the independent reference implementation.
import * as ort from 'onnxruntime-web';

ort.env.wasm.numThreads = 1;

export async function createOrtSession(onnx: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(onnx, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
}

/** Runs the model's single input -> single output on NCHW `input`. */
export async function runOrt(session: ort.InferenceSession, input: Float32Array, dims: number[]): Promise<Float32Array> {
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', input, dims) };
  const results = await session.run(feeds);
  return results[session.outputNames[0]].data as Float32Array;
}

export async function runOnnxOnce(onnx: Uint8Array, input: Float32Array, dims: number[]): Promise<Float32Array> {
  const session = await createOrtSession(onnx);
  try {
    return await runOrt(session, input, dims);
  } finally {
    await session.release();
  }
}
