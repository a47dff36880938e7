/**
 * kioskv5 request parameters and typed answers. Pure: no I/O.
 *
 * The seed (seeds/000) gives parameter names and, for the pay record, a Go struct. It gives no
 * request encoding, no answer envelope and no pass card shape; what is chosen here is listed in the
 * header of client.ts. In short:
 * - Requests are the seed's parameters as a JSON object (numbers as JSON numbers) or, optionally,
 *   form-encoded.
 * - An answer is either an envelope `{"code":0,"msg":"ok","data":…}` (a non-zero code is a refusal)
 *   or the bare value (a record, a list). Both are accepted.
 * - A record's JSON keys are the Go field names (the struct has no json name tags, only
 *   `omitempty`), so a zero value may be missing: a missing field reads as Go's zero value, as Go's
 *   own decoder would. Keys are matched exactly first, then ignoring case and underscores (Go's
 *   decoder is case-insensitive; `order_id`/`shop_id` are the ORM's column names), so a backend that
 *   serialises the columns still decodes.
 * - Integers (ids, fen amounts, statuses) may arrive as JSON integers or strings of digits; ratios
 *   as JSON numbers or decimal strings. Anything else in a known field is a malformed answer.
 */
import { fail, type Failure, type Refusal } from './errors.ts';

/** Largest answer we read (a pass card list of a busy shop may be long). */
export const MAX_ANSWER_BYTES = 1024 * 1024;

export type Decoded<T> = { ok: true; value: T } | Failure;

/** 支付类型. @see seeds/000 §支付接口 create_pay_record params (ptype: 微信：312 支付宝：210) */
export const PTYPE = { wechat: 312, alipay: 210 } as const;

/** 订单状态. @see seeds/000 create_pay_record result (Status: 0 待支付 1 已支付 2 取消) */
export const PAY_STATUS = { pending: 0, paid: 1, cancelled: 2 } as const;

/**
 * 出门单状态, as we assume them (the seed names the parameter only: "status int 出门单状态").
 * @see seeds/000 §出门单接口 get_my_pass_card_list
 */
export const PASS_CARD_STATUS = { unused: 0, used: 1, voided: 2 } as const;
export const PASS_CARD_STATUS_NAME: Record<number, string> = { 0: '未使用', 1: '已使用', 2: '已作废' };

/** Our payment number: it is also the pay record's `desc`, so letters, digits, '_' and '-' only. */
export const OUT_NO = /^[A-Za-z0-9_-]{1,64}$/;

function ok<T>(value: T): Decoded<T> {
  return { ok: true, value };
}

function malformed(message: string, detail?: string): Failure {
  return fail('response', 'kioskv5_malformed_answer', message, detail ? { message: detail } : undefined);
}

// --- time -------------------------------------------------------------------------------------------

const CHINA_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/;
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * A record time → ISO 8601. The seed types CreateTime/PayTime as `string` without a format: we read
 * "2006-01-02 15:04:05" as China time (+08:00), and an RFC 3339 time (Go's time.Time) as it is.
 * Go's zero time, MySQL's zero date, "" and anything else → undefined (a time is not worth failing
 * a paid answer for).
 * @see seeds/000 create_pay_record result (CreateTime 创建时间, PayTime 支付时间)
 */
export function recordTimeToIso(value: string): string | undefined {
  const text = value.trim();
  const m = CHINA_TIME.exec(text);
  if (m) {
    const [, y, mo, d, h, mi, s] = m;
    if (Number(y) < 1970 || Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
      return undefined;
    }
    return `${y}-${mo}-${d}T${h}:${mi}:${s}+08:00`;
  }
  if (ISO_WITH_OFFSET.test(text) && Number(text.slice(0, 4)) >= 1970 && Number.isFinite(Date.parse(text))) return text;
  return undefined;
}

// --- field reading ------------------------------------------------------------------------------------

type FieldType = 'int' | 'float' | 'string';
/** A Go field: its name, its type, and other spellings of its key (ORM column names). */
type FieldSpec<K extends string = string> = readonly [K, FieldType] | readonly [K, FieldType, readonly string[]];

function normalKey(key: string): string {
  return key.replace(/_/g, '').toLowerCase();
}

/** The value of a Go field: the exact key, else one equal ignoring case and underscores. */
function field(obj: Record<string, unknown>, name: string, aliases: readonly string[] = []): unknown {
  if (Object.hasOwn(obj, name)) return obj[name];
  const wanted = new Set([name, ...aliases].map(normalKey));
  for (const [k, v] of Object.entries(obj)) if (wanted.has(normalKey(k))) return v;
  return undefined;
}

function readInt(v: unknown): number | undefined {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : undefined;
  if (typeof v === 'string') {
    const t = v.trim();
    if (t === '') return 0;
    if (!/^-?\d{1,16}$/.test(t)) return undefined;
    const n = Number(t);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  return undefined;
}

function readFloat(v: unknown): number | undefined {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string') {
    const t = v.trim();
    if (t === '') return 0;
    if (!/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(t)) return undefined;
    return Number(t);
  }
  return undefined;
}

function readString(v: unknown): string | undefined {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** Reads the listed Go fields of an object; the first one of the wrong type makes it malformed. */
function readStruct<T>(obj: Record<string, unknown>, spec: readonly FieldSpec[], what: string): Decoded<T> {
  const out: Record<string, number | string> = {};
  for (const [name, type, aliases] of spec) {
    const raw = field(obj, name, aliases);
    const v = type === 'int' ? readInt(raw) : type === 'float' ? readFloat(raw) : readString(raw);
    if (v === undefined) return malformed(`一体机后台应答的${what}字段 ${name} 格式不正确 / malformed ${name} in the ${what === '支付单' ? 'pay record' : 'pass card'}`, `${name}=${JSON.stringify(raw)?.slice(0, 40)}`);
    out[name] = v;
  }
  return ok(out as T);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// --- the pay record -------------------------------------------------------------------------------------

/**
 * The pay record as the seed prints it (Go field names; every field present, zero when the JSON
 * omitted it). Fen amounts are int64 in Go, safe integers here.
 * @see seeds/000 create_pay_record / pay_pay_record result
 */
export interface PayRecord {
  Id: number;
  OrderId: number;
  UserId: number;
  ShopId: number;
  /** 收款账户, 可能收到集团或单店. */
  AccountId: number;
  /** 收银员Id. */
  ShopUserId: number;
  PayOrderId: string;
  CreateTime: string;
  PayTime: string;
  /** 0 待支付 1 已支付 2 取消. */
  Status: number;
  /** 用户支付订单金额 (fen). */
  Price: number;
  /** 用户超额手续费 (fen). */
  ExUserFee: number;
  /** 用户超额金额 (fen). */
  UserFeePrice: number;
  /** 用户超额费率. */
  UserFeeRatio: number;
  /** 用户实际支付金额 (店铺收取手续费) (fen). */
  PayPrice: number;
  /** 每笔手续费 (ratio). */
  WithdrawFeeRatio: number;
  /** 每笔手续费 (fen). */
  WithdrawFee: number;
  /** 到店金额 (fen). */
  RealPrice: number;
  /** 参与活动金额 (fen). */
  ActPrice: number;
  /** 参与活动费率. */
  ActFeeRatio: number;
  /** 参与活动奖励金额 (fen). */
  ActFee: number;
  /** 总金额 (fen). */
  TotalPrice: number;
  /** 4S店每笔返佣金额 (fen). */
  Refunds: number;
  /** 14：转账支付 10：信用支付. */
  PaidType: number;
  /** 银行卡类型, 微信支付有 信用卡/储蓄卡. */
  BankType: string;
  /** 用户备注信息 (ours: the payment's outNo). */
  Desc: string;
}

/** The struct's fields in the seed's order, with the ORM column names as aliases. */
export const PAY_RECORD_FIELDS = [
  ['Id', 'int'],
  ['OrderId', 'int'],
  ['UserId', 'int', ['user_id']],
  ['ShopId', 'int', ['shop_id']],
  ['AccountId', 'int', ['account_id']],
  ['ShopUserId', 'int', ['suser_id']],
  ['PayOrderId', 'string'],
  ['CreateTime', 'string'],
  ['PayTime', 'string'],
  ['Status', 'int'],
  ['Price', 'int'],
  ['ExUserFee', 'int'],
  ['UserFeePrice', 'int'],
  ['UserFeeRatio', 'float'],
  ['PayPrice', 'int'],
  ['WithdrawFeeRatio', 'float'],
  ['WithdrawFee', 'int'],
  ['RealPrice', 'int'],
  ['ActPrice', 'int'],
  ['ActFeeRatio', 'float'],
  ['ActFee', 'int'],
  ['TotalPrice', 'int'],
  ['Refunds', 'int'],
  ['PaidType', 'int'],
  ['BankType', 'string'],
  ['Desc', 'string'],
] as const satisfies readonly FieldSpec<keyof PayRecord>[];

/** Fen fields of the record, kept in an outcome's `details`. */
export const FEE_FIELDS = ['ExUserFee', 'UserFeePrice', 'PayPrice', 'WithdrawFee', 'RealPrice', 'ActPrice', 'ActFee', 'TotalPrice', 'Refunds'] as const;
/** Ratio fields of the record, kept in an outcome's `details`. */
export const RATIO_FIELDS = ['UserFeeRatio', 'WithdrawFeeRatio', 'ActFeeRatio'] as const;

/**
 * A pay record from the answer's data. It must be an object with a positive `Id` (the record is
 * useless to us without one) and a known Status (0, 1 or 2).
 * @see seeds/000 create_pay_record result
 */
export function decodePayRecord(data: unknown): Decoded<PayRecord> {
  if (!isObject(data)) return malformed('一体机后台应答不是支付单 / the answer is not a pay record');
  const r = readStruct<PayRecord>(data, PAY_RECORD_FIELDS, '支付单');
  if (!r.ok) return r;
  if (r.value.Id <= 0) return malformed('一体机后台应答的支付单没有 Id / the pay record has no Id');
  if (![0, 1, 2].includes(r.value.Status)) {
    return malformed(`一体机后台应答的支付单状态未知：${r.value.Status} / unknown pay record status`, `Status=${r.value.Status}`);
  }
  return r;
}

/** Whether an answer's data is a record (has an Id key) rather than, e.g., an envelope. */
function hasIdKey(obj: Record<string, unknown>): boolean {
  return Object.keys(obj).some((k) => normalKey(k) === 'id');
}

/**
 * The QR content a terminal_create_pay_record answer carries. The seed names no field: we take
 * `PayOrderId` when it looks like something a wallet scans (a URI: weixin://…, https://qr.alipay.com/…).
 * @see seeds/000 §支付接口 (二维码：terminal_create_pay_record)
 */
export function qrContentOf(r: PayRecord): string | undefined {
  const t = r.PayOrderId.trim();
  return t.length <= 1024 && /^[A-Za-z][A-Za-z0-9+.-]*:\/\/\S+$/.test(t) ? t : undefined;
}

/**
 * The wallet's transaction number: `PayOrderId` once paid, when it is not the QR content.
 * @see seeds/000 create_pay_record result (PayOrderId)
 */
export function tradeNoOf(r: PayRecord): string | undefined {
  const t = r.PayOrderId.trim();
  return t && !qrContentOf(r) ? t : undefined;
}

/**
 * The figures the proxy keeps with a payment: fees in fen, ratios as decimals, and the record's
 * other references. Missing (omitted) fee fields are 0, as in Go.
 * @see seeds/000 create_pay_record result (ExUserFee … Refunds, PaidType, BankType)
 */
export function recordDetails(r: PayRecord): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const k of FEE_FIELDS) out[k] = r[k];
  for (const k of RATIO_FIELDS) out[k] = r[k];
  if (r.PaidType) out.PaidType = r.PaidType;
  if (r.BankType) out.BankType = r.BankType;
  if (r.PayOrderId) out.PayOrderId = r.PayOrderId;
  if (r.OrderId) out.OrderId = r.OrderId;
  return out;
}

// --- pass cards ---------------------------------------------------------------------------------------

/**
 * 出门单, as we ASSUME it (the seed gives no result shape): a Go-style record, keys = field names,
 * missing fields read as zero. `Status`: 0 未使用, 1 已使用, 2 已作废.
 * @see seeds/000 §出门单接口 /v5/passcard/get_my_pass_card_list
 */
export interface PassCard {
  Id: number;
  ShopId: number;
  /** The order (our oid) the card lets out. */
  OrderId: number;
  /** The pay record that paid the order. */
  PayRecordId: number;
  UserId: number;
  /** What the gate scans. */
  Code: string;
  Status: number;
  CreateTime: string;
  UseTime: string;
  Desc: string;
}

export const PASS_CARD_FIELDS = [
  ['Id', 'int'],
  ['ShopId', 'int', ['shop_id', 'sid']],
  ['OrderId', 'int', ['order_id', 'oid']],
  ['PayRecordId', 'int', ['pay_record_id', 'pr_id']],
  ['UserId', 'int', ['user_id']],
  ['Code', 'string'],
  ['Status', 'int'],
  ['CreateTime', 'string'],
  ['UseTime', 'string'],
  ['Desc', 'string'],
] as const satisfies readonly FieldSpec<keyof PassCard>[];

/**
 * The pass card list: a JSON array, Go's `null` for an empty slice, or an object holding the array
 * in `list`/`List` (a paged answer).
 * @see seeds/000 §出门单接口 get_my_pass_card_list
 */
export function decodePassCards(data: unknown): Decoded<PassCard[]> {
  let list: unknown = data;
  if (isObject(data)) list = field(data, 'List', ['items', 'cards']) ?? null;
  if (list === null || list === undefined) return ok([]);
  if (!Array.isArray(list)) return malformed('一体机后台应答不是出门单列表 / the answer is not a pass card list');
  const out: PassCard[] = [];
  for (const item of list) {
    if (!isObject(item)) return malformed('一体机后台应答的出门单不是对象 / a pass card is not an object');
    const c = readStruct<PassCard>(item, PASS_CARD_FIELDS, '出门单');
    if (!c.ok) return c;
    out.push(c.value);
  }
  return ok(out);
}

// --- answers ------------------------------------------------------------------------------------------

/** A decoded answer: the value it carries (undefined when an envelope had no data), or a refusal. */
export type Answer = { kind: 'data'; data: unknown; envelope: boolean; msg?: string } | { kind: 'refusal'; refusal: Refusal };

function codeOf(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  if (typeof v === 'string' && /^-?\d{1,12}$/.test(v.trim())) return v.trim();
  return undefined;
}

/**
 * Reads an HTTP answer. JSON only. An object with a numeric `code` and no `Id` is an envelope
 * (`msg` or `message`, `data`); code 0 is success. Anything else that parses is the bare value.
 * A non-2xx answer is a refusal when it carries an envelope, else an HTTP error.
 * @see seeds/000 (answer encoding not given: see the header of client.ts)
 */
export function parseAnswer(httpStatus: number, text: string): Decoded<Answer> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    if (httpStatus < 200 || httpStatus > 299) {
      return fail('response', 'kioskv5_http_status', `一体机后台返回 HTTP ${httpStatus} / the kiosk backend answered HTTP ${httpStatus}`, { code: String(httpStatus) });
    }
    return malformed('一体机后台应答不是 JSON / the answer is not JSON', text.slice(0, 80));
  }
  if (isObject(json) && Object.hasOwn(json, 'code') && !hasIdKey(json)) {
    const code = codeOf(json.code);
    if (code === undefined) return malformed('一体机后台应答的 code 不是整数 / the envelope code is not an integer');
    const msgRaw = json.msg ?? json.message;
    const msg = typeof msgRaw === 'string' ? msgRaw.trim().slice(0, 500) : '';
    if (code !== '0' || httpStatus < 200 || httpStatus > 299) {
      return ok({ kind: 'refusal', refusal: { code: code === '0' ? String(httpStatus) : code, msg, httpStatus } });
    }
    const data = json.data;
    return ok({ kind: 'data', data: data === null ? undefined : data, envelope: true, msg });
  }
  if (httpStatus < 200 || httpStatus > 299) {
    return fail('response', 'kioskv5_http_status', `一体机后台返回 HTTP ${httpStatus} / the kiosk backend answered HTTP ${httpStatus}`, { code: String(httpStatus) });
  }
  return ok({ kind: 'data', data: json, envelope: false });
}

// --- requests -----------------------------------------------------------------------------------------

export type Params = Record<string, string | number>;

/**
 * create_pay_record / terminal_create_pay_record parameters, in the seed's order.
 * @see seeds/000 §支付接口 1. /v5/order/create_pay_record, 2. terminal_create_pay_record (params)
 */
export function encodeCreate(p: { ptype: number; sid: number; oid: number; priceFen: number; userFeeFen: number; desc: string }): Params {
  return { ptype: p.ptype, sid: p.sid, oid: p.oid, price: p.priceFen, user_fee: p.userFeeFen, desc: p.desc };
}

/**
 * pay_pay_record parameters: the seed's sid and pr_id, plus the customer's payment code, which the
 * seed does not list although this is the "一体机扫码支付" call (the kiosk scanned a code: it must be
 * sent). Its name is configurable; default `auth_code`, the wallets' own name for it.
 * @see seeds/000 §支付接口 3. /v5/order/pay_pay_record (params)
 */
export function encodePay(p: { sid: number; prId: number; authCode: string; authCodeParam: string }): Params {
  return { sid: p.sid, pr_id: p.prId, [p.authCodeParam]: p.authCode };
}

/**
 * get_pay_record parameters: the seed's `pr_id` and `sip`. `sip` is almost certainly a typo of `sid`
 * (every other call names the shop `sid`, and `sip` is not a word here): both are sent, with the
 * shop id.
 * @see seeds/000 §支付接口 4. get_pay_record (params: pr_id, sip)
 */
export function encodeGet(p: { sid: number; prId: number }): Params {
  return { pr_id: p.prId, sip: p.sid, sid: p.sid };
}

/**
 * get_my_pass_card_list parameters. `status` is sent only when asked for (we assume no status means
 * every card; the seed does not say).
 * @see seeds/000 §出门单接口 1. /v5/passcard/get_my_pass_card_list (params: sid, status)
 */
export function encodePassCards(p: { sid: number; status?: number }): Params {
  return p.status === undefined ? { sid: p.sid } : { sid: p.sid, status: p.status };
}

export type BodyEncoding = 'json' | 'form';

/**
 * The request body: JSON (numbers as JSON numbers, the Go handler's `int`) or form-encoded.
 * `extra` holds the auth parameters (strings) when the auth scheme is a parameter.
 * @see seeds/000 (request encoding not given: see the header of client.ts)
 */
export function encodeBody(params: Params, encoding: BodyEncoding, extra: Record<string, string> = {}): { contentType: string; body: string } {
  const all: Params = { ...params, ...extra };
  if (encoding === 'form') {
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(all)) form.append(k, String(v));
    return { contentType: 'application/x-www-form-urlencoded; charset=UTF-8', body: form.toString() };
  }
  return { contentType: 'application/json; charset=utf-8', body: JSON.stringify(all) };
}

/**
 * The record's `desc` (备注): our outNo, so the backend's record can be traced to our ledger, then
 * the cashier's remark when there is one (cut to 50 characters).
 * @see seeds/000 create_pay_record params (desc 备注)
 */
export function descOf(outNo: string, remark?: string): string {
  const r = typeof remark === 'string' ? remark.replace(/\s+/g, ' ').trim() : '';
  if (!r) return outNo;
  const chars = [...r];
  return `${outNo} ${chars.length > 50 ? chars.slice(0, 50).join('') : r}`;
}

/**
 * Whether a record's Desc names this payment (empty: the backend did not echo it, no evidence either way).
 * @see seeds/000 create_pay_record result (Desc 用户备注信息)
 */
export function descMatches(desc: string, outNo: string): boolean {
  const d = desc.trim();
  return !d || d === outNo || d.startsWith(`${outNo} `);
}
