/**
 * The order list's filters as the manager sets them (yuan, China wall-clock times) and as the proxy
 * takes them (`GET /api/payments?…`: fen, instants with their offset). Pure, no Svelte, no db.ts.
 */
import type { PaymentView } from '../../contract/api.ts';
import { parseYuan } from '../../contract/money.ts';
import type { Api } from '../data/api.ts';
import type { OrderFilter } from '../data/orders.ts';

/** A payment as the list answers it: the view, the terminal that took it, its sales bill. */
export type OrderRow = PaymentView & { terminalId?: string; billNo?: string };

/** `GET /api/payments`: one page, and sums over every page of the filter. */
export interface OrderPage {
  total: number;
  page: number;
  pageSize: number;
  sums: { paidCount: number; paidFen: number; refundedFen: number } | null;
  items: OrderRow[];
}

export interface OrderFilters {
  status: OrderFilter;
  /** A method id, or null for every method. */
  method: string | null;
  /** A terminal id, or null for every terminal. */
  terminal: string | null;
  /** China wall-clock `YYYY-MM-DDTHH:MM` (a `datetime-local` value), or '' for open. `to` is exclusive. */
  from: string;
  to: string;
  /** Typed in yuan; '' for open. Both inclusive. */
  minYuan: string;
  maxYuan: string;
  /** A number or part of one (ours, the provider's, the wallet's, the sales bill's, a refund's). */
  q: string;
}

export const NO_FILTERS: OrderFilters = { status: 'all', method: null, terminal: null, from: '', to: '', minYuan: '', maxYuan: '', q: '' };

export type FilterField = 'from' | 'to' | 'minYuan' | 'maxYuan' | 'q';
export type QueryResult = { ok: true; params: URLSearchParams } | { ok: false; field: FilterField; message: string };

const LOCAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;
const Q = /^[A-Za-z0-9_-]{2,64}$/;

/** A `datetime-local` value read as China time (UTC+8), whatever zone the browser is in. */
export function chinaInstant(local: string): string | null {
  if (!LOCAL.test(local)) return null;
  const iso = `${local}:00+08:00`;
  return Number.isFinite(Date.parse(iso)) ? iso : null;
}

/** China wall-clock `YYYY-MM-DDTHH:MM` of an instant. */
export function chinaLocal(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 16);
}

/** The China day `YYYY-MM-DD` of an instant. */
export function chinaDay(ms: number): string {
  return chinaLocal(ms).slice(0, 10);
}

/** `YYYY-MM-DD` plus `days` (calendar arithmetic, no zone). */
export function addDays(day: string, days: number): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

export type QuickRange = 'today' | 'yesterday' | 'week' | 'month' | 'all';
export const QUICK_RANGES: readonly { id: QuickRange; zh: string; en: string }[] = [
  { id: 'today', zh: '今天', en: 'Today' },
  { id: 'yesterday', zh: '昨天', en: 'Yesterday' },
  { id: 'week', zh: '近7天', en: 'Last 7 days' },
  { id: 'month', zh: '本月', en: 'This month' },
  { id: 'all', zh: '全部', en: 'All' },
];

/** A quick range as `from`/`to` (China days: 00:00 to the next 00:00). */
export function quickRange(id: QuickRange, now = Date.now()): { from: string; to: string } {
  const today = chinaDay(now);
  const day = (d: string) => `${d}T00:00`;
  switch (id) {
    case 'today':
      return { from: day(today), to: day(addDays(today, 1)) };
    case 'yesterday':
      return { from: day(addDays(today, -1)), to: day(today) };
    case 'week':
      return { from: day(addDays(today, -6)), to: day(addDays(today, 1)) };
    case 'month':
      return { from: day(`${today.slice(0, 8)}01`), to: day(addDays(today, 1)) };
    case 'all':
      return { from: '', to: '' };
  }
}

/** Which quick range `from`/`to` are, if any. */
export function whichQuickRange(f: Pick<OrderFilters, 'from' | 'to'>, now = Date.now()): QuickRange | null {
  return QUICK_RANGES.find((r) => {
    const q = quickRange(r.id, now);
    return q.from === f.from && q.to === f.to;
  })?.id ?? null;
}

function yuan(text: string, field: 'minYuan' | 'maxYuan'): { ok: true; fen?: number } | { ok: false; field: FilterField; message: string } {
  const t = text.trim();
  if (t === '') return { ok: true };
  const p = parseYuan(t);
  if (p.ok) return { ok: true, fen: p.fen };
  const which = field === 'minYuan' ? ['最低金额', 'Minimum'] : ['最高金额', 'Maximum'];
  const why =
    p.reason === 'precision'
      ? ['最多两位小数', 'at most two decimal places']
      : p.reason === 'range'
        ? ['不能为负数或过大', 'cannot be negative or that large']
        : ['不是金额', 'not an amount'];
  return { ok: false, field, message: `${which[0]}${why[0]} / ${which[1]}: ${why[1]}` };
}

/**
 * The filters as the proxy's query (without page and pageSize), or the first field that is wrong,
 * with a message for the manager. Nothing is sent while a field is wrong. `store`: a chain
 * manager's chosen store (the shared choice of the manager screens, not one of the filters).
 */
export function filtersToQuery(f: OrderFilters, store?: string): QueryResult {
  const params = new URLSearchParams();
  if (store) params.set('store', store);
  let from: string | null = null;
  if (f.from) {
    from = chinaInstant(f.from);
    if (!from) return { ok: false, field: 'from', message: '开始时间无效 / Invalid start time' };
    params.set('from', from);
  }
  if (f.to) {
    const to = chinaInstant(f.to);
    if (!to) return { ok: false, field: 'to', message: '结束时间无效 / Invalid end time' };
    if (from && Date.parse(to) <= Date.parse(from)) return { ok: false, field: 'to', message: '结束时间须晚于开始时间 / The end must be after the start' };
    params.set('to', to);
  }
  if (f.status !== 'all') params.set('status', f.status);
  if (f.method) params.set('method', f.method);
  if (f.terminal) params.set('terminal', f.terminal);
  const min = yuan(f.minYuan, 'minYuan');
  if (!min.ok) return min;
  const max = yuan(f.maxYuan, 'maxYuan');
  if (!max.ok) return max;
  if (min.fen !== undefined) params.set('minFen', String(min.fen));
  if (max.fen !== undefined) params.set('maxFen', String(max.fen));
  if (min.fen !== undefined && max.fen !== undefined && min.fen > max.fen) {
    return { ok: false, field: 'maxYuan', message: '最高金额不能低于最低金额 / The maximum is below the minimum' };
  }
  const q = f.q.trim();
  if (q) {
    if (!Q.test(q)) return { ok: false, field: 'q', message: '单号为 2–64 位字母、数字、- 或 _ / A number is 2–64 letters, digits, - or _' };
    params.set('q', q);
  }
  return { ok: true, params };
}

/** `GET /api/payments?<query>&page=&pageSize=`, always with an array of items. */
export async function fetchOrders(api: Api, query: URLSearchParams, page: number, pageSize: number): Promise<OrderPage> {
  const params = new URLSearchParams(query);
  params.set('page', String(page));
  params.set('pageSize', String(pageSize));
  const res = await api.json<Partial<OrderPage> | null>('GET', `/api/payments?${params}`);
  return {
    total: typeof res?.total === 'number' ? res.total : 0,
    page: typeof res?.page === 'number' ? res.page : page,
    pageSize: typeof res?.pageSize === 'number' ? res.pageSize : pageSize,
    sums: res?.sums && typeof res.sums.paidFen === 'number' ? res.sums : null,
    items: Array.isArray(res?.items) ? res.items : [],
  };
}

/** The export's limit: beyond it the manager narrows the filters (200 rows a request, 50 requests). */
export const EXPORT_MAX_ROWS = 10_000;
const EXPORT_PAGE = 200;

export type ExportResult = { ok: true; rows: OrderRow[] } | { ok: false; total: number };

/**
 * Every page of the filter, for the CSV. The list is pinned at the moment of the export (`to` no later
 * than now), so payments taken meanwhile do not shift the pages; a row seen twice (its status changed
 * between pages) is kept once.
 */
export async function fetchAllOrders(api: Api, query: URLSearchParams, onProgress?: (done: number, total: number) => void, now = Date.now()): Promise<ExportResult> {
  const pinned = new URLSearchParams(query);
  const to = pinned.get('to');
  const from = pinned.get('from');
  if (from && Date.parse(from) >= now) return { ok: true, rows: [] }; // nothing taken yet
  if (!to || Date.parse(to) > now) pinned.set('to', new Date(now).toISOString());
  const rows: OrderRow[] = [];
  const seen = new Set<string>();
  for (let page = 1; ; page++) {
    const got = await fetchOrders(api, pinned, page, EXPORT_PAGE);
    if (got.total > EXPORT_MAX_ROWS) return { ok: false, total: got.total };
    for (const r of got.items) if (!seen.has(r.outNo)) (seen.add(r.outNo), rows.push(r));
    onProgress?.(rows.length, got.total);
    if (got.items.length < EXPORT_PAGE || page * EXPORT_PAGE >= got.total) return { ok: true, rows };
  }
}
