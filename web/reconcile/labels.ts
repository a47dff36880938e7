/**
 * The words and small pure rules of the reconciliation (对账) and settlement (结算) screens: seed
 * 002's numeric codes in both languages, the issues in plain words from the store's side, the grid
 * filter, China-local times as the proxy prints them, and the errors a manager can act on.
 * No Svelte, no db.ts: only the manager's lazy chunks import this.
 *
 * @see seeds/002_3b56c01ea61b05b8.txt (bill_info.issue, reconciliation_status, period, state)
 */
import { ApiError, describeError } from '../data/api.ts';
import { addDays, chinaDay } from '../orders/query.ts';

export interface Label {
  zh: string;
  en: string;
}

export interface IssueInfo extends Label {
  /** seed 002 bill_info.issue / grid.issue. */
  issue: number;
  /** The CSS class of its coloured label. */
  tone: 'long' | 'short' | 'abnormal' | 'doubtful' | 'reversed' | 'refunded' | 'normal' | 'other';
  /** What it means, always from the store's side (the trade uses 长款/短款 both ways round). */
  meaning: Label;
}

/** Every issue, the ones needing attention first (the legend's and the filter's order). */
export const ISSUES: readonly IssueInfo[] = [
  {
    issue: 1,
    zh: '长款',
    en: 'Long',
    tone: 'long',
    meaning: { zh: '渠道收到了钱，本店账本却没有这笔已支付的订单', en: 'the provider holds money we have no paid order for' },
  },
  {
    issue: 2,
    zh: '短款',
    en: 'Short',
    tone: 'short',
    meaning: { zh: '本店账本记为已收款，渠道却没有这笔钱', en: 'our books say paid, the provider does not have the money' },
  },
  {
    issue: 3,
    zh: '异常',
    en: 'Abnormal',
    tone: 'abnormal',
    meaning: { zh: '双方都有此单，但金额不符，或有一方不知道的退款', en: 'both sides have it, but the amounts differ or one side has a refund the other does not' },
  },
  {
    issue: 0,
    zh: '存疑',
    en: 'Doubtful',
    tone: 'doubtful',
    meaning: { zh: '本店的支付结果还在确认中，暂时无法判断', en: 'our result is still being confirmed; it cannot be judged yet' },
  },
  {
    issue: 5,
    zh: '已冲正',
    en: 'Reversed',
    tone: 'reversed',
    meaning: { zh: '迟到的付款已自动全额退回，或渠道已冲正，双方一致', en: 'a late payment refunded automatically, or reversed at the provider; both sides agree' },
  },
  {
    issue: 6,
    zh: '已退款',
    en: 'Refunded',
    tone: 'refunded',
    meaning: { zh: '已退款，双方金额一致', en: 'refunded, both sides agree' },
  },
  {
    issue: 4,
    zh: '正常',
    en: 'Normal',
    tone: 'normal',
    meaning: { zh: '双方都有，金额和退款都一致', en: 'both sides have it, same amount, same refunds' },
  },
];

/** The issue's label; a code the screen does not know is shown as it came. */
export function issueInfo(issue: number): IssueInfo {
  return ISSUES.find((i) => i.issue === issue) ?? { issue, zh: `问题 ${issue}`, en: `Issue ${issue}`, tone: 'other', meaning: { zh: '', en: '' } };
}

/** How many rows have each issue, in the legend's order, leaving out issues no row has. */
export function issueCounts(grid: readonly { issue: number }[]): { info: IssueInfo; count: number }[] {
  const counts = new Map<number, number>();
  for (const r of grid) counts.set(r.issue, (counts.get(r.issue) ?? 0) + 1);
  const known = ISSUES.filter((i) => counts.has(i.issue)).map((info) => ({ info, count: counts.get(info.issue)! }));
  const unknown = [...counts.keys()].filter((k) => !ISSUES.some((i) => i.issue === k)).sort((a, b) => a - b);
  return [...known, ...unknown.map((k) => ({ info: issueInfo(k), count: counts.get(k)! }))];
}

/** The rows with one issue, or all of them (`null`). */
export function filterGrid<T extends { issue: number }>(grid: readonly T[], issue: number | null): T[] {
  return issue === null ? [...grid] : grid.filter((r) => r.issue === issue);
}

const table = (entries: Record<number, Label>) => (n: number): Label => entries[n] ?? { zh: String(n), en: String(n) };

/** An order's reconciliation_status. */
export const RECON_STATUSES: readonly { status: number; zh: string; en: string }[] = [
  { status: 3, zh: '异常', en: 'Needs attention' },
  { status: 5, zh: '存疑', en: 'Doubtful' },
  { status: 2, zh: '未对账', en: 'Not reconciled' },
  { status: 1, zh: '已对账', en: 'Reconciled' },
  { status: 4, zh: '已冲正', en: 'Reversed' },
];
export const reconStatusLabel = (n: number): Label => RECON_STATUSES.find((s) => s.status === n) ?? { zh: String(n), en: String(n) };

/** An order's pay_method (and a grid row's `source`): 4 is the proxy's "everything else". */
export const payMethodLabel = table({
  1: { zh: '未支付', en: 'Not paid' },
  2: { zh: '微信', en: 'WeChat' },
  3: { zh: '支付宝', en: 'Alipay' },
  4: { zh: '其他', en: 'Other' },
});

/** seed 002 ORDER_STATUS_CHOICES (bill_data.status). */
export const orderStatusLabel = table({
  1: { zh: '待支付', en: 'Awaiting payment' },
  2: { zh: '已支付', en: 'Paid' },
  3: { zh: '已失效', en: 'Failed' },
  4: { zh: '商家已退款', en: 'Refunded' },
  5: { zh: '商家待审核', en: 'Awaiting review' },
  6: { zh: '商家已确认', en: 'Confirmed' },
  7: { zh: '商家已拒绝', en: 'Rejected' },
  8: { zh: '平台介入', en: 'Platform involved' },
  9: { zh: '平台审核通过', en: 'Platform approved' },
  10: { zh: '平台审核不通过', en: 'Platform refused' },
  11: { zh: '用户已取消', en: 'Cancelled' },
});

/** An account's `method`: 1 and 4 take every channel of the provider, 2 and 3 only theirs. */
export const ACCOUNT_METHODS: readonly { method: number; zh: string; en: string }[] = [
  { method: 1, zh: '全部渠道', en: 'All channels' },
  { method: 2, zh: '微信', en: 'WeChat' },
  { method: 3, zh: '支付宝', en: 'Alipay' },
  { method: 4, zh: '线下转账', en: 'Offline transfer' },
];
export const accountMethodLabel = (n: number): Label => ACCOUNT_METHODS.find((m) => m.method === n) ?? { zh: String(n), en: String(n) };

export const PERIODS: readonly { period: number; zh: string; en: string }[] = [
  { period: 0, zh: '未知', en: 'Unknown (never settled)' },
  { period: 1, zh: '日结', en: 'Daily' },
  { period: 2, zh: '周结', en: 'Weekly (Mon–Sun)' },
  { period: 3, zh: '月结', en: 'Monthly' },
  { period: 4, zh: '年结', en: 'Yearly' },
];
export const periodLabel = (n: number): Label => PERIODS.find((p) => p.period === n) ?? { zh: String(n), en: String(n) };

export const SETTLEMENT_STATES: readonly { state: number; zh: string; en: string }[] = [
  { state: 1, zh: '待结算', en: 'Pending' },
  { state: 2, zh: '已结算', en: 'Settled' },
];
export const settlementStateLabel = (n: number): Label => SETTLEMENT_STATES.find((s) => s.state === n) ?? { zh: String(n), en: String(n) };

const PROVIDERS: Record<string, string> = {
  weishouyin: '微收银',
  mct1: 'mct1 聚合支付',
  kioskv5: '一体机 kioskv5',
  posmini: 'POS 小程序 posmini',
};
/** A provider id as the manager knows it. */
export function providerName(id: string | null | undefined): string {
  if (!id) return '—';
  return Object.hasOwn(PROVIDERS, id) ? PROVIDERS[id] : id;
}

/**
 * A time from /pay (China local, no offset, microseconds: "2026-11-23T10:11:12.123000") as it is,
 * to the second: "2026-11-23 10:11:12". Not parsed, so no time zone can shift it.
 */
export function naiveTime(s: string | null | undefined): string {
  if (!s) return '—';
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)/.exec(s);
  return m ? `${m[1]} ${m[2]}` : s;
}

/** The China days a settlement period covers, from its naive start and (exclusive) end. */
export function periodDays(start: string | null | undefined, end: string | null | undefined): string {
  const first = start?.slice(0, 10);
  if (!first || !isDay(first)) return naiveTime(start);
  let last = end?.slice(0, 10);
  if (!last || !isDay(last)) return first;
  // The end is exclusive: a period ending at 00:00 ends the day before.
  if (/T00:00:00(\.0+)?$/.test(end!) && last > first) last = addDays(last, -1);
  return last === first ? first : `${first} – ${last}`;
}

export function isDay(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  return addDays(text, 0) === text;
}

/** The China day before today: what a manager reconciles in the morning. */
export function yesterday(now = Date.now()): string {
  return addDays(chinaDay(now), -1);
}

/** Why a run could not be made, in words a manager can act on; the proxy's own for the rest. */
export function runProblem(err: unknown, provider: string): string {
  if (err instanceof ApiError) {
    if (err.code === 'no_day_bill') {
      return `${providerName(provider)} 不提供可读取的对账单，不能对账 / ${providerName(provider)} offers no day bill to read: it cannot be reconciled`;
    }
    if (err.code === 'day_in_future') return '不能对账未来的日期，请选择今天或更早 / That day has not come yet: pick today or earlier';
  }
  return `对账失败 / Reconciliation failed: ${describeError(err)}`;
}

export const MAX_VOUCHER_BYTES = 5 * 1024 * 1024;
const VOUCHER_TOO_BIG = '凭证图片超过 5 MB，请压缩或截图后再上传 / The voucher image is over 5 MB: shrink it and upload again';

/** A file the proxy would refuse for its size, checked before sending it; null when it may go. */
export function voucherFileProblem(file: { size: number } | null | undefined): string | null {
  if (!file) return '请选择凭证图片 / Choose the voucher image';
  if (file.size === 0) return '所选文件是空的 / The file is empty';
  if (file.size > MAX_VOUCHER_BYTES) return VOUCHER_TOO_BIG;
  return null;
}

/** An upload refused by the proxy; `reload` when the list on screen is out of date. */
export function uploadProblem(err: unknown): { message: string; reload: boolean } {
  if (err instanceof ApiError) {
    if (err.status === 415) return { message: '凭证必须是图片（PNG、JPEG、WebP 或 GIF），请重新选择文件 / The voucher must be an image (PNG, JPEG, WebP or GIF): choose another file', reload: false };
    if (err.status === 409) return { message: '这条记录已经结算过了（可能在另一台终端），列表已刷新 / This record was already settled (perhaps on another terminal): the list was refreshed', reload: true };
    if (err.status === 413) return { message: VOUCHER_TOO_BIG, reload: false };
    if (err.status === 404) return { message: '没有这条结算记录，列表已刷新 / No such settlement record: the list was refreshed', reload: true };
  }
  return { message: `上传失败 / Upload failed: ${describeError(err)}`, reload: false };
}
