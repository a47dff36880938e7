/**
 * 微收银's books for one China day, read bill by bill: the seed has no day list or 对账单, only
 * `read` (读取账单接口) per dm_id, so only the payments we know of can be read (`complete: false`;
 * money the provider holds for a bill we never heard of cannot show).
 *
 * What an entry means (the same as mct1's, see mct1/day-bill.ts):
 * - `amountFen` pay_total; `refundedFen` −refund_total, every refund so far (the seed: "若存在该参数，则该
 *   订单可退款金额为refund_total+pay_total"); `state` `refunded` once that covers the amount, else `paid`;
 *   `bookedAt` pay_time; `tradeNo` the pay_id of the payment line (the wallet's transaction number);
 *   `channel` from the answer's pay_type name (微信 / 支付宝), else from the method's code. No payer:
 *   `read` does not give the openid.
 * - The day holds a bill paid on that day, or a bill of another day with a refund line on that day
 *   (it appears with its own pay_time). A bill read for any other day is left out, as a day list
 *   would leave it out.
 * - A bill the provider says does not exist (账单不存在) is absent. One it says is not paid (账单未支付)
 *   is an `unpaid` entry with our amount (the answer has none). Any other refusal, or an unreadable
 *   answer, fails the whole day: a bill that could not be read must not look like a missing one.
 * @see seeds/001 §4 3.4 读取账单接口
 */
import type { PaymentRef, ProviderBillEntry } from '../types.ts';
import type { ReadAnswer } from './codec.ts';

/** Bills read at once. */
export const READ_CONCURRENCY = 4;

const CHINA_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;

/** "2026-11-23" → the China day's bounds, epoch ms (end exclusive); undefined when not a real day. */
export function dayRange(day: unknown): { startMs: number; endMs: number } | undefined {
  if (typeof day !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const utc = Date.parse(`${day}T00:00:00Z`);
  if (!Number.isFinite(utc) || new Date(utc).toISOString().slice(0, 10) !== day) return undefined;
  return { startMs: utc - CHINA_OFFSET_MS, endMs: utc - CHINA_OFFSET_MS + DAY_MS };
}

/** 微信 / 支付宝 by the provider's name for the method, else by its code (o2o_dm_code_wxpaysub, …alipay…). */
export function channelOf(name: string | undefined, code: string | undefined): 'wechat' | 'alipay' | 'other' {
  for (const text of [name, code]) {
    if (!text) continue;
    if (/微信|wechat|weixin|wxpay/i.test(text)) return 'wechat';
    if (/支付宝|alipay/i.test(text)) return 'alipay';
  }
  return 'other';
}

/**
 * One `read` answer (ok=1) as the day's entry, or undefined when it belongs to no line of that day.
 * @see seeds/001 §4 3.4 读取账单接口 (pay_total, pay_time, refund_total, <pay> lines)
 */
export function readEntry(a: ReadAnswer, ref: PaymentRef, day: { startMs: number; endMs: number }): ProviderBillEntry | undefined {
  const amountFen = a.payTotalFen ?? 0;
  const refundedFen = Math.max(0, -a.refundTotalFen);
  const onDay = (iso: string | undefined) => {
    const ms = iso ? Date.parse(iso) : NaN;
    return ms >= day.startMs && ms < day.endMs;
  };
  if (a.paidAt && !onDay(a.paidAt) && !a.lines.some((l) => l.totalFen < 0 && onDay(l.at))) return undefined;
  const e: ProviderBillEntry = {
    outNo: ref.outNo,
    providerRef: a.dmId ?? ref.providerRef,
    amountFen,
    refundedFen,
    state: amountFen > 0 && refundedFen >= amountFen ? 'refunded' : 'paid',
    channel: channelOf(a.payType ?? a.lines[0]?.payName, ref.method?.code),
  };
  const tradeNo = a.lines.find((l) => l.totalFen > 0)?.payId;
  if (tradeNo) e.tradeNo = tradeNo;
  if (a.paidAt) e.bookedAt = a.paidAt;
  return e;
}

/** A bill the provider says is not paid (yet): our amount, as the answer carries none. */
export function unpaidEntry(ref: PaymentRef): ProviderBillEntry {
  return { outNo: ref.outNo, providerRef: ref.providerRef, amountFen: ref.amountFen, refundedFen: 0, state: 'unpaid', channel: channelOf(undefined, ref.method?.code) };
}

/**
 * Runs `fn` over `items`, at most `limit` at once, results in the items' order. The first failure
 * stops new calls (those running finish) and is the result.
 */
export async function inPool<T, U, F extends { ok: false }>(items: readonly T[], limit: number, fn: (item: T) => Promise<{ ok: true; value: U } | F>): Promise<{ ok: true; values: U[] } | F> {
  const values: U[] = new Array(items.length);
  let next = 0;
  let failure: F | undefined;
  async function worker() {
    while (!failure && next < items.length) {
      const i = next++;
      const r = await fn(items[i]);
      if (!r.ok) failure ??= r;
      else values[i] = r.value;
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return failure ?? { ok: true, values };
}
