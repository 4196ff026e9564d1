// What every fuzz case must end as, and the per-outcome counts the suites report.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { AlexNetError } from '../../src/errors.js';

/** The error codes README's table documents: a case may end only in one of these, or in success. */
export const DOCUMENTED_CODES: ReadonlySet<string> = (() => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const table = readme.slice(readme.indexOf('| code | when |'));
  const rows = table.slice(0, table.indexOf('\n\n')).split('\n').slice(2);
  return new Set(rows.flatMap((row) => [...row.split('|')[1].matchAll(/`([A-Z_]+)`/g)].map((m) => m[1])));
})();

const requestedScale = Number(process.env.FUZZ_SCALE ?? 1);
const SCALE = Number.isFinite(requestedScale) && requestedScale > 0 ? requestedScale : 1;

/** Cases per suite: a few thousand in all by default; FUZZ_SCALE=10 runs ten times as many. */
export function caseCount(base: number): number {
  return Math.max(1, Math.round(base * SCALE));
}

/** A suite's time limit: vitest's two minutes, stretched with FUZZ_SCALE. */
export const SUITE_TIMEOUT_MS = 120_000 * Math.max(1, SCALE);

/** Hang and blow-up guards, far above what a case needs (a tiny network loads and runs in milliseconds). */
export const LIMITS = { caseMs: 15_000, rssBytes: 2 * 1024 ** 3 };

/** Counts of outcomes ('ok' or an error code) of one suite. */
export class Outcomes {
  private readonly counts = new Map<string, number>();

  /**
   * Runs one case: it must succeed or throw an AlexNetError with a documented code, within
   * LIMITS.caseMs, leaving the process under LIMITS.rssBytes. Returns 'ok' or the code.
   */
  async settle(name: string, run: () => Promise<void> | void): Promise<string> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`case ${name} did not settle within ${LIMITS.caseMs} ms`)), LIMITS.caseMs);
    });
    let outcome = 'ok';
    try {
      await Promise.race([Promise.resolve().then(run), hung]);
    } catch (error) {
      if (!(error instanceof AlexNetError)) throw new Error(`case ${name} threw ${(error as Error)?.stack ?? String(error)}`, { cause: error });
      if (!DOCUMENTED_CODES.has(error.code)) throw new Error(`case ${name} ended in ${error.code}, which README's error table does not list`);
      expect(error.message.length, `case ${name}: message`).toBeGreaterThan(10);
      outcome = error.code;
    } finally {
      clearTimeout(timer);
    }
    const elapsed = performance.now() - started;
    if (elapsed > LIMITS.caseMs) throw new Error(`case ${name} took ${elapsed.toFixed(0)} ms`);
    const rss = process.memoryUsage().rss;
    if (rss > LIMITS.rssBytes) throw new Error(`after case ${name} the process holds ${(rss / 1e6).toFixed(0)} MB`);
    this.counts.set(outcome, (this.counts.get(outcome) ?? 0) + 1);
    return outcome;
  }

  get total(): number {
    return [...this.counts.values()].reduce((a, b) => a + b, 0);
  }

  /** "ok 120, WEIGHTS_CORRUPT 300, ...", most frequent first. */
  report(title: string): string {
    const parts = [...this.counts].sort((a, b) => b[1] - a[1]).map(([outcome, count]) => `${outcome} ${count}`);
    return `${title}: ${this.total} cases: ${parts.join(', ')}`;
  }

  count(outcome: string): number {
    return this.counts.get(outcome) ?? 0;
  }
}

/** Every number finite: a NaN or infinity must have become NUMERIC_ERROR instead. */
export function expectFinite(values: ArrayLike<number>, what: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new Error(`${what}: value ${i} is ${values[i]}, not a finite number`);
  }
}
