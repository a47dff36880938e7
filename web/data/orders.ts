/**
 * The manager's order list and order detail: the calls and the words for them. Only the order
 * screens import this, so it stays out of the first load.
 */
import type { PaymentHistory, PaymentStatus, PayMethodInfo } from '../../contract/api.ts';
import { api as defaultApi, ApiError, describeError, type Api } from './api.ts';

type Label = { zh: string; en: string };

/** The list's status filter, in this order; `all` sends no `status`. */
export type OrderFilter = 'all' | PaymentStatus;
export const ORDER_FILTERS: readonly OrderFilter[] = ['all', 'paid', 'refunded', 'failed', 'cancelled', 'paying', 'unknown'];

export const ORDERS_PAGE_SIZE = 50;

/** A payment's status as the list shows it (not the cashier's sentences on the status screen). */
const STATUS: Record<OrderFilter, Label> = {
  all: { zh: '全部', en: 'All' },
  paid: { zh: '已支付', en: 'Paid' },
  refunded: { zh: '已退款', en: 'Refunded' },
  failed: { zh: '支付失败', en: 'Failed' },
  cancelled: { zh: '已撤销', en: 'Cancelled' },
  paying: { zh: '支付中', en: 'Paying' },
  unknown: { zh: '待确认', en: 'Unconfirmed' },
};

/** A status in both languages; one we do not know is shown as it came. */
export function orderStatusLabel(status: string): Label {
  return Object.hasOwn(STATUS, status) ? STATUS[status as OrderFilter] : { zh: status, en: status };
}

const REFUND_STATUS: Record<string, Label> = {
  refunded: { zh: '已退款', en: 'Refunded' },
  failed: { zh: '退款失败', en: 'Failed' },
  unknown: { zh: '待确认', en: 'Unconfirmed' },
};

export function refundStatusLabel(status: string): Label {
  return Object.hasOwn(REFUND_STATUS, status) ? REFUND_STATUS[status] : { zh: status, en: status };
}

/** The method's display name from `GET /api/methods`, else its id (a method no longer configured). */
export function methodLabel(id: string, methods: readonly PayMethodInfo[]): string {
  return methods.find((m) => m.id === id)?.name ?? id;
}

export interface Paging {
  page: number;
  /** At least 1, so an empty list is "page 1 of 1". */
  pages: number;
  /** 1-based positions of the first and last row on this page; 0 and 0 when there are none. */
  first: number;
  last: number;
  total: number;
  hasPrev: boolean;
  hasNext: boolean;
}

export function paging(total: number, page: number, pageSize: number): Paging {
  const size = Math.max(1, Math.floor(pageSize) || 1);
  const t = Math.max(0, Math.floor(total) || 0);
  const pages = Math.max(1, Math.ceil(t / size));
  const p = Math.max(1, Math.floor(page) || 1);
  const first = t === 0 || p > pages ? 0 : (p - 1) * size + 1;
  const last = first === 0 ? 0 : Math.min(p * size, t);
  return { page: p, pages, first, last, total: t, hasPrev: p > 1, hasNext: p < pages };
}

/**
 * A provider call's request or response for reading: JSON indented — the whole text, or a JSON body
 * after a few header lines ("POST <url>", "HTTP 200") — anything else as it came.
 */
export function prettyPayload(text: string): string {
  const indent = (t: string): string | null => {
    const s = t.trim();
    if (!(s.startsWith('{') || s.startsWith('['))) return null;
    try {
      return JSON.stringify(JSON.parse(s), null, 2);
    } catch {
      return null;
    }
  };
  const whole = indent(text);
  if (whole !== null) return whole;
  const m = /\n(?=[{[])/.exec(text);
  if (!m) return text;
  const body = indent(text.slice(m.index + 1));
  return body === null ? text : `${text.slice(0, m.index)}\n${body}`;
}

export type OrdersProblem = { kind: 'unauthorized' | 'forbidden' | 'not_found' | 'other'; message: string };

/** What the manager is told when an order call fails. */
export function ordersProblem(err: unknown): OrdersProblem {
  if (err instanceof ApiError) {
    // 401: the token itself was refused (the app asks to pair again). 403: a cashier terminal.
    if (err.status === 401) return { kind: 'unauthorized', message: describeError(err) };
    if (err.status === 403) return { kind: 'forbidden', message: describeError(err) };
    if (err.status === 404) return { kind: 'not_found', message: describeError(err) };
  }
  return { kind: 'other', message: describeError(err) };
}

const path = (outNo: string) => `/api/payments/${encodeURIComponent(outNo)}`;

/** `GET /api/payments/:outNo/history` (manager), every list present even when the proxy left one out. */
export async function getHistory(outNo: string, api: Api = defaultApi): Promise<PaymentHistory> {
  const h = await api.json<Partial<PaymentHistory> | null>('GET', `${path(outNo)}/history`);
  const list = <T>(x: T[] | undefined): T[] => (Array.isArray(x) ? x : []);
  return {
    events: list(h?.events),
    calls: list(h?.calls),
    refunds: list(h?.refunds),
    callbacks: list(h?.callbacks),
    details: h?.details && typeof h.details === 'object' ? h.details : {},
    billNo: h?.billNo ?? undefined,
  };
}

/**
 * `GET /api/payments/:outNo/receipt` as ESC/POS bytes; `reprint` asks the provider for its own
 * reprint (微收银 补打小票) where it has one — the proxy answers the stored receipt otherwise.
 */
export async function getOrderReceipt(outNo: string, opts: { reprint?: boolean } = {}, api: Api = defaultApi): Promise<Uint8Array> {
  const res = await api.fetch('GET', `${path(outNo)}/receipt${opts.reprint ? '?reprint=1' : ''}`, {
    accept: 'application/octet-stream',
  });
  return new Uint8Array(await res.arrayBuffer());
}
