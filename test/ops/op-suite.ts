// Runs a table of op cases on every backend under test, one describe per backend.
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Backend } from '../../src/backends/backend.js';
import { BACKENDS_UNDER_TEST } from '../backends.js';

export function describeOnBackends<Case extends { name: string }>(op: string, cases: Case[], check: (backend: Backend, c: Case) => Promise<void>): void {
  for (const backendCase of BACKENDS_UNDER_TEST) {
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
