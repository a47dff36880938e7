/**
 * Reconciliation (对账) of one provider's day: our ledger against the provider's books, in one pass
 * keyed by order number (two Maps, no nested loop), pure and synchronous so it is tested and
 * benchmarked on its own. The run (run.ts) loads both sides and stores the result.
 *
 * The trade uses 长款/短款 both ways round; here, always from the store's side:
 * - 长款 long: the provider holds money for an order our books do not have as paid.
 * - 短款 short: our books say paid, the provider does not have the money.
 * Each row gets the seed's `issue` (0 存疑, 1 长款, 2 短款, 3 异常, 4 正常, 5 已冲正, 6 已退款) and each
 * order its `reconciliation_status` (1 已对账, 2 未对账, 3 异常, 4 已冲正, 5 存疑).
 *
 * @see seeds/002 /pay/order_details (bill_info.issue), /pay/consume_order (reconciliation_status)
 */
import { formatYuan } from '../../contract/money.ts';
import type { ProviderBillEntry } from '../providers/types.ts';

export const ISSUE = { doubtful: 0, long: 1, short: 2, abnormal: 3, normal: 4, reversed: 5, refunded: 6 } as const;
export type Issue = (typeof ISSUE)[keyof typeof ISSUE];

export const RECON_STATUS = { reconciled: 1, unreconciled: 2, abnormal: 3, reversed: 4, doubtful: 5 } as const;
export type ReconStatus = (typeof RECON_STATUS)[keyof typeof RECON_STATUS];

/** The seed's notes, zh-CN as the seed prints them (正常…); the row's `note` adds the figures. */
export const ISSUE_NAMES: Record<Issue, string> = { 0: '存疑', 1: '长款', 2: '短款', 3: '异常', 4: '正常', 5: '已冲正', 6: '已退款' };

/** One of our payments as reconciliation sees it (a lean ledger row). */
export interface OurOrder {
  outNo: string;
  status: 'unknown' | 'paying' | 'paid' | 'failed' | 'cancelled' | 'refunded';
  amountFen: number;
  refundedFen: number;
  /** Refunded by our automatic reversal of a late payment (error_code `reversed`). */
  reversed: boolean;
  /** paid_at, else created_at (ISO 8601). */
  at: string;
  providerRef?: string;
  tradeNo?: string;
  terminalId: string;
}

export interface ReconRow {
  /** Our order number, or the provider's reference for money we have no order for. */
  key: string;
  issue: Issue;
  note: string;
  ours?: OurOrder;
  theirs?: ProviderBillEntry;
  /** The order's new reconciliation_status; undefined when there is no order of ours. */
  status?: ReconStatus;
}

export interface MatchOptions {
  /** End of the day being reconciled (exclusive), epoch ms. */
  dayEndMs: number;
  /** A payment of ours this close to midnight that the provider has not booked is carried to the next day. */
  carryWindowMs: number;
  /** The provider's list is its whole day: an order we never made would show (else only ours were read). */
  complete: boolean;
  /** Finds an order of ours outside the day's set (the provider booked it on another day than we did). */
  lookup?: (outNo: string) => OurOrder | undefined;
}

export interface MatchResult {
  rows: ReconRow[];
  /** Paid just before midnight and not on the provider's bill yet: the next day's run decides. */
  carried: OurOrder[];
}

const MONEY: ReadonlySet<OurOrder['status']> = new Set(['paid', 'refunded']);
const UNSETTLED: ReadonlySet<OurOrder['status']> = new Set(['unknown', 'paying']);

const yuan = (fen: number) => `¥${formatYuan(fen)}`;

/** What the provider holds for an entry once its refunds are out. */
function heldFen(e: ProviderBillEntry): number {
  return e.state === 'paid' || e.state === 'refunded' ? e.amountFen - e.refundedFen : 0;
}

export function matchDay(ours: readonly OurOrder[], theirs: readonly ProviderBillEntry[], opts: MatchOptions): MatchResult {
  const byOutNo = new Map<string, OurOrder>();
  for (const o of ours) byOutNo.set(o.outNo, o);
  const seen = new Set<string>();
  const rows: ReconRow[] = [];

  for (const e of theirs) {
    const o = e.outNo ? (byOutNo.get(e.outNo) ?? opts.lookup?.(e.outNo)) : undefined;
    if (o) {
      if (seen.has(o.outNo)) continue; // the provider listed it twice: once is enough
      seen.add(o.outNo);
    }
    const row = classify(o, e);
    if (row) rows.push(row);
  }

  const carried: OurOrder[] = [];
  for (const o of ours) {
    if (seen.has(o.outNo)) continue;
    if (UNSETTLED.has(o.status)) {
      rows.push({ key: o.outNo, issue: ISSUE.doubtful, ours: o, status: RECON_STATUS.doubtful, note: '存疑：本单支付结果仍在确认中 / Doubtful: our result is still being confirmed' });
      continue;
    }
    if (!MONEY.has(o.status)) continue; // never charged, and the provider has nothing: nothing to reconcile
    if (opts.complete && Date.parse(o.at) >= opts.dayEndMs - opts.carryWindowMs) {
      carried.push(o);
      continue;
    }
    const net = o.amountFen - o.refundedFen;
    if (net === 0 && o.status === 'refunded') {
      // Charged and refunded in full, and the provider lists neither: nothing is held either way.
      rows.push({ key: o.outNo, issue: o.reversed ? ISSUE.reversed : ISSUE.refunded, ours: o, status: o.reversed ? RECON_STATUS.reversed : RECON_STATUS.reconciled, note: `${o.reversed ? '已冲正' : '已退款'}：渠道账单无此单，账本已全额退款 / ${o.reversed ? 'Reversed' : 'Refunded'} in full; not on the provider's bill` });
      continue;
    }
    rows.push({ key: o.outNo, issue: ISSUE.short, ours: o, status: RECON_STATUS.abnormal, note: `短款：账本已收 ${yuan(net)}，渠道账单没有此单 / Short: our books have ${yuan(net)}, the provider has no such order` });
  }
  return { rows, carried };
}

function classify(o: OurOrder | undefined, e: ProviderBillEntry): ReconRow | undefined {
  const key = o?.outNo ?? e.outNo ?? e.providerRef ?? e.tradeNo ?? '';
  const held = heldFen(e);
  if (!o) {
    if (held <= 0) return undefined; // no money either side
    return { key, issue: ISSUE.long, theirs: e, note: `长款：渠道收款 ${yuan(held)}，账本没有此单 / Long: the provider holds ${yuan(held)} for an order we have no record of` };
  }
  const row = (issue: Issue, status: ReconStatus, note: string): ReconRow => ({ key, issue, ours: o, theirs: e, status, note });
  if (UNSETTLED.has(o.status)) return row(ISSUE.doubtful, RECON_STATUS.doubtful, `存疑：渠道记为${e.state === 'paid' ? '已支付' : e.state}，本单结果仍在确认中 / Doubtful: the provider says ${e.state}; our result is still being confirmed`);
  if (!MONEY.has(o.status)) {
    if (held > 0) return row(ISSUE.long, RECON_STATUS.abnormal, `长款：渠道收款 ${yuan(held)}，账本记为未支付 / Long: the provider holds ${yuan(held)}; our books say not paid`);
    if (e.state === 'reversed') return row(ISSUE.reversed, RECON_STATUS.reversed, '已冲正：渠道已冲正，账本未收款 / Reversed at the provider; not paid in our books');
    return undefined;
  }
  // Ours is money (paid or refunded).
  if (e.state === 'unpaid') return row(ISSUE.short, RECON_STATUS.abnormal, `短款：账本已收 ${yuan(o.amountFen - o.refundedFen)}，渠道记为未支付 / Short: our books have it paid, the provider says not paid`);
  if (e.state === 'reversed') {
    if (o.refundedFen === o.amountFen) return row(ISSUE.reversed, RECON_STATUS.reversed, '已冲正：双方一致 / Reversed, both sides agree');
    return row(ISSUE.short, RECON_STATUS.abnormal, `短款：渠道已冲正，账本记为已收 ${yuan(o.amountFen - o.refundedFen)} / Short: reversed at the provider, our books have it paid`);
  }
  if (e.amountFen !== o.amountFen) {
    return row(ISSUE.abnormal, RECON_STATUS.abnormal, `异常：金额不符，账本 ${yuan(o.amountFen)}，渠道 ${yuan(e.amountFen)} / Abnormal: amounts differ, ours ${yuan(o.amountFen)}, the provider's ${yuan(e.amountFen)}`);
  }
  if (e.refundedFen !== o.refundedFen) {
    const more = e.refundedFen > o.refundedFen;
    return row(
      ISSUE.abnormal,
      RECON_STATUS.abnormal,
      more
        ? `异常：渠道有账本未记录的退款 ${yuan(e.refundedFen - o.refundedFen)} / Abnormal: a refund of ${yuan(e.refundedFen - o.refundedFen)} at the provider is not in our books`
        : `异常：账本的退款 ${yuan(o.refundedFen - e.refundedFen)} 渠道没有 / Abnormal: ${yuan(o.refundedFen - e.refundedFen)} refunded in our books is not at the provider`,
    );
  }
  if (o.refundedFen > 0) {
    if (o.reversed) return row(ISSUE.reversed, RECON_STATUS.reversed, '已冲正：迟到的付款已自动全额退款，双方一致 / Reversed: a late payment refunded in full, both sides agree');
    return row(ISSUE.refunded, RECON_STATUS.reconciled, `已退款：退款 ${yuan(o.refundedFen)}，双方一致 / Refunded ${yuan(o.refundedFen)}, both sides agree`);
  }
  return row(ISSUE.normal, RECON_STATUS.reconciled, '正常 / Normal');
}

/** The run's header figures (seed 002 /pay/check_bills header), from its rows. */
export function headerOf(rows: readonly { issue: Issue; payMoney: number }[]) {
  let success = 0;
  let successFen = 0;
  let abnormal = 0;
  let abnormalFen = 0;
  let totalFen = 0;
  for (const r of rows) {
    totalFen += r.payMoney;
    if (r.issue === ISSUE.normal || r.issue === ISSUE.refunded || r.issue === ISSUE.reversed) {
      success++;
      successFen += r.payMoney;
    } else {
      abnormal++;
      abnormalFen += r.payMoney;
    }
  }
  return {
    always_singular: rows.length,
    total: totalFen,
    singular_success: success,
    singular_amount: successFen,
    abnormal_singular: abnormal,
    abnormal_amount: abnormalFen,
  };
}
