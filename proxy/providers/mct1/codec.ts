/**
 * mct1 request payloads and typed answers. Pure: no I/O, no crypto (that is crypto.ts and sign.ts).
 *
 * Answers are JSON envelopes `{errcode, msg, timestamp, data?, sign?}` whose `data`, once decrypted,
 * is JSON again. Decoders take that parsed JSON (`unknown`) and return typed values, refusing what
 * they cannot trust: amounts must be whole, non-negative fen (a JSON integer or a string of digits:
 * the seed's examples send "1"), statuses must be one of 1, 2, 4, 9. Times are China time
 * ("2017-06-29 11:03:11") and become ISO 8601 with +08:00; a malformed time is dropped, not fatal
 * (it is the channel's raw data, "可能会小于下单时间", and must not turn a paid answer into an error).
 */
import type { CartItem } from '../../../contract/api.ts';
import { fail, type Mct1Error } from './errors.ts';

/** Largest answer we read. The seed's largest answers are a few KiB; an order page of 100 maybe 200 KiB. */
export const MAX_ANSWER_BYTES = 1024 * 1024;

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: Mct1Error };

/** 1 交易成功 · 2 待支付 · 4 已取消 · 9 等待用户输入密码确认. @see seeds/004 §4.3.2 (status) */
export type Mct1Status = 1 | 2 | 4 | 9;
/** 1 消费 · 2 辙单（退款）. @see seeds/004 §4.2.1 (ord_type) */
export type Mct1OrdType = 1 | 2;

/** out_no and refund_out_no: "只允许使用数字、字母", up to 64. @see seeds/004 §4.4.1.1 (out_no), §4.7.1 */
export const OUT_NO = /^[A-Za-z0-9]{1,64}$/;

const CHINA_OFFSET_MS = 8 * 3600_000;

function bad(message: string, detail?: string): { ok: false; error: Mct1Error } {
  return fail('response', 'mct1_malformed_answer', message, detail ? { message: detail } : undefined);
}

function ok<T>(value: T): Decoded<T> {
  return { ok: true, value };
}

// --- time -------------------------------------------------------------------------------------------

/**
 * Epoch ms → China time "YYYY-MM-DD HH:MM:SS" (the seed's datetime format).
 * @see seeds/004 §4.2.1 (sdate: 例 2017-06-20 17:05:50)
 */
export function chinaTime(ms: number): string {
  return new Date(ms + CHINA_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

const CHINA_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/;
const COMPACT_TIME = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/;

/**
 * China time ("2017-06-29 11:03:11", or the channels' compact "20170629110311") → ISO 8601 with
 * +08:00. null, "", MySQL's "0000-00-00 00:00:00" and anything malformed → undefined.
 * @see seeds/004 §4.4.2.4 (trade_pay_time)
 */
export function chinaTimeToIso(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = CHINA_TIME.exec(value.trim()) ?? COMPACT_TIME.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m;
  const month = Number(mo);
  const day = Number(d);
  if (Number(y) < 1970 || month < 1 || month > 12 || day < 1 || day > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
    return undefined;
  }
  return `${y}-${mo}-${d}T${h}:${mi}:${s}+08:00`;
}

/**
 * A filter date for the order list: a Date, epoch ms, China time "YYYY-MM-DD HH:MM:SS", a day
 * "YYYY-MM-DD" (start or end of that China day), or an ISO 8601 string with an offset.
 * @see seeds/004 §4.2.1 (sdate, edate)
 */
export function filterTime(value: Date | number | string, end: boolean): string | undefined {
  if (value instanceof Date) return Number.isFinite(value.getTime()) ? chinaTime(value.getTime()) : undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? chinaTime(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return chinaTimeToIso(`${text} ${end ? '23:59:59' : '00:00:00'}`) ? `${text} ${end ? '23:59:59' : '00:00:00'}` : undefined;
  if (CHINA_TIME.test(text)) return chinaTimeToIso(text) ? text.replace('T', ' ') : undefined;
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(text)) {
    const ms = Date.parse(text);
    return Number.isFinite(ms) ? chinaTime(ms) : undefined;
  }
  return undefined;
}

// --- envelope ---------------------------------------------------------------------------------------

export interface Envelope {
  /** As a string ("0", "8002"); the seed sends a JSON number, its tables say string. */
  errcode: string;
  msg: string;
  /** Provider time, Unix seconds, when the answer carries one. */
  timestamp?: number;
  /** The encrypted data, hex. */
  data?: string;
  sign?: string;
  /** Every field as parsed, for signature verification (§2.5 signs all of them but `sign`). */
  fields: Record<string, unknown>;
}

/**
 * Parses an answer's JSON envelope. Refuses anything that is not a JSON object with an errcode.
 * @see seeds/004 §2.2 item 7 (服务器响应返回数据), §4.x.2 返回参数
 */
export function parseEnvelope(text: string): Decoded<Envelope> {
  if (typeof text !== 'string' || !text.trim()) return bad('支付平台应答为空 / empty answer');
  if (Buffer.byteLength(text, 'utf8') > MAX_ANSWER_BYTES) return bad(`支付平台应答过大（超过 ${MAX_ANSWER_BYTES} 字节） / answer too large`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    return bad('支付平台应答不是有效的 JSON / answer is not JSON', e instanceof Error ? e.message : String(e));
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return bad('支付平台应答不是 JSON 对象 / answer is not a JSON object');
  const fields = parsed as Record<string, unknown>;
  const errcode = fields.errcode;
  if (!((typeof errcode === 'number' && Number.isSafeInteger(errcode)) || (typeof errcode === 'string' && /^-?\d{1,9}$/.test(errcode.trim())))) {
    return bad('支付平台应答缺少 errcode / answer without errcode');
  }
  const env: Envelope = {
    errcode: String(errcode).trim(),
    msg: typeof fields.msg === 'string' ? fields.msg : fields.msg === undefined || fields.msg === null ? '' : String(fields.msg),
    fields,
  };
  const ts = fields.timestamp;
  if (typeof ts === 'number' && Number.isSafeInteger(ts) && ts > 0) env.timestamp = ts;
  else if (typeof ts === 'string' && /^\d{1,12}$/.test(ts.trim())) env.timestamp = Number(ts.trim());
  if (fields.data !== undefined && fields.data !== null) {
    if (typeof fields.data !== 'string') return bad('支付平台应答的 data 不是字符串 / data is not a string');
    env.data = fields.data;
  }
  if (typeof fields.sign === 'string') env.sign = fields.sign;
  return ok(env);
}

/** The decrypted `data` text as JSON. @see seeds/004 §2.2 item 6 (data参数是aes加密后的json数据) */
export function parseDataJson(text: string): Decoded<unknown> {
  try {
    return ok(JSON.parse(text.replace(/^\uFEFF/, '')));
  } catch (e) {
    return bad('支付平台应答的 data 解密后不是 JSON / decrypted data is not JSON', e instanceof Error ? e.message : String(e));
  }
}

// --- field readers ----------------------------------------------------------------------------------

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** A text field: strings trimmed (the seed's JSAPI examples have stray spaces), numbers as decimal, null/"" → undefined. */
function str(v: unknown): string | undefined {
  if (typeof v === 'string') {
    const t = v.trim();
    return t ? t : undefined;
  }
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/**
 * Whole fen: a JSON integer ≥ 0 or a string of digits only ("1", "300"). Anything else — "1.00",
 * "-1", "1e2", 1.5, "" — is refused: the seed's amounts are integer fen ("没有小数点").
 * @see seeds/004 §2.2 item 3 (所有关于金额的部分是以分为单位)
 */
export function decodeFen(v: unknown, field: string): Decoded<number> {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return ok(v);
  if (typeof v === 'string' && /^\d{1,15}$/.test(v)) return ok(Number(v));
  return bad(`支付平台应答的金额 ${field} 不是整数分 / ${field} is not a whole number of fen`, `${field}=${JSON.stringify(v)}`);
}

function optionalFen(o: Obj, field: string): Decoded<number | undefined> {
  const v = o[field];
  if (v === undefined || v === null || v === '') return ok(undefined);
  return decodeFen(v, field);
}

/** @see seeds/004 §4.3.2 (status: 1交易成功，2待支付，4已取消，9等待用户输入密码确认) */
export function decodeStatus(v: unknown, field = 'status'): Decoded<Mct1Status> {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d$/.test(v.trim()) ? Number(v.trim()) : NaN;
  if (n === 1 || n === 2 || n === 4 || n === 9) return ok(n);
  return bad(`支付平台应答的订单状态无法识别 / unknown order status`, `${field}=${JSON.stringify(v)}`);
}

function decodeOrdType(v: unknown): Decoded<Mct1OrdType | undefined> {
  if (v === undefined || v === null || v === '') return ok(undefined);
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v.trim()) : NaN;
  if (n === 1 || n === 2) return ok(n);
  return bad('支付平台应答的订单类型无法识别 / unknown ord_type', `ord_type=${JSON.stringify(v)}`);
}

// --- paylist ----------------------------------------------------------------------------------------

/** One payment method of the store. @see seeds/004 §4.1.2 返回参数 */
export interface PaylistEntry {
  tag: string;
  name: string;
  /** 0 现金 · 1 刷卡（拍卡） · 2 主扫 · 3 被扫 (the answer's types; the request's 4 is JSAPI). */
  types: number[];
  internalName?: string;
  icon?: string;
  ticketIcon?: string;
  currency?: string;
  /** pmt_split_refund: several refunds per order allowed. */
  splitRefund?: boolean;
  ticketName?: string;
}

/**
 * The paylist request: pmt_type is a comma-separated list of the wanted types.
 * @see seeds/004 §4.1.1 请求参数
 */
export function encodePaylist(types: string): { pmt_type: string } {
  return { pmt_type: types };
}

/** @see seeds/004 §4.1.2 返回参数, §4.1.4 返回示例 */
export function decodePaylist(data: unknown): Decoded<PaylistEntry[]> {
  if (!Array.isArray(data)) return bad('支付方式列表不是数组 / paylist is not an array');
  const out: PaylistEntry[] = [];
  for (const item of data) {
    if (!isObj(item)) return bad('支付方式列表含无效条目 / invalid paylist entry');
    const tag = str(item.pmt_tag);
    if (!tag || !/^[A-Za-z0-9_]{1,32}$/.test(tag)) return bad('支付方式缺少有效的 pmt_tag / paylist entry without a valid pmt_tag', JSON.stringify(item.pmt_tag));
    const typesText = str(item.pmt_type) ?? '';
    const types = typesText
      .split(',')
      .map((t) => t.trim())
      .filter((t) => /^\d+$/.test(t))
      .map(Number);
    const entry: PaylistEntry = { tag, name: str(item.pmt_name) ?? tag, types };
    const internalName = str(item.pmt_internal_name);
    if (internalName) entry.internalName = internalName;
    const icon = str(item.pmt_icon);
    if (icon) entry.icon = icon;
    const ticketIcon = str(item.pmt_ticket_icon);
    if (ticketIcon) entry.ticketIcon = ticketIcon;
    const currency = str(item.pmt_currency);
    if (currency) entry.currency = currency;
    const split = str(item.pmt_split_refund);
    if (split === '1' || split === '0') entry.splitRefund = split === '1';
    const ticketName = str(item.ticket_name);
    if (ticketName) entry.ticketName = ticketName;
    out.push(entry);
  }
  return ok(out);
}

// --- orders -----------------------------------------------------------------------------------------

/** An order as the provider describes it (payorder, paystatus, order/view, order list). */
export interface Mct1Order {
  ordNo: string;
  outNo?: string;
  ordType?: Mct1OrdType;
  status: Mct1Status;
  pmtTag?: string;
  pmtName?: string;
  /** Custom (Diy) tender name. */
  diyPmtName?: string;
  ordName?: string;
  tradeAmountFen: number;
  originalAmountFen?: number;
  discountFen?: number;
  ignoreFen?: number;
  /** trade_discout_amount (sic): the channel's own discount. */
  tradeDiscountFen?: number;
  tradeNo?: string;
  tradeAccount?: string;
  tradeQrcode?: string;
  /** ISO 8601 +08:00. */
  addTime?: string;
  tradeTime?: string;
  tradePayTime?: string;
  remark?: string;
  /** For a refund (ord_type 2): the sale it refunds. */
  originalOrdNo?: string;
  ordMctId?: string;
  ordShopId?: string;
  currency?: string;
  currencySign?: string;
  shopName?: string;
  /** The channel's raw answer, as text. */
  tradeResult?: string;
}

/**
 * Decodes an order object; shared by payorder, paystatus, order/view and the order list, whose
 * fields are the same names (each answer has a subset). ord_no, status and trade_amount are required.
 * @see seeds/004 §4.2.2, §4.3.2, §4.4.1.2, §4.4.2.2, §4.5.2 返回参数
 */
export function decodeOrder(data: unknown): Decoded<Mct1Order> {
  if (!isObj(data)) return bad('订单数据不是 JSON 对象 / order data is not an object');
  const ordNo = str(data.ord_no);
  if (!ordNo) return bad('订单数据缺少 ord_no / order without ord_no');
  const status = decodeStatus(data.status ?? data.ord_status);
  if (!status.ok) return status;
  const amount = decodeFen(data.trade_amount, 'trade_amount');
  if (!amount.ok) return amount;
  const ordType = decodeOrdType(data.ord_type);
  if (!ordType.ok) return ordType;
  const o: Mct1Order = { ordNo, status: status.value, tradeAmountFen: amount.value };
  if (ordType.value) o.ordType = ordType.value;
  for (const [field, key] of [
    ['original_amount', 'originalAmountFen'],
    ['discount_amount', 'discountFen'],
    ['ignore_amount', 'ignoreFen'],
    ['trade_discout_amount', 'tradeDiscountFen'],
  ] as const) {
    const f = optionalFen(data, field);
    if (!f.ok) return f;
    if (f.value !== undefined) o[key] = f.value;
  }
  const texts: [keyof Mct1Order, string][] = [
    ['outNo', 'out_no'],
    ['pmtTag', 'pmt_tag'],
    ['pmtName', 'pmt_name'],
    ['diyPmtName', 'diy_pmt_name'],
    ['ordName', 'ord_name'],
    ['tradeNo', 'trade_no'],
    ['tradeAccount', 'trade_account'],
    ['tradeQrcode', 'trade_qrcode'],
    ['remark', 'remark'],
    ['originalOrdNo', 'original_ord_no'],
    ['ordMctId', 'ord_mct_id'],
    ['ordShopId', 'ord_shop_id'],
    ['currency', 'ord_currency'],
    ['currency', 'currency'],
    ['currencySign', 'currency_sign'],
    ['shopName', 'shop_name'],
  ];
  for (const [key, field] of texts) {
    const v = str(data[field]);
    if (v !== undefined) (o as unknown as Record<string, string>)[key] = v;
  }
  for (const [key, field] of [
    ['addTime', 'add_time'],
    ['tradeTime', 'trade_time'],
    ['tradePayTime', 'trade_pay_time'],
  ] as const) {
    const iso = chinaTimeToIso(data[field]);
    if (iso) o[key] = iso;
  }
  if (typeof data.trade_result === 'string' && data.trade_result) o.tradeResult = data.trade_result;
  return ok(o);
}

export interface OrderPage {
  total: number;
  totalPages: number;
  page: number;
  pageSize: number;
  items: Mct1Order[];
}

function count(v: unknown, field: string): Decoded<number> {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return ok(v);
  if (typeof v === 'string' && /^\d{1,12}$/.test(v.trim())) return ok(Number(v.trim()));
  return bad(`订单列表分页数据 ${field} 无效 / invalid ${field}`, JSON.stringify(v));
}

/**
 * The order list: `pages` {totalnum, totalpage, pagesize, page} and `list`. The field table calls the
 * paging block "data->page", the example "pages": both are read. Its numbers come as strings or
 * integers (the example mixes them).
 * @see seeds/004 §4.2.2 返回参数, §4.2.4 返回示例
 */
export function decodeOrderPage(data: unknown): Decoded<OrderPage> {
  if (!isObj(data)) return bad('订单列表不是 JSON 对象 / order list is not an object');
  const pages = isObj(data.pages) ? data.pages : isObj(data.page) ? data.page : undefined;
  if (!pages) return bad('订单列表缺少分页数据 / order list without paging');
  const total = count(pages.totalnum, 'totalnum');
  if (!total.ok) return total;
  const totalPages = count(pages.totalpage, 'totalpage');
  if (!totalPages.ok) return totalPages;
  const pageSize = count(pages.pagesize, 'pagesize');
  if (!pageSize.ok) return pageSize;
  const page = count(pages.page, 'page');
  if (!page.ok) return page;
  const list = data.list ?? [];
  if (!Array.isArray(list)) return bad('订单列表的 list 不是数组 / list is not an array');
  const items: Mct1Order[] = [];
  for (const item of list) {
    const o = decodeOrder(item);
    if (!o.ok) return o;
    items.push(o.value);
  }
  return ok({ total: total.value, totalPages: totalPages.value, page: page.value, pageSize: pageSize.value, items });
}

export interface OrderFilter {
  page?: number;
  /** Up to 100 (the seed's maximum); the provider's default is 10. */
  pageSize?: number;
  outNo?: string;
  tradeNo?: string;
  ordNo?: string;
  pmtTag?: string;
  ordType?: Mct1OrdType;
  status?: Mct1Status;
  /** sdate/edate: Date, epoch ms, China time "YYYY-MM-DD HH:MM:SS", a day "YYYY-MM-DD", or ISO 8601. */
  from?: Date | number | string;
  to?: Date | number | string;
}

function badParams(message: string): { ok: false; error: Mct1Error } {
  return fail('params', 'mct1_bad_filter', message);
}

/**
 * The order list request. Only the filters given are sent.
 * @see seeds/004 §4.2.1 请求参数
 */
export function encodeOrderList(f: OrderFilter = {}): Decoded<Record<string, string | number>> {
  const out: Record<string, string | number> = {};
  if (f.page !== undefined) {
    if (!Number.isSafeInteger(f.page) || f.page < 1 || f.page > 999_999_999) return badParams('页码须为正整数 / page must be a positive integer');
    out.page = f.page;
  }
  if (f.pageSize !== undefined) {
    if (!Number.isSafeInteger(f.pageSize) || f.pageSize < 1 || f.pageSize > 100) return badParams('每页条数须为 1–100 / pageSize must be 1–100');
    out.pagesize = f.pageSize;
  }
  const ids: [keyof OrderFilter, string, RegExp][] = [
    ['outNo', 'out_no', OUT_NO],
    ['tradeNo', 'trade_no', /^[\x21-\x7e]{1,50}$/],
    ['ordNo', 'ord_no', /^[A-Za-z0-9]{1,25}$/],
    ['pmtTag', 'pmt_tag', /^[A-Za-z0-9_]{1,20}$/],
  ];
  for (const [key, field, re] of ids) {
    const v = f[key];
    if (v === undefined) continue;
    if (typeof v !== 'string' || !re.test(v)) return badParams(`筛选条件 ${field} 格式不正确 / invalid ${field}`);
    out[field] = v;
  }
  if (f.ordType !== undefined) {
    if (f.ordType !== 1 && f.ordType !== 2) return badParams('ord_type 须为 1 或 2 / ord_type must be 1 or 2');
    out.ord_type = f.ordType;
  }
  if (f.status !== undefined) {
    if (![1, 2, 4, 9].includes(f.status)) return badParams('status 须为 1、2、4 或 9 / status must be 1, 2, 4 or 9');
    out.status = f.status;
  }
  if (f.from !== undefined) {
    const t = filterTime(f.from, false);
    if (!t) return badParams('开始时间格式不正确 / invalid start date');
    out.sdate = t;
  }
  if (f.to !== undefined) {
    const t = filterTime(f.to, true);
    if (!t) return badParams('结束时间格式不正确 / invalid end date');
    out.edate = t;
  }
  return ok(out);
}

/**
 * ord_no and/or out_no for order/view, paystatus and paycancel ("订单号，开发者流水号必须填写一个").
 * @see seeds/004 §4.3.1, §4.5.1, §4.6.1 请求参数
 */
export function encodeOrderRef(ref: { ordNo?: string; outNo?: string }): Record<string, string> {
  const out: Record<string, string> = {};
  if (ref.ordNo) out.ord_no = ref.ordNo;
  if (ref.outNo) out.out_no = ref.outNo;
  return out;
}

// --- payorder ---------------------------------------------------------------------------------------

export type JsapiSpec =
  | { kind: 'wechat-jsapi'; subAppId: string; subOpenId: string }
  | { kind: 'wechat-jump'; jumpUrl: string }
  | { kind: 'alipay-jsapi'; buyerId: string }
  | { kind: 'alipay-jump'; jumpUrl: string }
  | { kind: 'miniprogram'; subAppId: string; subOpenId: string };

export interface PayorderInput {
  outNo: string;
  pmtTag: string;
  /** Required for pmt_tag Diy. */
  pmtName?: string;
  ordName: string;
  amountFen: number;
  remark?: string;
  tag?: string;
  notifyUrl?: string;
  /** B扫C: the customer's payment code. */
  authCode?: string;
  /** 公众号 / 服务窗 / 小程序. */
  jsapi?: JsapiSpec;
}

/**
 * One payorder payload for every scene: C扫B (no auth_code), B扫C (auth_code), JSAPI and jump
 * (公众号/服务窗/小程序), cash and Diy. Amounts are integers: original = trade, no discount or
 * rounding (the proxy has already applied those to the amount).
 * @see seeds/004 §4.4 下订单接口 (4.4.1 扫码, 4.4.2 条码, 4.4.3 微信公众号, 4.4.4 支付宝服务窗, 4.4.5 小程序)
 */
export function encodePayorder(p: PayorderInput): Record<string, string | number> {
  const out: Record<string, string | number> = {
    out_no: p.outNo,
    pmt_tag: p.pmtTag,
  };
  if (p.pmtName) out.pmt_name = p.pmtName;
  out.ord_name = p.ordName;
  out.original_amount = p.amountFen;
  out.discount_amount = 0;
  out.ignore_amount = 0;
  out.trade_amount = p.amountFen;
  if (p.remark) out.remark = p.remark;
  if (p.tag) out.tag = p.tag;
  if (p.notifyUrl) out.notify_url = p.notifyUrl;
  if (p.authCode) out.auth_code = p.authCode;
  const j = p.jsapi;
  if (j) {
    if (j.kind === 'wechat-jump' || j.kind === 'alipay-jump') out.jump_url = j.jumpUrl;
    else if (j.kind === 'alipay-jsapi') {
      out.JSAPI = 1;
      out.buyer_id = j.buyerId;
    } else {
      // 4.4.3.1 types JSAPI as int, 4.4.5.1 (小程序) as string; both "填默认值 1".
      out.JSAPI = j.kind === 'miniprogram' ? '1' : 1;
      out.sub_appid = j.subAppId;
      out.sub_openid = j.subOpenId;
    }
  }
  return out;
}

/**
 * The order name shown in the customer's wallet ("会显示到用户端支付界面"): the items' names,
 * else "商品", at most 100 characters.
 * @see seeds/004 §4.4.1.1 (ord_name: 订单名称（商品描述）)
 */
export function ordNameOf(items: CartItem[] | undefined, fallback = '商品'): string {
  const names = (items ?? []).map((i) => (typeof i?.name === 'string' ? i.name.replace(/\s+/g, ' ').trim() : '')).filter(Boolean);
  const text = names.length ? names.join('、') : fallback;
  return [...text].length > 100 ? `${[...text].slice(0, 99).join('')}…` : text;
}

/** WeChat's JS pay parameters (appId, timeStamp, nonceStr, signType, package, paySign), trimmed. */
export interface WechatPayParams {
  appId: string;
  timeStamp: string;
  nonceStr: string;
  signType: string;
  package: string;
  paySign: string;
}

export interface JsapiAnswer {
  order: Mct1Order;
  /** 公众号/服务窗 jump: the page the customer opens. */
  jsapiPayUrl?: string;
  /** 微信 JSAPI / 小程序: what `WeixinJSBridge` / `wx.requestPayment` take. */
  wechat?: WechatPayParams;
  /** 支付宝 JSAPI: the trade_no for `AlipayJSBridge` tradePay. */
  tradeNo?: string;
}

/**
 * A JSAPI/jump payorder answer. The seed's examples have stray spaces in some values (" MD5",
 * " prepay_id=…", " wxad4459eb8e963029"): every value is trimmed.
 * @see seeds/004 §4.4.3.2, §4.4.4.2, §4.4.5.2 返回参数, §4.4.3.4, §4.4.5.4 返回示例
 */
export function decodeJsapi(data: unknown, kind: JsapiSpec['kind']): Decoded<JsapiAnswer> {
  const o = decodeOrder(data);
  if (!o.ok) return o;
  const d = data as Obj;
  const out: JsapiAnswer = { order: o.value };
  if (kind === 'wechat-jump' || kind === 'alipay-jump') {
    const url = str(d.jsapi_pay_url);
    if (!url || !/^https?:\/\//i.test(url)) return bad('支付平台应答缺少支付链接 jsapi_pay_url / answer without jsapi_pay_url');
    out.jsapiPayUrl = url;
  } else if (kind === 'alipay-jsapi') {
    if (!o.value.tradeNo) return bad('支付平台应答缺少支付宝交易号 trade_no / answer without trade_no');
    out.tradeNo = o.value.tradeNo;
  } else {
    const w: Partial<WechatPayParams> = {};
    for (const k of ['appId', 'timeStamp', 'nonceStr', 'signType', 'package', 'paySign'] as const) {
      const v = str(d[k]);
      if (!v) return bad(`支付平台应答缺少微信支付参数 ${k} / answer without ${k}`);
      w[k] = v;
    }
    out.wechat = w as WechatPayParams;
  }
  return ok(out);
}

// --- cancel and refund ------------------------------------------------------------------------------

export interface CancelAnswer {
  ordNo?: string;
  status: Mct1Status;
}

/**
 * paycancel's data: ord_no and ord_status (4). The example spells it "ord_stautus": both are read.
 * @see seeds/004 §4.6.2 返回参数, §4.6.4 返回示例
 */
export function decodeCancel(data: unknown): Decoded<CancelAnswer> {
  if (!isObj(data)) return bad('取消订单应答的 data 不是 JSON 对象 / cancel data is not an object');
  const status = decodeStatus(data.ord_status ?? data.ord_stautus ?? data.status, 'ord_status');
  if (!status.ok) return status;
  const out: CancelAnswer = { status: status.value };
  const ordNo = str(data.ord_no);
  if (ordNo) out.ordNo = ordNo;
  return ok(out);
}

export interface PayrefundInput {
  /** The sale's out_no and/or ord_no ("out_no和ord_no必填一项"). */
  outNo?: string;
  ordNo?: string;
  refundNo: string;
  amountFen: number;
  remark?: string;
  refundOrdName?: string;
  /** sha1 of the supervisor password, lower-case hex. */
  shopPassSha1: string;
}

/** @see seeds/004 §4.7.1 请求参数 */
export function encodePayrefund(p: PayrefundInput): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  if (p.outNo) out.out_no = p.outNo;
  if (p.ordNo) out.ord_no = p.ordNo;
  out.refund_out_no = p.refundNo;
  if (p.refundOrdName) out.refund_ord_name = p.refundOrdName;
  out.refund_amount = p.amountFen;
  if (p.remark) out.remark = p.remark;
  out.shop_pass = p.shopPassSha1;
  return out;
}

export interface RefundAnswer {
  /** The refund order's own ord_no. */
  ordNo: string;
  originalOrdNo?: string;
  amountFen: number;
  /** 1 成功, 其它值为不成功. */
  status: number;
  tradeTime?: string;
  tradeDiscountFen?: number;
  ordMctId?: string;
  ordShopId?: string;
  currency?: string;
}

/** @see seeds/004 §4.7.2 返回参数, §4.7.4 返回示例 */
export function decodeRefund(data: unknown): Decoded<RefundAnswer> {
  if (!isObj(data)) return bad('退款应答的 data 不是 JSON 对象 / refund data is not an object');
  const ordNo = str(data.ord_no);
  if (!ordNo) return bad('退款应答缺少退款单号 ord_no / refund answer without ord_no');
  const amount = decodeFen(data.trade_amount, 'trade_amount');
  if (!amount.ok) return amount;
  const statusText = str(data.status);
  if (!statusText || !/^-?\d{1,3}$/.test(statusText)) return bad('退款应答缺少状态 status / refund answer without status');
  const out: RefundAnswer = { ordNo, amountFen: amount.value, status: Number(statusText) };
  const original = str(data.original_ord_no);
  if (original) out.originalOrdNo = original;
  const at = chinaTimeToIso(data.trade_time);
  if (at) out.tradeTime = at;
  const disc = optionalFen(data, 'trade_discout_amount');
  if (!disc.ok) return disc;
  if (disc.value !== undefined) out.tradeDiscountFen = disc.value;
  const mct = str(data.ord_mct_id);
  if (mct) out.ordMctId = mct;
  const shop = str(data.ord_shop_id);
  if (shop) out.ordShopId = shop;
  const currency = str(data.ord_currency);
  if (currency) out.currency = currency;
  return ok(out);
}

// --- notify callback --------------------------------------------------------------------------------

export interface CallbackParams {
  ordNo?: string;
  outNo: string;
  /** 1 支付成功 · 4 取消. */
  status: 1 | 4;
  timestamp: number;
  randStr: string;
  sign: string;
}

function badCallback(message: string): { ok: false; error: Mct1Error } {
  return fail('params', 'mct1_callback_malformed', message);
}

/**
 * Reads the notify parameters (not their signature: that is sign.ts). The seed's table has ord_no;
 * its example URL does not, so ord_no is optional.
 * @see seeds/004 §4.8.1.1 通知参数, §4.8.1.3 请求示例
 */
export function decodeCallback(p: Record<string, string | undefined>): Decoded<CallbackParams> {
  const sign = p.sign?.trim();
  if (!sign || !/^[0-9a-fA-F]{32}$/.test(sign)) return badCallback('回调缺少有效的签名 sign / callback without a valid sign');
  const outNo = p.out_no?.trim();
  if (!outNo || outNo.length > 64) return badCallback('回调缺少 out_no / callback without out_no');
  const ts = p.timestamp?.trim();
  if (!ts || !/^\d{9,11}$/.test(ts)) return badCallback('回调时间戳格式不正确 / callback timestamp malformed');
  const randStr = p.rand_str;
  if (!randStr || randStr.length > 128) return badCallback('回调缺少随机字符串 rand_str / callback without rand_str');
  const status = p.status?.trim();
  if (status !== '1' && status !== '4') return badCallback('回调订单状态无法识别（应为 1 或 4） / callback status must be 1 or 4');
  const out: CallbackParams = { outNo, status: status === '1' ? 1 : 4, timestamp: Number(ts), randStr, sign: sign.toLowerCase() };
  const ordNo = p.ord_no?.trim();
  if (ordNo) out.ordNo = ordNo;
  return ok(out);
}
