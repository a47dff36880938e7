/**
 * mct1's books for one China day (对账单), from the order list: every order the provider lists for the
 * day, paged to the end, sales keyed by our out_no, each with what has been refunded of it so far.
 *
 * What the entries mean (the reconciliation compares them with the ledger as it is now):
 * - A sale (ord_type 1) listed on the day: `amountFen` its trade_amount, `refundedFen` every refund
 *   of it up to now — those of the day (ord_type 2 in the same list) and those of the days since
 *   (one more list: refunds from the next midnight until now). `bookedAt` is the time that puts it in
 *   the day's list: add_time (the seed's sdate/edate are "订单开始/结束日期", the order's date), or
 *   trade_time/trade_pay_time when add_time falls outside the day (a provider that lists by payment
 *   time).
 * - A sale of another day with a refund listed on this day: it appears too, with its own bookedAt
 *   (not on this day) and all its refunds so far, so the day's refund is accounted for against the
 *   sale it belongs to.
 * - A refund names its sale by original_ord_no only in order/view (§4.3.2; the list has no such
 *   field). The list does give the sale's trade_no on the refund (§4.2.4: the example's refund carries
 *   its sale's 2015103021001004950010956927), and a wallet's trade_no belongs to one payment, so a
 *   refund whose trade_no is that of exactly one sale of the day is that sale's — no call. Otherwise
 *   (cash and custom tenders have no trade_no; a sale of another day; two sales with one trade_no)
 *   order/view of the refund says, and its answer is cached (a refund's sale never changes).
 * - state: status 1 → `paid`, or `refunded` once the refunds cover the amount; 2 (待支付) and 9 (等待
 *   输入密码) → `unpaid`; 4 (已取消) → `unpaid`, or `reversed` when it carries a trade_pay_time (charged,
 *   then cancelled by the channel: 冲正) — mct1's own paycancel only cancels unpaid orders (§4.6).
 * - channel from pmt_tag (Weixin… → wechat, Alipay… → alipay, else other); payer: the channel's
 *   openid / buyer_user_id / buyer_id / buyer_logon_id in trade_result, else trade_account.
 * Bounded: a list longer than `maxPages` pages, or more than `maxViews` order/view calls, is refused
 * with a `response` error rather than read forever.
 * @see seeds/004 §4.2 获取订单列表 order, §4.3 查询订单明细 order/view, §4.7 payrefund
 */
import type { DayBill, DayBillRequest, ProviderBillEntry } from '../types.ts';
import { chinaTime, type Mct1Order, type OrderFilter, type OrderPage } from './codec.ts';
import { fail, type Mct1Error } from './errors.ts';

type Failure = { ok: false; error: Mct1Error };
type R<T> = ({ ok: true } & T) | Failure;

/** The seed's largest page. @see seeds/004 §4.2.1 (pagesize: 最多100) */
export const DAY_PAGE_SIZE = 100;
/** Pages read per list before giving up (200,000 orders at 100 a page). */
export const MAX_DAY_PAGES = 2000;
/** order/view calls per day bill before giving up. */
export const MAX_DAY_VIEWS = 500;
/** Refund → sale links remembered between day bills. */
const LINK_CACHE_SIZE = 10_000;

const CHINA_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;

export interface DayRange {
  day: string;
  /** Epoch ms of the day's first instant and of the next day's (exclusive). */
  startMs: number;
  endMs: number;
}

/** "2026-11-23" → the China day's bounds; undefined when not a real day. */
export function dayRange(day: unknown): DayRange | undefined {
  if (typeof day !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const utc = Date.parse(`${day}T00:00:00Z`);
  if (!Number.isFinite(utc) || new Date(utc).toISOString().slice(0, 10) !== day) return undefined;
  return { day, startMs: utc - CHINA_OFFSET_MS, endMs: utc - CHINA_OFFSET_MS + DAY_MS };
}

/** @see seeds/004 §4.1.2 (pmt_tag: Alipay, Weixin, WeixinBERL, AlipayCS, Cash, Diy, Baifubao…) */
export function channelOf(pmtTag: string | undefined): 'wechat' | 'alipay' | 'other' {
  if (!pmtTag) return 'other';
  if (/^(weixin|wechat|wx)/i.test(pmtTag)) return 'wechat';
  if (/^alipay/i.test(pmtTag)) return 'alipay';
  return 'other';
}

const PAYER_KEYS = ['openid', 'sub_openid', 'buyer_user_id', 'buyer_id', 'buyer_logon_id'];

function findPayer(v: unknown, depth: number): string | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v) || depth > 3) return undefined;
  const o = v as Record<string, unknown>;
  for (const k of PAYER_KEYS) {
    const x = o[k];
    if (typeof x === 'string' && x.trim() && x.length <= 128) return x.trim();
  }
  for (const x of Object.values(o)) {
    const found = findPayer(x, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/**
 * The payer: the channel's own id in trade_result (WeChat openid, Alipay buyer_user_id…), else
 * trade_account (交易帐号, often masked). trade_result is the channel's raw answer: unreadable is fine.
 * @see seeds/004 §4.2.2 (trade_account, trade_result), §4.2.4 (buyer_user_id in trade_result)
 */
export function payerOf(o: Mct1Order): string | undefined {
  if (o.tradeResult) {
    try {
      const found = findPayer(JSON.parse(o.tradeResult), 0);
      if (found) return found;
    } catch {
      // not JSON: fall through
    }
  }
  return o.tradeAccount;
}

/**
 * A sale's state in the books, given what has been refunded of it so far.
 * @see seeds/004 §4.2.2 (status: 1交易成功，2待支付，9待输入密码，4已取消), §4.6 (paycancel: 针对未支付的订单)
 */
export function saleState(o: Pick<Mct1Order, 'status' | 'tradeAmountFen' | 'tradePayTime'>, refundedFen: number): ProviderBillEntry['state'] {
  if (o.status === 1) return o.tradeAmountFen > 0 && refundedFen >= o.tradeAmountFen ? 'refunded' : 'paid';
  if (o.status === 4) return o.tradePayTime ? 'reversed' : 'unpaid';
  return 'unpaid';
}

/** The time that puts the order in the day's list: add_time, else a payment time on that day, else add_time anyway. */
export function bookedAtOn(o: Pick<Mct1Order, 'addTime' | 'tradeTime' | 'tradePayTime'>, range?: DayRange): string | undefined {
  const times = [o.addTime, o.tradeTime, o.tradePayTime].filter((t): t is string => !!t);
  if (range) {
    const inDay = times.find((t) => {
      const ms = Date.parse(t);
      return ms >= range.startMs && ms < range.endMs;
    });
    if (inDay) return inDay;
  }
  return times[0];
}

/** One sale as a bill entry. */
export function billEntry(o: Mct1Order, refundedFen: number, range?: DayRange): ProviderBillEntry {
  const e: ProviderBillEntry = { amountFen: o.tradeAmountFen, refundedFen, state: saleState(o, refundedFen), channel: channelOf(o.pmtTag), providerRef: o.ordNo };
  if (o.outNo) e.outNo = o.outNo;
  if (o.tradeNo) e.tradeNo = o.tradeNo;
  const at = bookedAtOn(o, range);
  if (at) e.bookedAt = at;
  const payer = payerOf(o);
  if (payer) e.payer = payer;
  return e;
}

export interface DayBillDeps {
  /** The order list (4.2). */
  orders(filter: OrderFilter): Promise<R<OrderPage>>;
  /** order/view (4.3) by ord_no. */
  view(ordNo: string): Promise<R<{ order: Mct1Order }>>;
  /** Every refund of a sale so far (for a sale of another day). */
  refundsOf(sale: Mct1Order, originalOf: (refund: Mct1Order) => Promise<R<{ ordNo?: string }>>): Promise<R<{ refunds: Mct1Order[] }>>;
  /** The provider's clock, epoch ms. */
  now(): number;
  pageSize?: number;
  maxPages?: number;
  maxViews?: number;
}

export interface DayBillReader {
  dayBill(req: DayBillRequest): Promise<R<DayBill>>;
  /** The sale a refund belongs to, by order/view, cached. */
  originalOf(refund: Mct1Order): Promise<R<{ ordNo?: string }>>;
}

export function createDayBillReader(deps: DayBillDeps): DayBillReader {
  const pageSize = deps.pageSize ?? DAY_PAGE_SIZE;
  const maxPages = deps.maxPages ?? MAX_DAY_PAGES;
  const maxViews = deps.maxViews ?? MAX_DAY_VIEWS;
  /** refund ord_no → its sale's ord_no (original_ord_no never changes). */
  const links = new Map<string, string>();

  async function originalOf(refund: Mct1Order): Promise<R<{ ordNo?: string }>> {
    if (refund.originalOrdNo) return { ok: true, ordNo: refund.originalOrdNo };
    const cached = links.get(refund.ordNo);
    if (cached) return { ok: true, ordNo: cached };
    const v = await deps.view(refund.ordNo);
    if (!v.ok) return v;
    const ordNo = v.order.originalOrdNo;
    if (ordNo) {
      if (links.size >= LINK_CACHE_SIZE) links.delete(links.keys().next().value!);
      links.set(refund.ordNo, ordNo);
    }
    return { ok: true, ordNo };
  }

  /**
   * Every page of a list, each order once (a list that grows while it is read shifts its pages, so
   * an order may come twice). Stops at totalpage; refuses more than `maxPages`.
   */
  async function readAll(filter: OrderFilter): Promise<R<{ items: Mct1Order[] }>> {
    const seen = new Map<string, Mct1Order>();
    for (let page = 1; ; page++) {
      const r = await deps.orders({ ...filter, page, pageSize });
      if (!r.ok) return r;
      if (r.totalPages > maxPages || page > maxPages) {
        return fail('response', 'mct1_list_too_long', `订单列表共 ${r.totalPages} 页，超过 ${maxPages} 页上限，未读取 / the order list has ${r.totalPages} pages, more than the ${maxPages} allowed`);
      }
      for (const o of r.items) seen.set(o.ordNo, o);
      if (page >= r.totalPages || r.items.length === 0) return { ok: true, items: [...seen.values()] };
    }
  }

  async function dayBill(req: DayBillRequest): Promise<R<DayBill>> {
    const range = dayRange(req?.day);
    if (!range) return fail('params', 'mct1_bad_day', '对账日期须为 YYYY-MM-DD / the day must be YYYY-MM-DD');
    const listed = await readAll({ from: `${range.day} 00:00:00`, to: `${range.day} 23:59:59` });
    if (!listed.ok) return listed;
    const sales = listed.items.filter((o) => o.ordType !== 2);
    const dayRefunds = listed.items.filter((o) => o.ordType === 2 && o.status === 1);
    let laterRefunds: Mct1Order[] = [];
    const now = deps.now();
    if (range.endMs <= now) {
      // Refunds booked since: what has been refunded of the day's sales so far.
      const later = await readAll({ ordType: 2, status: 1, from: chinaTime(range.endMs), to: chinaTime(now + 60_000) });
      if (!later.ok) return later;
      laterRefunds = later.items.filter((o) => o.ordType === 2 && o.status === 1);
    }

    const saleByOrdNo = new Map(sales.map((s) => [s.ordNo, s]));
    const salesByTradeNo = new Map<string, Mct1Order[]>();
    for (const s of sales) if (s.tradeNo) salesByTradeNo.set(s.tradeNo, [...(salesByTradeNo.get(s.tradeNo) ?? []), s]);
    const refunded = new Map<string, number>();
    const otherDaySales: string[] = [];
    const counted = new Set<string>();
    let views = 0;

    for (const [refund, onDay] of [...dayRefunds.map((r) => [r, true] as const), ...laterRefunds.map((r) => [r, false] as const)]) {
      if (counted.has(refund.ordNo)) continue;
      counted.add(refund.ordNo);
      let saleNo = refund.originalOrdNo;
      if (!saleNo && refund.tradeNo && salesByTradeNo.get(refund.tradeNo)?.length === 1) saleNo = salesByTradeNo.get(refund.tradeNo)![0].ordNo;
      if (!saleNo) {
        // A later refund matters only if it may be one of this day's sales'.
        const mayBeOurs = refund.tradeNo
          ? (salesByTradeNo.get(refund.tradeNo)?.length ?? 0) > 1
          : sales.some((s) => !s.tradeNo && s.status === 1 && s.pmtTag === refund.pmtTag);
        if (!onDay && !mayBeOurs) continue;
        const cachedBefore = links.has(refund.ordNo);
        if (!cachedBefore && ++views > maxViews) return tooManyViews(maxViews);
        const o = await originalOf(refund);
        if (!o.ok) return o;
        if (!o.ordNo) return fail('response', 'mct1_refund_unlinked', `退款订单 ${refund.ordNo} 没有原订单号，无法对账 / refund ${refund.ordNo} names no sale`);
        saleNo = o.ordNo;
      }
      if (saleByOrdNo.has(saleNo)) refunded.set(saleNo, (refunded.get(saleNo) ?? 0) + refund.tradeAmountFen);
      else if (onDay && !otherDaySales.includes(saleNo)) otherDaySales.push(saleNo);
    }

    const entries = sales.map((s) => billEntry(s, refunded.get(s.ordNo) ?? 0, range));
    for (const ordNo of otherDaySales) {
      if (++views > maxViews) return tooManyViews(maxViews);
      const v = await deps.view(ordNo);
      if (!v.ok) {
        if (v.error.kind === 'not_found') return fail('response', 'mct1_refund_unlinked', `退款的原订单 ${ordNo} 不存在，无法对账 / the sale ${ordNo} of a refund does not exist`);
        return v;
      }
      if (v.order.ordType === 2) return fail('response', 'mct1_refund_unlinked', `退款的原订单 ${ordNo} 是一笔退款 / the sale of a refund is a refund`);
      const rs = await deps.refundsOf(v.order, originalOf);
      if (!rs.ok) return rs;
      entries.push(billEntry(v.order, rs.refunds.reduce((n, r) => n + r.tradeAmountFen, 0), range));
    }
    return { ok: true, entries, complete: true };
  }

  return { dayBill, originalOf };
}

function tooManyViews(max: number): Failure {
  return fail('response', 'mct1_too_many_refunds', `需要逐笔查询的退款超过 ${max} 笔，无法对账 / more than ${max} refunds to look up`);
}
