// Runs a table of op cases on every backend under test, one describe per backend.
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Backend } from '../../src/backends/backend.js';
import { BACKENDS_UNDER_TEST, type BackendUnderTest } from '../backends.js';

/** `extra`: backends only this op runs on too (another code path of one backend). */
export function describeOnBackends<Case extends { name: string }>(
  op: string, cases: Case[], check: (backend: Backend, c: Case) => Promise<void>, extra: BackendUnderTest[] = [],
): void {
  for (const backendCase of [...BACKENDS_UNDER_TEST, ...extra]) {
    const label = `${op} on ${backendCase.name}${backendCase.absentBecause ? ` (absent: ${backendCase.absentBecause})` : ''}`;
    describe.skipIf(backendCase.absentBecause)(label, () => {
      let backend: Backend;
      beforeAll(async () => {
        backend = await backendCase.create();
      });
      afterAll(() => backend?.dispose());
      it.each(cases)('$name', (c) => check(backend, c));
    });
  }
}
