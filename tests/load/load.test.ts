/**
 * The load test in a short, bounded form (bench/load.ts has the driver; `npm run bench` runs it long
 * and prints the figures): 8 tills pay through the proxy and both sandboxes at once — most at once,
 * some after the password, some declined, a manager refunding now and then — on an on-disk ledger.
 * Not a timing test: it asserts that nothing was lost or charged twice and that every payment ended
 * final, in the ledger and in the providers' own books, however fast this machine is.
 */
import { describe, expect, it } from 'vitest';
import { runLoad } from '../../bench/load.ts';

describe('load: many tills at once', () => {
  it('8 tills for 6 s (at most 600 payments): every payment in the ledger once, final, charged once or not at all', async () => {
    const report = await runLoad({ terminals: 8, seconds: 6, max: 600, refundEveryMs: 100 });

    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.errors, report.errorSamples.join('\n')).toBe(0);
    // Every kind of payment and both providers took part (one in 20 waits for the password, one in 20 is declined).
    expect(report.payments).toBeGreaterThanOrEqual(20);
    expect(report.kinds.password).toBeGreaterThan(0);
    expect(report.kinds.declined).toBeGreaterThan(0);
    expect(report.providers.weishouyin).toBeGreaterThan(0);
    expect(report.providers.mct1).toBeGreaterThan(0);
    expect(report.refunds).toBeGreaterThan(0);
  }, 60_000);
});
