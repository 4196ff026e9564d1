// The backend-fallback policy (src/classifier/fallback.ts) as a table: what the classifier selects
// after a failure, for each backend asked for. The moves themselves run in Chromium
// (test/browser/webgpu.test.ts: a device lost, a GPU out of memory mid-run).
import { describe, expect, it } from 'vitest';
import { fallbackChoices } from '../src/classifier/fallback.js';

describe('backend fallback policy', () => {
  it.each([
    // asked, failed, failure, when, then try
    ['auto', 'webgpu', 'out-of-memory', 'loading', ['wasm']],
    ['webgpu', 'webgpu', 'out-of-memory', 'loading', []],
    ['auto', 'webgpu', 'device-lost', 'loading', []],
    ['wasm', 'wasm', 'out-of-memory', 'loading', []],
    ['auto', 'webgpu', 'out-of-memory', 'running', ['wasm']],
    ['auto', 'webgpu', 'device-lost', 'running', ['auto']],
    ['webgpu', 'webgpu', 'device-lost', 'running', ['webgpu', 'wasm']],
    ['webgpu', 'webgpu', 'out-of-memory', 'running', ['webgpu', 'wasm']],
  ] as const)('asked %s, %s %s while %s: try %j', (asked, failed, failure, when, expected) => {
    expect(fallbackChoices(asked, failed, failure, when)).toEqual(expected);
  });
});
