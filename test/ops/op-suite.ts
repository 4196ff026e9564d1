// Runs a table of op cases on every backend under test: WebGPU (and extra code paths) once, each wasm
// kernel build at 1, 2, 3 and 4 threads. Every output is checked against the scalar reference within
// the table's tolerance; the threaded outputs must also equal the single-threaded one bit for bit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Arithmetic, Backend } from '../../src/backends/backend.js';
import { THREAD_COUNTS_UNDER_TEST, WASM_BUILDS_UNDER_TEST, WEBGPU_UNDER_TEST, type BackendUnderTest } from '../backends.js';
import { expectClose } from '../close.js';

export interface OpTable<Case extends { name: string }, Data> {
  cases: Case[];
  /** A case's inputs and the scalar reference's output, made once and shared by every backend. */
  prepare(c: Case): Data & { expected: Float32Array };
  /** The op's output on `backend`. */
  run(backend: Backend, c: Case, data: Data): Promise<Float32Array>;
  /** Every |actual - expected| <= atol + rtol * |expected|. */
  tolerance: { atol: number; rtol: number };
  /** Backends only this op runs on too (another code path of one backend). */
  extraBackends?: BackendUnderTest[];
  /** The wasm backends' arithmetic for int8 weights (default 'f32'); 'int8' tables do not run on WebGPU, which computes in f32. */
  arithmetic?: Arithmetic;
  /** A further check of every backend's output (e.g. against a second reference within a derived bound). */
  check?(actual: Float32Array, c: Case, data: Data & { expected: Float32Array }): void;
}

/** The first index where `actual` and `expected` differ in any bit (NaN payloads included), or 'identical'. */
function firstDifference(actual: Float32Array, expected: Float32Array): string {
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const b = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  if (a.length !== b.length) return `length ${a.length} vs ${b.length}`;
  const i = a.findIndex((bits, index) => bits !== b[index]);
  return i < 0 ? 'identical' : `index ${i}: ${actual[i]} vs ${expected[i]}`;
}

export function describeOnBackends<Case extends { name: string }, Data>(op: string, table: OpTable<Case, Data>): void {
  const prepared = new Map<Case, Data & { expected: Float32Array }>();
  const dataOf = (c: Case) => {
    if (!prepared.has(c)) prepared.set(c, table.prepare(c));
    return prepared.get(c)!;
  };
  const checkAgainstReference = async (backend: Backend, c: Case): Promise<Float32Array> => {
    const data = dataOf(c);
    const actual = await table.run(backend, c, data);
    expectClose(actual, data.expected, table.tolerance.atol, table.tolerance.rtol);
    table.check?.(actual, c, data);
    // A reference of zeros would let a backend that writes nothing pass.
    expect(data.expected.some((v) => v !== 0)).toBe(true);
    return actual;
  };

  for (const build of WASM_BUILDS_UNDER_TEST) {
    const label = `${op} on ${build.name}, threads ${THREAD_COUNTS_UNDER_TEST.join(', ')}${build.absentBecause ? ` (absent: ${build.absentBecause})` : ''}`;
    describe.skipIf(build.absentBecause)(label, () => {
      const backends: Backend[] = [];
      beforeAll(async () => {
        for (const threads of THREAD_COUNTS_UNDER_TEST) backends.push(await build.create(threads, table.arithmetic));
      });
      afterAll(() => backends.forEach((backend) => backend.dispose()));
      it.each(table.cases)('$name', async (c) => {
        const outputs: Float32Array[] = [];
        for (const backend of backends) outputs.push(await checkAgainstReference(backend, c));
        THREAD_COUNTS_UNDER_TEST.forEach((threads, i) => {
          expect(`${threads} threads: ${firstDifference(outputs[i], outputs[0])}`).toBe(`${threads} threads: identical`);
        });
      });
    });
  }

  const gpu = table.arithmetic === 'int8' ? [] : [WEBGPU_UNDER_TEST];
  for (const backendCase of [...gpu, ...(table.extraBackends ?? [])]) {
    const label = `${op} on ${backendCase.name}${backendCase.absentBecause ? ` (absent: ${backendCase.absentBecause})` : ''}`;
    describe.skipIf(backendCase.absentBecause)(label, () => {
      let backend: Backend;
      beforeAll(async () => {
        backend = await backendCase.create();
      });
      afterAll(() => backend?.dispose());
      it.each(table.cases)('$name', async (c) => {
        await checkAgainstReference(backend, c);
      });
    });
  }
}
