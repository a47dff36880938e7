/**
 * mct1 aggregated payment client: the `Provider` interface over HTTP (seeds/004).
 * Each call is encode → encrypt → sign → send → verify → decrypt → decode → map; the pure steps
 * live in codec.ts, crypto.ts and sign.ts.
 *
 * Protocol choices where the seed is ambiguous (see the tests for the evidence):
 * - `data` hex case: upper-case by default. §2.2 item 5 says "加密后字符，默认使用小写", but both of the
 *   seed's genuine samples (the §2.4 request, whose data decrypts to {"pmt_type":0}, and the §2.5
 *   answer, whose first block decrypts to `[{"pmt_name":"\u`) use upper-case hex, and the
 *   provider's hex2bin takes either. Signatures and the SHA-1 of shop_pass are always lower-case
 *   (§5 errcode 5: "sha1和md5的结果，必须转成小写"). `hexCase: 'lower'` switches the data.
 * - Clock: the provider refuses requests more than 600 s off (errcode 9). We keep
 *   offset = provider time − local time, measured from every answer's `timestamp`, and send
 *   local time + offset. On errcode 9 we resync from that answer and retry once (the request was
 *   refused, nothing was created). If a server echoed our own timestamp instead of its clock, the
 *   offset would simply stay put (harmless, but then no correction).
 * - An answer with `data` must verify (§2.5) and decrypt; if it does not, the call fails with kind
 *   `response` (the payment state is unknown and will be queried), never `sign` (that kind means the
 *   provider refused OUR signature and nothing happened). Answers without `data` are unsigned in
 *   the protocol: an errcode alone is taken as the provider's word.
 * - Day bills (对账单, for the reconciliation): the day's order list read to its last page, refunds
 *   added to their sales, refunds of later days too (day-bill.ts, where every choice is explained).
 *
 * Secrets (open_key, the supervisor password and its SHA-1) never appear in a message, an error or a
 * call record (redact.ts).
 */
import { isValidAmountFen } from '../../../contract/money.ts';
import { reportCall } from '../call-report.ts';
import { timedFetch, type TimedTransport } from '../http-transport.ts';
import type {
  Bill,
  BillLine,
  CallbackEvent,
  CallbackRequest,
  CallSink,
  DayBill,
  DayBillRequest,
  PayOutcome,
  PaymentRef,
  PayRequest,
  Provider,
  ProviderErrorKind,
  ProviderInfo,
  ProviderMethod,
  RefundOutcome,
  RefundRequest,
} from '../types.ts';
import {
  MAX_ANSWER_BYTES,
  OUT_NO,
  decodeCallback,
  decodeCancel,
  decodeJsapi,
  decodeOrder,
  decodeOrderPage,
  decodePaylist,
  decodeRefund,
  encodeOrderList,
  encodeOrderRef,
  encodePaylist,
  encodePayorder,
  encodePayrefund,
  ordNameOf,
  parseDataJson,
  parseEnvelope,
  type Envelope,
  type JsapiAnswer,
  type JsapiSpec,
  type Mct1Order,
  type OrderFilter,
  type OrderPage,
  type PaylistEntry,
} from './codec.ts';
import { decryptData, encryptData, type HexCase } from './crypto.ts';
import { createDayBillReader } from './day-bill.ts';
import { errcodeError, fail, type Mct1Error } from './errors.ts';
import { recordRequest, recordResponse, scrub } from './redact.ts';
import { requestSign, sha1Hex, verifyAnswer, verifyCallback } from './sign.ts';

export interface Mct1Options {
  /** e.g. "https://api.XXX.com/mct1": operations are POSTed to `${baseUrl}/paylist`, `/payorder`, … */
  baseUrl: string;
  /** 商户门店 open_id. */
  openId: string;
  /** The store's open_key: AES key and signing key. 32 characters (see crypto.ts for other lengths). */
  openKey: string;
  /**
   * The provider's supervisor password (主管密码), proxy-held, sent only as its SHA-1, used when a
   * refund comes without one. No default: the provider's factory default is "123456" (the sandbox
   * store keeps it); configure it explicitly if the store never changed it.
   */
  shopPass?: string;
  /** Per HTTP request. Default 15000. */
  timeoutMs?: number;
  onCall?: CallSink;
  fetch?: typeof fetch;
  /** Hex case of the encrypted `data` we send. Default 'upper' (see the header). */
  hexCase?: HexCase;
  /**
   * pmt_tag → JavaScript RegExp source for routing scanned codes to a barcode method. A key ending
   * in "*" matches tags by prefix. Defaults: "Weixin*" → ^1[0-5]\d{16}$, "Alipay*" →
   * ^(2[5-9]|30)\d{14,22}$. A tag with no pattern gets a method without codePattern (chosen explicitly).
   */
  codePatterns?: Record<string, string>;
  /** Custom tenders (pmt_tag "Diy") the store records through mct1, e.g. ['会员卡']. */
  diyMethods?: string[];
  /** pmt_type asked for at init. Default "0,2,3" (cash, C扫B, B扫C). */
  paylistTypes?: string;
  /** ord_name when a payment has no items. Default "商品". */
  defaultOrdName?: string;
  /** Local clock, epoch ms. Default Date.now. */
  now?: () => number;
  /** Orders per page when reading a day's list (1–100). Default 100, the seed's maximum. */
  dayBillPageSize?: number;
  /** Pages of one list read for a day bill before it is refused. Default 2000. */
  dayBillMaxPages?: number;
}

/** A `Result` whose error carries the stable machine code (`Mct1Error.code`); assignable to `Result<T>`. */
export type Mct1Result<T> = ({ ok: true } & T) | { ok: false; error: Mct1Error };

export interface JsapiOrderInput {
  outNo: string;
  amountFen: number;
  /** Default: the paylist's first tag starting with "Weixin" (WeChat kinds) or "Alipay" (Alipay kinds). */
  pmtTag?: string;
  ordName?: string;
  remark?: string;
  notifyUrl?: string;
  tag?: string;
}

export interface Mct1Provider extends Provider {
  readonly id: 'mct1';
  readonly callbackAnswer: 'notify_success';
  init(): Promise<Mct1Result<{ methods: ProviderMethod[] }>>;
  pay(req: PayRequest): Promise<Mct1Result<PayOutcome>>;
  query(ref: PaymentRef): Promise<Mct1Result<PayOutcome>>;
  cancel(ref: PaymentRef): Promise<Mct1Result<{ state: 'cancelled' }>>;
  refund(ref: PaymentRef, refund: RefundRequest): Promise<Mct1Result<RefundOutcome>>;
  bill(ref: PaymentRef): Promise<Mct1Result<Bill>>;
  reprint(ref: PaymentRef): Promise<Mct1Result<{ printinfo: string }>>;
  parseCallback(req: CallbackRequest): Mct1Result<{ event: CallbackEvent }>;
  refundQuery(ref: PaymentRef, refundNo: string): Promise<Mct1Result<{ state: 'refunded' | 'failed' | 'pending'; amountFen?: number; providerRef?: string }>>;
  /** The order list (4.2), e.g. for the nightly reconciliation. */
  orders(filter?: OrderFilter): Promise<Mct1Result<OrderPage>>;
  /** The day's books from the order list (4.2): every page, refunds added to their sales (day-bill.ts). */
  dayBill(req: DayBillRequest): Promise<Mct1Result<DayBill>>;
  /** One order's details (4.3), by ord_no (`ordNo` or `providerRef`) and/or out_no. */
  orderView(ref: { ordNo?: string; providerRef?: string; outNo?: string }): Promise<Mct1Result<{ order: Mct1Order }>>;
  /** 公众号 / 服务窗 / 小程序 orders (4.4.3–4.4.5) for a later web shop. */
  jsapiOrder(spec: JsapiSpec, order: JsapiOrderInput): Promise<Mct1Result<JsapiAnswer>>;
  /** The store's payment methods as the last paylist returned them. */
  paylist(): readonly PaylistEntry[];
}

export const DEFAULT_CODE_PATTERNS: Record<string, string> = {
  'Weixin*': '^1[0-5]\\d{16}$',
  'Alipay*': '^(2[5-9]|30)\\d{14,22}$',
};

/** The seed's window for request and callback timestamps. @see seeds/004 §2.2 item 9 */
export const TIMESTAMP_WINDOW_MS = 600_000;

/** Pages of the order list read when looking for an order's refunds (100 per page). */
const MAX_REFUND_PAGES = 10;
/** order/view calls made to confirm refund candidates. */
const MAX_REFUND_VIEWS = 100;

type Failure = { ok: false; error: Mct1Error };
type HttpAnswer = { ok: true; status: number; text: string } | Failure;
/** A decoded, verified answer: errcode, msg and the decrypted data (undefined when there was none). */
interface Answer {
  errcode: string;
  msg: string;
  data: unknown;
}
interface CallContext {
  outNo?: string;
  authCode?: string;
  /** Further secrets this call carries (a typed supervisor password). */
  secrets?: string[];
}

function patternFor(tag: string, patterns: Record<string, string>): string | undefined {
  if (Object.hasOwn(patterns, tag)) return patterns[tag];
  let best: string | undefined;
  let bestLen = -1;
  for (const [key, source] of Object.entries(patterns)) {
    if (!key.endsWith('*')) continue;
    const prefix = key.slice(0, -1);
    if (tag.startsWith(prefix) && prefix.length > bestLen) {
      best = source;
      bestLen = prefix.length;
    }
  }
  return best;
}

function clip(text: string | undefined, max: number): string | undefined {
  if (typeof text !== 'string') return undefined;
  const t = text.trim();
  if (!t) return undefined;
  const chars = [...t];
  return chars.length > max ? chars.slice(0, max).join('') : t;
}

function isHttpUrl(text: unknown, max: number): text is string {
  if (typeof text !== 'string' || text.length > max) return false;
  try {
    const u = new URL(text);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * Creates the mct1 provider.
 * @see seeds/004 §2 接口协议约定, §4 订单接口
 */
export function createMct1Provider(opts: Mct1Options): Mct1Provider {
  if (!opts || typeof opts.baseUrl !== 'string' || !/^https?:\/\//i.test(opts.baseUrl)) {
    throw new TypeError('mct1: baseUrl must be an http(s) URL');
  }
  if (typeof opts.openId !== 'string' || !opts.openId.trim()) throw new TypeError('mct1: openId is required');
  if (typeof opts.openKey !== 'string' || !opts.openKey) throw new TypeError('mct1: openKey is required');
  const patterns = { ...DEFAULT_CODE_PATTERNS, ...(opts.codePatterns ?? {}) };
  for (const [tag, source] of Object.entries(patterns)) {
    try {
      new RegExp(source);
    } catch {
      throw new TypeError(`mct1: codePatterns[${tag}] is not a valid regular expression`);
    }
  }
  const diyNames = (opts.diyMethods ?? []).map((n) => (typeof n === 'string' ? n.trim() : ''));
  for (const n of diyNames) {
    if (!n || [...n].length > 20) throw new TypeError('mct1: each diyMethods name must be 1–20 characters');
  }
  if (opts.dayBillPageSize !== undefined && !(Number.isSafeInteger(opts.dayBillPageSize) && opts.dayBillPageSize >= 1 && opts.dayBillPageSize <= 100)) {
    throw new TypeError('mct1: dayBillPageSize must be an integer from 1 to 100');
  }
  if (opts.dayBillMaxPages !== undefined && !(Number.isSafeInteger(opts.dayBillMaxPages) && opts.dayBillMaxPages >= 1)) {
    throw new TypeError('mct1: dayBillMaxPages must be a positive integer');
  }
  const baseUrl = opts.baseUrl.replace(/\/+$/, '');
  const openId = opts.openId.trim();
  const openKey = opts.openKey;
  const hexCase: HexCase = opts.hexCase ?? 'upper';
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const fetchImpl = opts.fetch ?? globalThis.fetch;
  const now = opts.now ?? Date.now;
  /** JSON answers, read as UTF-8 whatever they say. */
  const transport: TimedTransport = { fetch: fetchImpl, timeoutMs, maxBytes: MAX_ANSWER_BYTES, charset: 'utf-8', whenTooLargeAndLate: 'too_large' };
  const paylistTypes = opts.paylistTypes ?? '0,2,3';
  const defaultOrdName = opts.defaultOrdName ?? '商品';

  let entries: PaylistEntry[] = [];
  let methods: ProviderMethod[] = [];
  let lastMessage: string | undefined = '尚未读取支付方式 / not initialised';
  let inflight: Promise<Mct1Result<{ methods: ProviderMethod[] }>> | undefined;
  /** Provider clock − local clock, ms; undefined until an answer carried a timestamp. */
  let offsetMs: number | undefined;

  const providerNow = () => now() + (offsetMs ?? 0);

  function secrets(extra: string[] = []): string[] {
    const out = [openKey];
    for (const pass of [opts.shopPass, ...extra]) {
      if (!pass) continue;
      out.push(sha1Hex(pass), sha1Hex(pass).toUpperCase());
      // A short password (the factory "123456") would also hide innocent digits: only its hash is
      // scrubbed then. The password itself is never sent, only its hash, which `shop_pass` hides.
      if (pass.length >= 8) out.push(pass);
    }
    return out;
  }

  function clean(text: string, ctx: CallContext): string {
    return scrub(text, { hide: secrets(ctx.secrets), authCodes: [ctx.authCode] });
  }

  function report(op: string, ctx: CallContext, request: string, response: string, ok: boolean, errorKind: ProviderErrorKind | undefined, started: number) {
    reportCall(opts.onCall, { provider: 'mct1', op, outNo: ctx.outNo, request, response, ok, errorKind, started }, (text) => clean(text, ctx));
  }

  /** POST form-encoded, answer size-capped. @see seeds/004 §2.2 items 1 and 6, §5 (8: application/x-www-form-urlencoded) */
  async function send(url: string, body: string): Promise<HttpAnswer> {
    const headers = { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8', accept: 'application/json, */*' };
    const answer = await timedFetch(url, { method: 'POST', headers, body }, transport);
    if (answer.ok) return answer;
    if (answer.reason === 'too_large') return fail('response', 'mct1_answer_too_large', `支付平台应答过大（超过 ${MAX_ANSWER_BYTES} 字节） / answer too large`);
    if (answer.reason === 'timeout') return fail('timeout', 'mct1_timeout', `支付平台 ${timeoutMs} 毫秒内无应答 / no answer within ${timeoutMs} ms`);
    return fail('network', 'mct1_network', '无法连接支付平台或连接中断 / connection failed or dropped', {
      message: scrub(answer.detail, { hide: secrets() }),
    });
  }

  /**
   * One HTTP exchange: the request built at send time (its timestamp uses the current offset),
   * the answer verified and decrypted. Records the call.
   * @see seeds/004 §2.2 通讯协议及约定, §2.4 数据请求签名生成规则, §2.5 数据返回签名验证规则
   */
  async function exchange(op: string, path: string, payload: Record<string, unknown>, ctx: CallContext): Promise<Mct1Result<{ answer: Answer; envelope: Envelope }>> {
    const url = `${baseUrl}/${path}`;
    const t0 = now();
    const form = { open_id: openId, timestamp: String(Math.floor((t0 + (offsetMs ?? 0)) / 1000)), data: encryptData(JSON.stringify(payload), openKey, hexCase) };
    const body = new URLSearchParams({ ...form, sign: requestSign(form, openKey) }).toString();
    const requestRecord = recordRequest(url, form, payload);
    const started = performance.now();
    const http = await send(url, body);
    const t1 = now();

    let envelope: Envelope | undefined;
    let decrypted: unknown;
    const result = ((): Mct1Result<{ answer: Answer; envelope: Envelope }> => {
      if (!http.ok) return http;
      if (http.status < 200 || http.status > 299) {
        return fail('response', 'mct1_http_status', `支付平台返回 HTTP ${http.status} / the provider answered HTTP ${http.status}`, { code: String(http.status) });
      }
      const env = parseEnvelope(http.text);
      if (!env.ok) return env;
      envelope = env.value;
      if (envelope.timestamp !== undefined) {
        // Midpoint of the exchange; the answer's timestamp has whole seconds, hence +500.
        offsetMs = Math.round(envelope.timestamp * 1000 + 500 - (t0 + t1) / 2);
      }
      const provider = { code: envelope.errcode, message: clean(envelope.msg, ctx) };
      let data: unknown;
      if (envelope.data !== undefined) {
        if (verifyAnswer(envelope.fields, openKey) !== 'valid') {
          return fail('response', 'mct1_unverifiable_answer', '支付平台应答签名验证失败，结果不可信，将查询订单状态 / answer signature does not verify: the result cannot be trusted', provider);
        }
        const plain = decryptData(envelope.data, openKey);
        if (!plain.ok) {
          return fail('response', 'mct1_undecryptable_answer', `支付平台应答无法解密：${plain.message}`, provider);
        }
        const parsed = parseDataJson(plain.text);
        if (!parsed.ok) return parsed;
        data = decrypted = parsed.value;
      }
      return { ok: true, answer: { errcode: envelope.errcode, msg: envelope.msg, data }, envelope };
    })();

    const errcode = result.ok ? result.answer.errcode : undefined;
    const kind = result.ok ? (errcode === '0' ? undefined : errcodeError(errcode!, result.answer.msg).kind) : result.error.kind;
    report(op, ctx, requestRecord, http.ok ? recordResponse(http.status, http.text, envelope, decrypted) : '', result.ok && errcode === '0', kind, started);
    return result;
  }

  /**
   * An exchange, retried once after errcode 9 (timestamp refused) with the clock resynced from that answer.
   * @see seeds/004 §2.2 item 9, §5 (9 timestamp error)
   */
  async function call(op: string, path: string, payload: Record<string, unknown>, ctx: CallContext = {}): Promise<Mct1Result<{ answer: Answer }>> {
    const first = await exchange(op, path, payload, ctx);
    if (first.ok && first.answer.errcode === '9' && first.envelope.timestamp !== undefined) {
      return exchange(op, path, payload, ctx);
    }
    return first;
  }

  /**
   * The provider's refusal, with its msg scrubbed (a hostile msg must not carry a secret into a message).
   * @see seeds/004 §5.1 接口返回的errcode说明
   */
  function refusal(a: Answer, ctx: CallContext = {}): Failure {
    const error = errcodeError(a.errcode, a.msg ? clean(a.msg, ctx) : a.msg);
    return { ok: false, error };
  }

  /** A successful answer must carry `data`. @see seeds/004 §4.x.2 返回参数 (data字段json数据) */
  function needData<T>(a: Answer, decode: (d: unknown) => { ok: true; value: T } | Failure): { ok: true; value: T } | Failure {
    if (a.data === undefined) return fail('response', 'mct1_malformed_answer', '支付平台成功应答缺少 data / successful answer without data', { code: a.errcode, message: a.msg });
    return decode(a.data);
  }

  // --- methods ---------------------------------------------------------------------------------

  /**
   * Paylist entries → methods: pmt_type 3 → barcode, 2 → qr, 0 → cash (1 刷卡 needs a card slip: not offered), plus the Diy tenders.
   * @see seeds/004 §4.1.2 (pmt_type: 0现金，1刷卡，2主扫，3被扫), §4.4.1.1 (pmt_tag Diy, pmt_name)
   */
  function toMethods(list: PaylistEntry[]): ProviderMethod[] {
    const barcodes: ProviderMethod[] = [];
    const loose: ProviderMethod[] = [];
    const qrs: ProviderMethod[] = [];
    const cash: ProviderMethod[] = [];
    for (const e of list) {
      if (e.types.includes(3)) {
        const m: ProviderMethod = { id: `mct1:${e.tag}`, code: e.tag, name: e.name, kind: 'barcode' };
        const pattern = patternFor(e.tag, patterns);
        if (pattern) {
          m.codePattern = pattern;
          barcodes.push(m);
        } else loose.push(m);
      }
      if (e.types.includes(2)) qrs.push({ id: `mct1:${e.tag}:qr`, code: e.tag, name: `${e.name} 扫码`, kind: 'qr' });
      if (e.types.includes(0) && !e.types.includes(3)) cash.push({ id: `mct1:${e.tag}`, code: e.tag, name: e.name, kind: 'cash' });
    }
    const diy = diyNames.map((name): ProviderMethod => ({ id: `mct1:Diy:${name}`, code: 'Diy', name, kind: 'cash' }));
    // Methods without a pattern go last: a router that tries barcode methods in order should
    // reach every method that can recognise the code first.
    return [...barcodes, ...qrs, ...cash, ...diy, ...loose];
  }

  /** @see seeds/004 §4.1 获取门店支付方式列表 paylist */
  async function doInit(): Promise<Mct1Result<{ methods: ProviderMethod[] }>> {
    const r = await call('paylist', 'paylist', encodePaylist(paylistTypes));
    if (!r.ok) return r;
    if (r.answer.errcode !== '0') return refusal(r.answer);
    const list = needData(r.answer, decodePaylist);
    if (!list.ok) return list;
    entries = list.value;
    methods = toMethods(entries);
    return { ok: true, methods: [...methods] };
  }

  /** Reads the paylist; concurrent calls share one request. @see seeds/004 §4.1 paylist (只需获取一次，保存起来使用即可) */
  async function init(): Promise<Mct1Result<{ methods: ProviderMethod[] }>> {
    if (!inflight) {
      inflight = doInit()
        .then((r) => {
          lastMessage = r.ok ? undefined : r.error.message;
          // Methods already read survive a transient failure; a refusal (unknown store, bad key) does not.
          const transient = !r.ok && ['network', 'timeout', 'response'].includes(r.error.kind);
          if (!r.ok && !transient) {
            entries = [];
            methods = [];
          }
          return r;
        })
        .finally(() => {
          inflight = undefined;
        });
    }
    return inflight;
  }

  /** Ready once the paylist was read; the clock offset measured from the answers. @see seeds/004 §2.2 item 9 */
  function info(): ProviderInfo {
    const out: ProviderInfo = { ready: methods.length > 0 };
    if (!out.ready && lastMessage) out.message = lastMessage;
    if (offsetMs !== undefined) out.clockSkewMs = offsetMs;
    return out;
  }

  // --- payments --------------------------------------------------------------------------------

  /**
   * out_no / refund_out_no: letters and digits only (the proxy's own numbers may hold '_' or '-').
   * @see seeds/004 §4.4.1.1 (out_no: 只允许使用数字、字母), §4.7.1 (refund_out_no)
   */
  function checkOutNo(outNo: unknown, refundNo = false): Failure | undefined {
    if (typeof outNo === 'string' && OUT_NO.test(outNo)) return undefined;
    return refundNo
      ? fail('params', 'mct1_bad_refund_no', '退款单号只能由 1–64 位字母和数字组成 / the refund number must be 1–64 letters or digits')
      : fail('params', 'mct1_bad_out_no', '流水号 out_no 只能由 1–64 位字母和数字组成 / out_no must be 1–64 letters or digits');
  }

  /**
   * Maps an order's status to a payment outcome, checking it is ours and, when paid, its amount.
   * @see seeds/004 §4.5.2 (status: 1交易成功，2待支付，4已取消，9等待用户输入密码确认)
   */
  function mapOrder(o: Mct1Order, expected: { outNo?: string; ordNo?: string; amountFen: number }, qr = false): Mct1Result<PayOutcome> {
    const provider = { code: String(o.status) };
    if ((expected.outNo && o.outNo && o.outNo !== expected.outNo) || (expected.ordNo && o.ordNo !== expected.ordNo)) {
      return fail('response', 'mct1_order_mismatch', '支付平台应答的订单与请求不符 / the answer is about another order', provider);
    }
    if (o.ordType === 2) return fail('response', 'mct1_order_mismatch', '支付平台应答的是一笔退款订单 / the answer is about a refund order', provider);
    if (o.status === 1) {
      if (o.tradeAmountFen !== expected.amountFen) {
        return fail('response', 'mct1_amount_mismatch', `支付平台应答金额与订单金额不符 / amount mismatch (${o.tradeAmountFen} ≠ ${expected.amountFen} fen)`, provider);
      }
      const out: PayOutcome = { state: 'paid', providerRef: o.ordNo, amountFen: o.tradeAmountFen, providerCode: '1', message: '支付成功 / paid' };
      if (o.tradeNo) out.tradeNo = o.tradeNo;
      const paidAt = o.tradePayTime ?? o.tradeTime;
      if (paidAt) out.paidAt = paidAt;
      return { ok: true, ...out };
    }
    if (o.status === 9) {
      return { ok: true, state: 'paying', providerRef: o.ordNo, providerCode: '9', message: '等待顾客输入支付密码 / waiting for the customer to enter the password' };
    }
    if (o.status === 2) {
      const out: PayOutcome = { state: 'paying', providerRef: o.ordNo, providerCode: '2', message: '等待顾客扫码支付 / waiting for the customer to pay' };
      if (o.tradeQrcode) out.qrCode = o.tradeQrcode;
      else if (qr) return fail('response', 'mct1_qrcode_missing', '支付平台未返回二维码 / no QR code in the answer', provider);
      return { ok: true, ...out };
    }
    return { ok: true, state: 'cancelled', providerRef: o.ordNo, providerCode: '4', message: '订单已取消 / cancelled' };
  }

  /**
   * B扫C (auth_code), C扫B (QR), cash and Diy: one payorder each.
   * @see seeds/004 §4.4 下订单接口 (4.4.1 扫码支付, 4.4.2 条码支付)
   */
  async function pay(req: PayRequest): Promise<Mct1Result<PayOutcome>> {
    if (!methods.length) return fail('config', 'mct1_not_initialised', 'mct1 尚未读取支付方式，请稍后重试 / payment methods not loaded yet');
    const method = methods.find((m) => m.id === req.method?.id);
    if (!method) return fail('config', 'mct1_method_unknown', `mct1 未开通该支付方式：${req.method?.name ?? req.method?.id ?? ''} / method not configured`);
    const badOut = checkOutNo(req.outNo);
    if (badOut) return badOut;
    if (!isValidAmountFen(req.amountFen, Number.MAX_SAFE_INTEGER)) {
      return fail('params', 'mct1_bad_amount', '金额须为大于 0 的整数分 / amount must be a positive whole number of fen');
    }
    let authCode: string | undefined;
    if (method.kind === 'barcode') {
      authCode = typeof req.authCode === 'string' ? req.authCode.trim() : '';
      if (!/^\d{10,50}$/.test(authCode)) return fail('params', 'mct1_bad_auth_code', '付款码格式不正确，请重新扫描 / malformed payment code');
      if (method.codePattern && !new RegExp(method.codePattern).test(authCode)) {
        return fail('params', 'mct1_bad_auth_code', `付款码不是${method.name}的付款码 / the code does not belong to this method`);
      }
    }
    if (req.notifyUrl !== undefined && !isHttpUrl(req.notifyUrl, 200)) {
      return fail('params', 'mct1_bad_notify_url', '回调地址须为 200 字符以内的 http(s) 地址 / notify_url must be an http(s) URL of at most 200 characters');
    }
    const payload = encodePayorder({
      outNo: req.outNo,
      pmtTag: method.code,
      pmtName: method.code === 'Diy' ? method.name : undefined,
      ordName: ordNameOf(req.items, defaultOrdName),
      amountFen: req.amountFen,
      remark: clip(req.remark, 100),
      notifyUrl: req.notifyUrl,
      authCode,
    });
    const ctx: CallContext = { outNo: req.outNo, authCode };
    const r = await call('payorder', 'payorder', payload, ctx);
    if (!r.ok) return r;
    const a = r.answer;
    if (a.errcode !== '0') {
      const f = refusal(a, ctx);
      // The provider answered: this payment did not happen (8011 with the channel's reason, 8008, 8046).
      if (f.error.kind === 'declined') return { ok: true, state: 'failed', message: f.error.message, providerCode: a.errcode };
      return f;
    }
    const o = needData(a, decodeOrder);
    if (!o.ok) return o;
    return mapOrder(o.value, { outNo: req.outNo, amountFen: req.amountFen }, method.kind === 'qr');
  }

  /**
   * The state of a payment, by out_no (and ord_no when known). 8002 is an answer, not an error:
   * the service decides what "no such order" means after a lost answer.
   * @see seeds/004 §4.5 查询付款状态 paystatus
   */
  async function query(ref: PaymentRef): Promise<Mct1Result<PayOutcome>> {
    const badOut = checkOutNo(ref.outNo);
    if (badOut) return badOut;
    const ctx: CallContext = { outNo: ref.outNo, authCode: ref.authCode };
    const r = await call('paystatus', 'paystatus', encodeOrderRef({ ordNo: ref.providerRef, outNo: ref.outNo }), ctx);
    if (!r.ok) return r;
    const a = r.answer;
    if (a.errcode === '8002') {
      return { ok: true, state: 'failed', providerCode: '8002', message: '订单不存在（支付平台没有这笔订单） / no such order at the provider' };
    }
    if (a.errcode !== '0') return refusal(a, ctx);
    const o = needData(a, decodeOrder);
    if (!o.ok) return o;
    return mapOrder(o.value, { outNo: ref.outNo, ordNo: ref.providerRef, amountFen: ref.amountFen });
  }

  /**
   * Cancels an unpaid order. The seed allows it only for B扫C orders (8013 otherwise) and never for
   * a paid or cancelled one (8012): both are `declined`, after which the service queries.
   * @see seeds/004 §4.6 订单取消接口 paycancel, §5 (8012, 8013)
   */
  async function cancel(ref: PaymentRef): Promise<Mct1Result<{ state: 'cancelled' }>> {
    const badOut = checkOutNo(ref.outNo);
    if (badOut) return badOut;
    const ctx: CallContext = { outNo: ref.outNo, authCode: ref.authCode };
    const r = await call('paycancel', 'paycancel', encodeOrderRef({ ordNo: ref.providerRef, outNo: ref.outNo }), ctx);
    if (!r.ok) return r;
    const a = r.answer;
    if (a.errcode !== '0') return refusal(a, ctx);
    if (a.data !== undefined) {
      const c = decodeCancel(a.data);
      if (!c.ok) return c;
      if (c.value.status !== 4) {
        return fail('response', 'mct1_cancel_unconfirmed', `支付平台未确认取消（状态 ${c.value.status}） / cancel not confirmed`, { code: String(c.value.status) });
      }
      if (ref.providerRef && c.value.ordNo && c.value.ordNo !== ref.providerRef) {
        return fail('response', 'mct1_order_mismatch', '支付平台应答的订单与请求不符 / the answer is about another order');
      }
    }
    return { ok: true, state: 'cancelled' };
  }

  /**
   * A refund is a new order (ord_type 2) with its own number, refund_out_no = refundNo: the provider
   * refuses the same number twice (8020), so a retried refund is never paid twice.
   * @see seeds/004 §4.7 订单退款接口 payrefund
   */
  async function refund(ref: PaymentRef, rq: RefundRequest): Promise<Mct1Result<RefundOutcome>> {
    const badOut = checkOutNo(ref.outNo);
    if (badOut) return badOut;
    const badRefund = checkOutNo(rq?.refundNo, true);
    if (badRefund) return badRefund;
    if (!isValidAmountFen(rq.amountFen, Number.MAX_SAFE_INTEGER)) {
      return fail('params', 'mct1_bad_amount', '退款金额须为大于 0 的整数分 / refund must be a positive whole number of fen');
    }
    const password = rq.supervisorPassword || opts.shopPass;
    if (!password) {
      return fail('params', 'mct1_supervisor_password_required', '退款需要主管密码：请店长输入主管密码 / a supervisor password is required for this refund');
    }
    const ctx: CallContext = { outNo: ref.outNo, authCode: ref.authCode, secrets: [password] };
    const payload = encodePayrefund({
      outNo: ref.outNo,
      ordNo: ref.providerRef,
      refundNo: rq.refundNo,
      amountFen: rq.amountFen,
      remark: clip(rq.reason, 100),
      shopPassSha1: sha1Hex(password),
    });
    const r = await call('payrefund', 'payrefund', payload, ctx);
    if (!r.ok) return r;
    const a = r.answer;
    if (a.errcode !== '0') return refusal(a, ctx);
    const d = needData(a, decodeRefund);
    if (!d.ok) return d;
    const v = d.value;
    const provider = { code: String(v.status), message: a.msg };
    if (v.status !== 1) {
      return fail('response', 'mct1_refund_unconfirmed', `支付平台未确认退款成功（状态 ${v.status}），正在核对 / refund not confirmed yet`, provider);
    }
    if (v.amountFen !== rq.amountFen) {
      return fail('response', 'mct1_amount_mismatch', `支付平台退款金额与请求不符 / refund amount mismatch (${v.amountFen} ≠ ${rq.amountFen} fen)`, provider);
    }
    if (ref.providerRef && v.originalOrdNo && v.originalOrdNo !== ref.providerRef) {
      return fail('response', 'mct1_order_mismatch', '支付平台退款应答的原订单与请求不符 / refund answer about another order', provider);
    }
    const out: RefundOutcome = { state: 'refunded', amountFen: v.amountFen, providerRef: v.ordNo, message: a.msg && a.msg !== 'ok' ? a.msg : '退款成功 / refunded' };
    if (v.tradeTime) out.refundedAt = v.tradeTime;
    return { ok: true, ...out };
  }

  /**
   * A refund's state by its own out_no ("如需实时获取原订单/退款订单支付状态，请使用此接口").
   * @see seeds/004 §4.5 查询付款状态 paystatus, §4.7 (退款订单状态查询请使用paystatus接口)
   */
  async function refundQuery(ref: PaymentRef, refundNo: string): Promise<Mct1Result<{ state: 'refunded' | 'failed' | 'pending'; amountFen?: number; providerRef?: string }>> {
    const bad = checkOutNo(refundNo, true);
    if (bad) return bad;
    const ctx: CallContext = { outNo: ref?.outNo };
    const r = await call('paystatus', 'paystatus', encodeOrderRef({ outNo: refundNo }), ctx);
    if (!r.ok) return r;
    const a = r.answer;
    if (a.errcode === '8002') return { ok: true, state: 'failed' };
    if (a.errcode !== '0') return refusal(a, ctx);
    const d = needData(a, decodeOrder);
    if (!d.ok) return d;
    const o = d.value;
    if (o.ordType === 1 || (o.outNo && o.outNo !== refundNo) || (ref?.providerRef && o.originalOrdNo && o.originalOrdNo !== ref.providerRef)) {
      return fail('response', 'mct1_order_mismatch', '支付平台应答的不是这笔退款 / the answer is not about this refund', { code: String(o.status) });
    }
    if (o.status === 1) return { ok: true, state: 'refunded', amountFen: o.tradeAmountFen, providerRef: o.ordNo };
    if (o.status === 4) return { ok: true, state: 'failed', providerRef: o.ordNo };
    return { ok: true, state: 'pending', providerRef: o.ordNo };
  }

  /** @see seeds/004 §4.3 查询订单明细 order/view */
  async function orderView(ref: { ordNo?: string; providerRef?: string; outNo?: string }): Promise<Mct1Result<{ order: Mct1Order }>> {
    const ordNo = ref?.ordNo ?? ref?.providerRef;
    if (!ordNo && !ref?.outNo) return fail('params', 'mct1_bad_out_no', '查询订单需要订单号或流水号 / ord_no or out_no needed');
    if (ordNo && !/^[A-Za-z0-9]{1,32}$/.test(ordNo)) return fail('params', 'mct1_bad_ord_no', '订单号格式不正确 / malformed ord_no');
    if (ref.outNo) {
      const bad = checkOutNo(ref.outNo);
      if (bad) return bad;
    }
    const r = await call('order/view', 'order/view', encodeOrderRef({ ordNo, outNo: ref.outNo }), { outNo: ref.outNo });
    if (!r.ok) return r;
    if (r.answer.errcode !== '0') return refusal(r.answer);
    const o = needData(r.answer, decodeOrder);
    if (!o.ok) return o;
    if ((ordNo && o.value.ordNo !== ordNo) || (ref.outNo && o.value.outNo && o.value.outNo !== ref.outNo)) {
      return fail('response', 'mct1_order_mismatch', '支付平台应答的订单与请求不符 / the answer is about another order');
    }
    return { ok: true, order: o.value };
  }

  /** @see seeds/004 §4.2 获取订单列表 order */
  async function orders(filter: OrderFilter = {}): Promise<Mct1Result<OrderPage>> {
    const payload = encodeOrderList(filter);
    if (!payload.ok) return payload;
    const r = await call('order', 'order', payload.value, { outNo: filter.outNo });
    if (!r.ok) return r;
    if (r.answer.errcode !== '0') return refusal(r.answer);
    const page = needData(r.answer, decodeOrderPage);
    if (!page.ok) return page;
    return { ok: true, ...page.value };
  }

  /**
   * The sale and its refunds. Refunds are separate orders (ord_type 2) whose order/view names the
   * sale in original_ord_no; the order list cannot filter on that, so:
   * 1. order/view of the sale;
   * 2. list refunds (ord_type 2, status 1) since the sale's add_time with the sale's trade_no (the
   *    seed's list example shows a refund carrying its sale's trade_no); if that finds none, or the
   *    sale has no trade_no (cash, Diy), list the refunds of the sale's pmt_tag since then;
   * 3. keep the candidates whose order/view names this sale in original_ord_no (remembered: a
   *    refund's sale never changes).
   * Bounded: at most 10 pages of 100 and 100 order/view calls, else a `response` error.
   * @see seeds/004 §4.2 order, §4.3 order/view (original_ord_no), §4.7 payrefund
   */
  async function bill(ref: PaymentRef): Promise<Mct1Result<Bill>> {
    const sale = await orderView({ providerRef: ref.providerRef, outNo: ref.outNo });
    if (!sale.ok) return sale;
    const s = sale.order;
    if (s.ordType === 2) return fail('response', 'mct1_order_mismatch', '该订单是退款订单 / this is a refund order');
    if (s.status !== 1) {
      return fail('declined', 'mct1_not_paid', `订单未支付成功（状态 ${s.status}），没有账单 / the order is not paid`, { code: String(s.status) });
    }
    const found = await refundsOf(s, days.originalOf);
    if (!found.ok) return found;
    const refunds = found.refunds;
    const line = (o: Mct1Order, amountFen: number): BillLine => {
      const l: BillLine = { amountFen };
      const at = o.tradePayTime ?? o.tradeTime ?? o.addTime;
      if (at) l.at = at;
      const id = amountFen < 0 ? o.ordNo : o.tradeNo;
      if (id) l.tradeNo = id;
      const name = o.diyPmtName ?? o.pmtName;
      if (name) l.methodName = name;
      return l;
    };
    const out: Bill = {
      providerRef: s.ordNo,
      amountFen: s.tradeAmountFen,
      refundedFen: refunds.reduce((sum, o) => sum + o.tradeAmountFen, 0),
      lines: [line(s, s.tradeAmountFen), ...refunds.map((o) => line(o, -o.tradeAmountFen))],
    };
    const paidAt = s.tradePayTime ?? s.tradeTime;
    if (paidAt) out.paidAt = paidAt;
    return { ok: true, ...out };
  }

  /**
   * Every refund of a sale so far (see `bill`); `originalOf` says which sale a refund names
   * (order/view's original_ord_no, cached by the day-bill reader).
   * @see seeds/004 §4.2 order, §4.3 order/view (original_ord_no)
   */
  async function refundsOf(s: Mct1Order, originalOf: (refund: Mct1Order) => Promise<Mct1Result<{ ordNo?: string }>>): Promise<Mct1Result<{ refunds: Mct1Order[] }>> {
    const since = s.addTime ? Date.parse(s.addTime) - 60_000 : undefined;
    const base: OrderFilter = { ordType: 2, status: 1, pageSize: 100, to: providerNow() + 60_000 };
    if (since !== undefined && Number.isFinite(since)) base.from = since;

    async function list(filter: OrderFilter): Promise<Mct1Result<{ items: Mct1Order[] }>> {
      const items: Mct1Order[] = [];
      for (let page = 1; page <= MAX_REFUND_PAGES; page++) {
        const r = await orders({ ...filter, page });
        if (!r.ok) return r;
        items.push(...r.items);
        if (page >= r.totalPages || r.items.length === 0) return { ok: true, items };
      }
      return fail('response', 'mct1_too_many_refunds', '退款记录过多，无法核对 / too many refund records to check');
    }

    let candidates: Mct1Order[] = [];
    if (s.tradeNo) {
      const r = await list({ ...base, tradeNo: s.tradeNo });
      if (!r.ok) return r;
      candidates = r.items;
    }
    if (!candidates.length && s.pmtTag && /^[A-Za-z0-9_]{1,20}$/.test(s.pmtTag)) {
      const r = await list({ ...base, pmtTag: s.pmtTag });
      if (!r.ok) return r;
      candidates = r.items;
    }
    const refunds: Mct1Order[] = [];
    let views = 0;
    for (const c of candidates) {
      if (c.ordType !== 2 || c.status !== 1) continue;
      if (!c.originalOrdNo && ++views > MAX_REFUND_VIEWS) return fail('response', 'mct1_too_many_refunds', '退款记录过多，无法核对 / too many refund records to check');
      const original = await originalOf(c);
      if (!original.ok) return original;
      if (original.ordNo === s.ordNo && !refunds.some((x) => x.ordNo === c.ordNo)) refunds.push(c);
    }
    return { ok: true, refunds };
  }

  /** The day's books (对账单) from the order list: see day-bill.ts. @see seeds/004 §4.2 获取订单列表 order */
  const days = createDayBillReader({
    orders,
    view: (ordNo) => orderView({ ordNo }),
    refundsOf,
    now: providerNow,
    pageSize: opts.dayBillPageSize,
    maxPages: opts.dayBillMaxPages,
  });

  /** The seed has no receipt call. @see seeds/004 §4 订单接口 */
  async function reprint(_ref: PaymentRef): Promise<Mct1Result<{ printinfo: string }>> {
    return fail('unsupported', 'mct1_unsupported', 'mct1 没有补打小票接口 / mct1 has no reprint call');
  }

  /**
   * 公众号 / 服务窗 / 小程序: a payorder with jump_url, or JSAPI with sub_appid + sub_openid (微信) or
   * buyer_id (支付宝). A refusal is an error here (no cashier outcome to show).
   * @see seeds/004 §4.4.3 微信公众号支付, §4.4.4 支付宝服务窗支付, §4.4.5 微信小程序支付
   */
  async function jsapiOrder(spec: JsapiSpec, order: JsapiOrderInput): Promise<Mct1Result<JsapiAnswer>> {
    const badOut = checkOutNo(order?.outNo);
    if (badOut) return badOut;
    if (!isValidAmountFen(order.amountFen, Number.MAX_SAFE_INTEGER)) {
      return fail('params', 'mct1_bad_amount', '金额须为大于 0 的整数分 / amount must be a positive whole number of fen');
    }
    const id = (v: unknown) => typeof v === 'string' && /^[\x21-\x7e]{1,128}$/.test(v);
    const wechat = spec?.kind === 'wechat-jsapi' || spec?.kind === 'wechat-jump' || spec?.kind === 'miniprogram';
    switch (spec?.kind) {
      case 'wechat-jsapi':
      case 'miniprogram':
        if (!id(spec.subAppId) || !id(spec.subOpenId)) return fail('params', 'mct1_bad_jsapi', '需要 sub_appid 和 sub_openid / sub_appid and sub_openid required');
        break;
      case 'alipay-jsapi':
        if (!id(spec.buyerId)) return fail('params', 'mct1_bad_jsapi', '需要支付宝 buyer_id / buyer_id required');
        break;
      case 'wechat-jump':
      case 'alipay-jump':
        if (!isHttpUrl(spec.jumpUrl, 200)) return fail('params', 'mct1_bad_jsapi', 'jump_url 须为 200 字符以内的 http(s) 地址 / jump_url must be an http(s) URL');
        break;
      default:
        return fail('params', 'mct1_bad_jsapi', '未知的 JSAPI 类型 / unknown JSAPI kind');
    }
    if (order.notifyUrl !== undefined && !isHttpUrl(order.notifyUrl, 200)) {
      return fail('params', 'mct1_bad_notify_url', '回调地址须为 200 字符以内的 http(s) 地址 / notify_url must be an http(s) URL');
    }
    const pmtTag = order.pmtTag ?? entries.find((e) => e.tag.startsWith(wechat ? 'Weixin' : 'Alipay'))?.tag;
    if (!pmtTag) return fail('config', 'mct1_method_unknown', `没有可用的${wechat ? '微信' : '支付宝'}支付方式（请先读取支付方式） / no matching payment method`);
    const payload = encodePayorder({
      outNo: order.outNo,
      pmtTag,
      ordName: clip(order.ordName, 100) ?? defaultOrdName,
      amountFen: order.amountFen,
      remark: clip(order.remark, 100),
      tag: clip(order.tag, 50),
      notifyUrl: order.notifyUrl,
      jsapi: spec,
    });
    const ctx: CallContext = { outNo: order.outNo };
    const r = await call('payorder', 'payorder', payload, ctx);
    if (!r.ok) return r;
    if (r.answer.errcode !== '0') return refusal(r.answer, ctx);
    const d = needData(r.answer, (data) => decodeJsapi(data, spec.kind));
    if (!d.ok) return d;
    if (d.value.order.outNo && d.value.order.outNo !== order.outNo) {
      return fail('response', 'mct1_order_mismatch', '支付平台应答的订单与请求不符 / the answer is about another order');
    }
    return { ok: true, ...d.value };
  }

  /**
   * The notify callback (GET): signature (constant time), then the ±600 s window against the
   * provider-corrected clock. Each retry of the provider carries a fresh timestamp and signature, so
   * the signature is the replay key.
   * @see seeds/004 §4.8.1 后台异步通知
   */
  function parseCallback(req: CallbackRequest): Mct1Result<{ event: CallbackEvent }> {
    const params = req?.query && typeof req.query.sign === 'string' ? req.query : (req?.body ?? req?.query ?? {});
    const p = decodeCallback(params);
    if (!p.ok) return p;
    if (!verifyCallback(params, openKey)) {
      return fail('sign', 'mct1_callback_forged', '回调签名无效，已忽略 / callback signature does not verify');
    }
    if (Math.abs(p.value.timestamp * 1000 - providerNow()) > TIMESTAMP_WINDOW_MS) {
      return fail('params', 'mct1_callback_stale', '回调时间戳超出允许范围 / callback timestamp outside the allowed window');
    }
    const event: CallbackEvent = {
      outNo: p.value.outNo,
      state: p.value.status === 1 ? 'paid' : 'cancelled',
      replayKey: p.value.sign,
      timestamp: p.value.timestamp,
    };
    if (p.value.ordNo) event.providerRef = p.value.ordNo;
    return { ok: true, event };
  }

  return {
    id: 'mct1',
    callbackAnswer: 'notify_success',
    init,
    info,
    methods: () => [...methods],
    paylist: () => entries,
    pay,
    query,
    cancel,
    refund,
    refundQuery,
    bill,
    reprint,
    parseCallback,
    orders,
    orderView,
    dayBill: days.dayBill,
    jsapiOrder,
  };
}
