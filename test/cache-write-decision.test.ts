// When the Cache API copy of a download is written (src/browser/cache-write-decision.ts), on fake
// timers: the browser test (test/browser/cache.test.ts) keeps only the order of events in a real page.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CacheWriteDecision, WRITE_AFTER_MS } from '../src/browser/cache-write-decision.js';

/** What `decision` decided so far: true, false, or undefined while open. */
function outcome(decision: CacheWriteDecision): () => boolean | undefined {
  let decided: boolean | undefined;
  void decision.decided.then((write) => (decided = write));
  return () => decided;
}

describe('when the cached copy of a download is written', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('at the first answer, when it comes before WRITE_AFTER_MS', async () => {
    const decision = new CacheWriteDecision();
    const decided = outcome(decision);
    await vi.advanceTimersByTimeAsync(WRITE_AFTER_MS - 1);
    expect(decided()).toBeUndefined();
    decision.write();
    await vi.advanceTimersByTimeAsync(0);
    expect(decided()).toBe(true);
    // Its timer is gone: nothing keeps a process or page busy for it.
    expect(vi.getTimerCount()).toBe(0);
  });

  it('WRITE_AFTER_MS after the download began, when no answer came (a slow download is written as it arrives)', async () => {
    const decided = outcome(new CacheWriteDecision());
    await vi.advanceTimersByTimeAsync(WRITE_AFTER_MS);
    expect(decided()).toBe(true);
  });

  it('never once loading failed, whatever comes after', async () => {
    const decision = new CacheWriteDecision();
    const decided = outcome(decision);
    decision.drop();
    decision.write();
    await vi.advanceTimersByTimeAsync(WRITE_AFTER_MS * 2);
    expect(decided()).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('once: a failure after the write began does not take it back', async () => {
    const decision = new CacheWriteDecision();
    const decided = outcome(decision);
    decision.write();
    decision.drop();
    await vi.advanceTimersByTimeAsync(0);
    expect(decided()).toBe(true);
  });
});
