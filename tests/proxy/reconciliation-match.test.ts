/** The reconciliation engine on its own: every classification and carrying over midnight (its speed: npm run bench). */
import { describe, expect, it } from 'vitest';
import { headerOf, ISSUE, matchDay, RECON_STATUS, type OurOrder } from '../../proxy/reconciliation/match.ts';
import type { ProviderBillEntry } from '../../proxy/providers/types.ts';

const DAY_END = Date.parse('2026-11-22T16:00:00Z'); // 2026-11-23 00:00 China time
const at = (chinaTime: string) => new Date(Date.parse(`${chinaTime}+08:00`)).toISOString();

function ours(outNo: string, o: Partial<OurOrder> = {}): OurOrder {
  return { outNo, status: 'paid', amountFen: 1000, refundedFen: 0, reversed: false, at: at('2026-11-22T12:00:00'), terminalId: 'T1', ...o };
}
function theirs(outNo: string | undefined, e: Partial<ProviderBillEntry> = {}): ProviderBillEntry {
  return { outNo, providerRef: `R${outNo ?? 'x'}`, amountFen: 1000, refundedFen: 0, state: 'paid', ...e };
}
const opts = { dayEndMs: DAY_END, carryWindowMs: 30 * 60_000, complete: true };

function one(o: OurOrder | undefined, e: ProviderBillEntry | undefined, options = opts) {
  const r = matchDay(o ? [o] : [], e ? [e] : [], options);
  return { row: r.rows[0], rows: r.rows, carried: r.carried };
}

describe('matchDay: one order, both sides', () => {
  it('equal amounts, nothing refunded: 正常, reconciled', () => {
    const { row } = one(ours('A'), theirs('A'));
    expect(row).toMatchObject({ key: 'A', issue: ISSUE.normal, status: RECON_STATUS.reconciled });
  });

  it('an amount off by 1 fen: 异常 with both figures in the note', () => {
    const { row } = one(ours('A'), theirs('A', { amountFen: 1001 }));
    expect(row).toMatchObject({ issue: ISSUE.abnormal, status: RECON_STATUS.abnormal });
    expect(row.note).toContain('¥10.00');
    expect(row.note).toContain('¥10.01');
  });

  it('a refund at the provider that our books never recorded: 异常, the refund named', () => {
    const { row } = one(ours('A'), theirs('A', { refundedFen: 300, state: 'paid' }));
    expect(row).toMatchObject({ issue: ISSUE.abnormal, status: RECON_STATUS.abnormal });
    expect(row.note).toContain('¥3.00');
    expect(row.note).toContain('未记录的退款');
  });

  it('refunds that agree: 已退款, reconciled', () => {
    const { row } = one(ours('A', { status: 'refunded', refundedFen: 1000 }), theirs('A', { state: 'refunded', refundedFen: 1000 }));
    expect(row).toMatchObject({ issue: ISSUE.refunded, status: RECON_STATUS.reconciled });
    const partial = one(ours('B', { refundedFen: 400 }), theirs('B', { refundedFen: 400 })).row;
    expect(partial).toMatchObject({ issue: ISSUE.refunded, status: RECON_STATUS.reconciled });
  });

  it('our automatic reversal of a late payment, refunded in full at the provider: 已冲正', () => {
    const { row } = one(ours('A', { status: 'refunded', refundedFen: 1000, reversed: true }), theirs('A', { state: 'refunded', refundedFen: 1000 }));
    expect(row).toMatchObject({ issue: ISSUE.reversed, status: RECON_STATUS.reversed });
  });

  it('reversed at the provider while we say paid: 短款; a sale we never took that the provider reversed: 已冲正', () => {
    expect(one(ours('A'), theirs('A', { state: 'reversed' })).row).toMatchObject({ issue: ISSUE.short, status: RECON_STATUS.abnormal });
    expect(one(ours('B', { status: 'cancelled' }), theirs('B', { state: 'reversed' })).row).toMatchObject({ issue: ISSUE.reversed, status: RECON_STATUS.reversed });
  });

  it('the provider holds money for a sale our books have as failed: 长款 on our order', () => {
    const { row } = one(ours('A', { status: 'failed' }), theirs('A'));
    expect(row).toMatchObject({ issue: ISSUE.long, status: RECON_STATUS.abnormal });
  });

  it('the provider says unpaid while we say paid: 短款', () => {
    expect(one(ours('A'), theirs('A', { state: 'unpaid' })).row).toMatchObject({ issue: ISSUE.short, status: RECON_STATUS.abnormal });
  });

  it('our result still unknown: 存疑 (doubtful) whatever the provider says', () => {
    expect(one(ours('A', { status: 'unknown' }), theirs('A')).row).toMatchObject({ issue: ISSUE.doubtful, status: RECON_STATUS.doubtful });
    expect(one(ours('B', { status: 'paying' }), undefined).row).toMatchObject({ issue: ISSUE.doubtful, status: RECON_STATUS.doubtful });
  });
});

describe('matchDay: one side only', () => {
  it('on the provider\'s bill, not in our books: 长款, no order to mark', () => {
    const { row } = one(undefined, theirs('ZZ'));
    expect(row).toMatchObject({ key: 'ZZ', issue: ISSUE.long });
    expect(row.status).toBeUndefined();
    // An unpaid or reversed order we never made holds no money: no row.
    expect(one(undefined, theirs('ZZ', { state: 'unpaid' })).rows).toEqual([]);
  });

  it('paid in our books, missing from the provider\'s: 短款', () => {
    const { row } = one(ours('A'), undefined);
    expect(row).toMatchObject({ issue: ISSUE.short, status: RECON_STATUS.abnormal });
    expect(row.note).toContain('短款');
  });

  it('failed or cancelled in our books and unknown to the provider: nothing to reconcile', () => {
    expect(one(ours('A', { status: 'failed' }), undefined).rows).toEqual([]);
    expect(one(ours('A', { status: 'cancelled' }), undefined).rows).toEqual([]);
  });

  it('paid just before midnight and not on the bill: carried to the next day, not short', () => {
    const late = ours('L', { at: at('2026-11-22T23:50:00') });
    const r = one(late, undefined);
    expect(r.rows).toEqual([]);
    expect(r.carried.map((o) => o.outNo)).toEqual(['L']);
    // Outside the window it is short.
    expect(one(ours('E', { at: at('2026-11-22T23:20:00') }), undefined).row).toMatchObject({ issue: ISSUE.short });
    // When only our own bills could be read, "not on the bill" means the provider does not have it.
    expect(one(late, undefined, { ...opts, complete: false }).row).toMatchObject({ issue: ISSUE.short });
  });

  it('an order the provider booked on this day but we on another is found by lookup, once', () => {
    const other = ours('P', { at: at('2026-11-21T23:55:00') });
    const r = matchDay([], [theirs('P'), theirs('P')], { ...opts, lookup: (no) => (no === 'P' ? other : undefined) });
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0]).toMatchObject({ key: 'P', issue: ISSUE.normal, status: RECON_STATUS.reconciled });
  });
});

describe('matchDay: a whole day', () => {
  it('classifies a mixed day and its header adds up to the fen', () => {
    const ourSide = [ours('N1'), ours('N2', { amountFen: 250 }), ours('S1', { amountFen: 700 }), ours('X1', { amountFen: 1234 }), ours('F1', { status: 'failed' })];
    const bill = [theirs('N1'), theirs('N2', { amountFen: 250 }), theirs('X1', { amountFen: 1235 }), theirs('EXTRA', { amountFen: 99 })];
    const { rows } = matchDay(ourSide, bill, opts);
    const byKey = Object.fromEntries(rows.map((r) => [r.key, r.issue]));
    expect(byKey).toEqual({ N1: ISSUE.normal, N2: ISSUE.normal, X1: ISSUE.abnormal, EXTRA: ISSUE.long, S1: ISSUE.short });
    const header = headerOf(rows.map((r) => ({ issue: r.issue, payMoney: r.ours?.amountFen ?? r.theirs!.amountFen })));
    expect(header).toEqual({ always_singular: 5, total: 1000 + 250 + 1234 + 99 + 700, singular_success: 2, singular_amount: 1250, abnormal_singular: 3, abnormal_amount: 1234 + 99 + 700 });
  });
});
