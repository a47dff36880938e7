/**
 * The manager's calls to seed 002's back office (`/pay/...`, manager role), typed as the proxy
 * answers them: `{"code": 200, "msg", "data"}`, amounts in integer fen, times China local without
 * offset. Errors come as the proxy's `{"error": {code, message}}` (an ApiError). `store`: one store
 * of a chain (a chain manager's choice; the proxy holds a store's manager to its own).
 *
 * @see seeds/002_3b56c01ea61b05b8.txt
 */
import { ApiError, NetworkError, type Api } from '../data/api.ts';

interface PayAnswer<T> {
  code: number | string;
  msg?: string;
  data: T;
}

async function data<T>(answer: Promise<PayAnswer<T>>): Promise<T> {
  const a = await answer;
  if (Number(a?.code) !== 200 || a.data === undefined) throw new ApiError(502, 'pay_answer', `服务器应答无效 / Unexpected answer: ${a?.msg ?? a?.code}`);
  return a.data;
}

function query(params: Record<string, string | number | boolean | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

// --- 对账 ------------------------------------------------------------------------------

/** 对账记录: one run of a store's provider's China day. */
export interface RunRecord {
  code: string;
  person: string;
  create_time: string;
  provider: string;
  day: string;
  /** The store's id and name. */
  store?: string;
  merchant__name?: string;
}

export function listRuns(api: Api, filter: { time?: string; user?: string; store?: string } = {}): Promise<{ num: number; data: RunRecord[] }> {
  return data(api.json('GET', `/pay/check_record/${query(filter)}`));
}

export interface RunOutcome {
  code: string;
  rows: number;
  carried: number;
  complete: boolean;
}

/** Reconciles a store's provider's China day now (as this manager); a day run again replaces its run. */
export function startRun(api: Api, run: { provider: string; day: string; remark?: string; store?: string }): Promise<RunOutcome> {
  const body = Object.fromEntries(Object.entries(run).filter(([, v]) => v));
  // A provider's whole day bill can take a while (mct1: every page of its order list).
  return data(api.json('POST', '/pay/check_record/', { body, timeoutMs: 120_000 }));
}

export interface RunHeader {
  code: string;
  person: string;
  remark: string | null;
  always_singular: number;
  total: number;
  singular_success: number;
  singular_amount: number;
  abnormal_singular: number;
  abnormal_amount: number;
  carried: number;
  complete: boolean;
  provider: string;
  start_time: string;
  end_time: string;
  create_time: string;
}

export interface GridRow {
  code: string;
  odd_id: string;
  /** Our order number, or the provider's reference for money we have no order for. */
  out_trade_no: string;
  /** pay_method: 2 微信, 3 支付宝, 4 other — the `pay_way` of its order details. */
  source: number;
  issue: number;
  create_time: string;
  trade_time: string | null;
  pay_money: number;
  our_fen: number | null;
  their_fen: number | null;
  user: string | null;
  note: string;
  equipment_id: string | null;
}

export async function getRun(api: Api, code: string): Promise<{ header: RunHeader | null; grid: GridRow[] }> {
  const d = await data(api.json<PayAnswer<{ header: RunHeader[]; grid: GridRow[] }>>('GET', `/pay/check_bills${query({ code })}`));
  return { header: d.header?.[0] ?? null, grid: Array.isArray(d.grid) ? d.grid : [] };
}

export interface OrderDetails {
  bill_data: {
    code: string;
    equipment_no: string;
    total_fee: number;
    name__nick_name: string | null;
    reconciliation_status: number;
    platform_code: string | null;
    pay_method: number;
    status: number;
    create_time: string | null;
  }[];
  third_bill: {
    trade_time: string | null;
    out_trade_no: string | null;
    total_money: number;
    refund_money?: number;
    openid: string | null;
    transaction_id: string | null;
  } | null;
  bill_info: { odd_id: string; note: string; create_time: string | null; issue: number; admin: string | null } | null;
}

/**
 * `pay_way` must be the order's channel (2 微信, 3 支付宝, 4 other), but the order list gives an
 * order not (yet) paid pay_method 1: then each channel is asked in turn until one knows the order.
 */
export async function orderDetails(api: Api, code: string, payWay: number): Promise<OrderDetails> {
  const ways = payWay >= 2 && payWay <= 4 ? [payWay] : [2, 3, 4];
  for (const [i, way] of ways.entries()) {
    try {
      return await data(api.json<PayAnswer<OrderDetails>>('GET', `/pay/order_details${query({ code, pay_way: way })}`));
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404) || i === ways.length - 1) throw err;
    }
  }
  throw new ApiError(404, 'payment_not_found', 'No such order'); // not reached: the last way throws
}

export interface ConsumeOrder {
  code: string;
  equipment_no: string;
  total_fee: number;
  pay_method: number;
  create_time: string | null;
  reconciliation_status: number;
  auto: boolean;
  /** The store's name. */
  merchant__name?: string;
}

export interface ConsumeOrders {
  statistics: { order_num: number; count_price: { total_fee__sum: number | null } };
  order: { num: number; page: number; page_size: number; data: ConsumeOrder[] };
}

export function consumeOrders(api: Api, filter: { reconciliation_status?: number; page?: number; page_size?: number; store?: string }): Promise<ConsumeOrders> {
  return data(api.json('GET', `/pay/consume_order${query(filter)}`));
}

/** 是否自动对账: whether the daily job may write this order's status. */
export function setAuto(api: Api, code: string, auto: boolean): Promise<{ code: string; auto: boolean }> {
  return data(api.json('POST', '/pay/consume_order', { body: { code, auto } }));
}

// --- 结算 ------------------------------------------------------------------------------

export interface Account {
  code: string;
  merchant: string;
  provider: string;
  method: number;
  name: string;
  account: string;
  period: number;
  remarks: string | null;
  create_time: string | null;
  /** The store whose account it is. */
  store?: string;
}

export type AccountInput = Pick<Account, 'provider' | 'method' | 'name' | 'account' | 'period'> & { code?: string; remarks?: string; store?: string };

export async function listAccounts(api: Api, store?: string): Promise<Account[]> {
  return (await data(api.json<PayAnswer<{ data: Account[] }>>('GET', `/pay/account/${query({ store })}`))).data ?? [];
}

export function saveAccount(api: Api, a: AccountInput): Promise<{ code: string }> {
  return data(api.json('POST', '/pay/account/', { body: a }));
}

export interface SettlementRecord {
  code: string;
  name: string;
  account_code: string;
  num: number;
  total: number;
  method: number;
  start_time: string | null;
  end_time: string | null;
  person: string;
  settlement_time: string | null;
  state: number;
  voucher_img: string | null;
  remark: string | null;
  create_time: string | null;
}

export async function listSettlements(api: Api, filter: { state?: number; method?: number; code?: string; store?: string } = {}): Promise<SettlementRecord[]> {
  return (await data(api.json<PayAnswer<{ data: SettlementRecord[] }>>('GET', `/pay/settlement/${query(filter)}`))).data ?? [];
}

/**
 * 上传结算凭证 (multipart). The API client sends JSON only, and it lives in the first load, so this
 * one request is made here with the terminal's token, its errors read the same way.
 */
export async function uploadVoucher(token: string | null, form: { code: string; person: string; remark?: string; voucher: Blob; fileName: string }): Promise<{ code: string; state: number }> {
  const body = new FormData();
  body.set('code', form.code);
  body.set('person', form.person);
  if (form.remark) body.set('remark', form.remark);
  body.set('voucher', form.voucher, form.fileName);
  let res: Response;
  try {
    res = await fetch('/pay/settlement/', { method: 'POST', headers: token ? { Authorization: `Bearer ${token}`, Accept: 'application/json' } : {}, body, cache: 'no-store', signal: AbortSignal.timeout(60_000) });
  } catch (err) {
    throw new NetworkError('无法连接服务器，凭证未上传 / Cannot reach the server: the voucher was not uploaded', { cause: err });
  }
  const text = await res.text().catch(() => '');
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    const e = (json as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    if (typeof e?.code === 'string' && typeof e.message === 'string') throw new ApiError(res.status, e.code, e.message);
    throw new ApiError(res.status, `http_${res.status}`, `HTTP ${res.status}`);
  }
  return data(Promise.resolve(json as PayAnswer<{ code: string; state: number }>));
}

/** The voucher image, as an object URL the caller revokes. */
export async function voucherObjectUrl(api: Api, code: string): Promise<string> {
  const res = await api.fetch('GET', `/pay/settlement/voucher${query({ code })}`, { accept: 'image/*' });
  return URL.createObjectURL(await res.blob());
}

/** This terminal's name (the person who settles, by default). */
export async function terminalName(api: Api): Promise<string | null> {
  const me = await api.json<{ name?: unknown }>('GET', '/api/terminals/me');
  return typeof me?.name === 'string' && me.name ? me.name : null;
}
