/**
 * posmini (seeds/003): the POS mini-program backend's WeChat barcode payment on a sales bill, as the
 * `Provider` interface over HTTP. Each call is encode → encrypt → send → decode → map; the pure steps
 * live in crypto.ts and codec.ts. Secrets never leave this module (redact.ts).
 *
 * ── Choices where the seed is silent (for the README) ─────────────────────────────────────────────
 *
 * 1. Wire format. JSON by default, `format: 'xml'` for DataContract XML; both as the seed prints
 *    them (XML: root PosSellPayWithWechatBarcodeParm in the …Tour.V5.Parm namespace, elements in the
 *    seed's order billnum, paymentvalue, wechatbarcode; JSON: the sample's order). `paymentvalue` is
 *    formatYuan's text written into the body as it is ("12.34", "0.29", "3.00" — a valid JSON number
 *    literal that .NET reads as an exact decimal): no float is ever computed. We send Accept in the
 *    same format, and read an answer in whichever format it arrives (`{…}` or `<…>`). An XML answer's
 *    root may be any `CommonOperationResultWithTag…` (.NET appends a hash: the seed's `…ldpHZqFJ`);
 *    namespace prefixes (`d2p1:`) are stripped; every value is read as text.
 *
 * 2. Results (the seed's words). errcode 0: paid and applied to the bill → `paid`, providerRef =
 *    autoid; `tag.billpaystate == "3"` → `bill.fullyPaid`, else more is owed on the bill (split tender:
 *    the cashier takes another payment on the same bill). errcode 1: the backend does not know →
 *    `paying`: the proxy queries (never re-sends the pay call) until it is known. errcode -1: failed,
 *    the errmsg kept as the message. Any other errcode: kind `response` (state unknown → query).
 *    An errcode -1 whose errmsg speaks of decrypting (解密/密钥/密文) is our configuration, not the
 *    customer: kind `decrypt` (nothing was charged), so a manager checks the password / DES settings.
 *    HTTP: 2xx → decoded; 400/413/415 → `params` (the framework refused the request before the action
 *    ran); 401/403 → `config` (session/auth refused); 404/405 → `config` (wrong path); anything
 *    else (5xx, gateway HTML) → `response`, i.e. unknown: query.
 *
 * 3. Triple-DES of the payment code (the seed: "使用会话用的KEY(UPPER(MD5(登陆密码))对扫描到的内容进行
 *    TripDes加密"). Configurable as `des: {key, passwordEncoding, mode, output}`; the DEFAULT is
 *    key 'hex24' + passwordEncoding 'utf8' + mode 'ecb' (PKCS#7) + output 'base64', because:
 *    - The seed defines the key as the TEXT UPPER(MD5(…)). Upper-casing only matters if the hex
 *      characters themselves are the key material; with the raw 16 MD5 bytes ('raw16') the UPPER
 *      would be a no-op the author would hardly have written down.
 *    - Those 32 characters are 32 bytes; .NET's TripleDES takes only 16 or 24. The widely copied
 *      snippet is `new TripleDESCryptoServiceProvider { Key = Encoding.ASCII.GetBytes(md5.Substring(0,
 *      24)), Mode = CipherMode.ECB, Padding = PaddingMode.PKCS7 }` → Convert.ToBase64String: hex24.
 *    - The other end of this API is a WeChat mini-program (JavaScript). CryptoJS, the library such
 *      code uses, hashes UTF-8 (CryptoJS.MD5), and CryptoJS.TripleDES given the 32-byte key
 *      (enc.Utf8.parse) silently uses its first 24 bytes, pads PKCS#7 and prints base64 by default:
 *      the same hex24 + utf8 + base64. Both likely implementations agree on it.
 *    - ECB: the request carries no IV and the seed names none. 'hex' output is upper-case (.NET
 *      BitConverter). 'utf16le' is .NET's Encoding.Unicode; 'raw16' is code that keeps
 *      md5.ComputeHash's bytes (2-key TDES). Each variant is tested against openssl vectors.
 *
 * 4. Session and auth. The seed's "会话" implies a logged-in session but documents no login API. The
 *    HTTP request is authenticated by the pluggable `auth` (HttpAuth: bearer / any header such as a
 *    Cookie / a query parameter — we add parameters to the query string, the body stays the seed's);
 *    the DES key comes from `loginPassword`, a proxy-only secret. Neither, nor the session key, the
 *    ciphertext or a full payment code, appears in a call record or a message: the recorded request
 *    shows `wechatbarcode` as *** and the code masked to its last four digits.
 *
 * 5. ASSUMPTION — query. errcode 1 says "需要查询一个付款的情况(调用其他API)" but that API is not in
 *    the seed. We assume `POST api/Pos/MiniProgram/Busi/Sell/Pay/Query` (option `paths.query`) with
 *    {billnum, autoid?, wechatbarcode?} — autoid when the pay answer gave one, else the same encrypted
 *    code ((billnum, code) names a payment: a payment code pays once) — answering the same envelope
 *    with tag {autoid, billnum, billpaid, billpaystate, billtotal, paymentvalue, paystate}; paystate
 *    0 paying, 1 paid, -1 failed; errcode 1 still unknown; errcode -1 no such payment (→ `failed`:
 *    not charged; the proxy's grace period covers a payment not booked yet). XML: root
 *    PosSellPayQueryParm, elements autoid, billnum, wechatbarcode.
 *
 * 6. ASSUMPTION — bill read. `POST api/Pos/MiniProgram/Busi/Sell/Bill/Get` (option `paths.bill`)
 *    {billnum} → tag {billnum, billpaid, billpaystate, billtotal} (yuan decimals), errcode -1 = no
 *    such bill. After a payment that did not complete the bill we read it (option `readBalance`,
 *    default true; skipped for good after a 404) to show the cashier `bill.balanceFen`; a failed read
 *    leaves the balance unknown and never changes the payment's outcome. `billState(billNo)` reads it
 *    before a payment too.
 *
 * 7. Bill states. The seed defines only "3" (fully paid); anything else means more is owed. Our
 *    sandbox answers "1" (nothing paid) and "2" (partly paid) — ASSUMPTION; the client relies on "3"
 *    only (and on billpaid ≥ billtotal when a bill read has no state).
 *
 * 8. Provider mapping. One barcode method, `posmini:wechat` (微信, ^1[0-5]\d{16}$, needsBill). `pay`
 *    needs `billNo` (≤ 20 characters). `query` needs `ref.billNo` and uses autoid (`providerRef`) when
 *    known, else the payment code. `bill` reads the sales bill: amountFen = what the whole bill has
 *    been paid so far (all tenders), refundedFen 0, no lines. The seed has no cancel, refund,
 *    refund query or reprint: each answers `unsupported`. `init` makes no call (the seed has no
 *    configuration or ping API): it checks the options and offers the method.
 */
import { isValidAmountFen } from '../../../contract/money.ts';
import { applyAuth, authSecret, redactAuth, type HttpAuth } from '../http-auth.ts';
import { reportCall } from '../call-report.ts';
import { timedFetch, type TimedTransport } from '../http-transport.ts';
import type {
  Bill,
  BillState,
  CallSink,
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
  BILL_PAID_STATE,
  BILL_PATH,
  MAX_ANSWER_BYTES,
  MAX_BILLNUM,
  MAX_WECHATBARCODE,
  PAY_PATH,
  QUERY_PATH,
  contentType,
  decodeBillAnswer,
  decodePayAnswer,
  decodeQueryAnswer,
  encodeBillGet,
  encodePay,
  encodeQuery,
  errorBodyMessage,
  type BillAnswer,
  type Decoded,
  type Format,
  type QueryAnswer,
} from './codec.ts';
import { encryptCode, resolveDes, sessionKey, type DesOptions } from './crypto.ts';
import { fail, isDecryptMessage, type Failure, type PosMiniError } from './errors.ts';
import { recordRequest, recordResponse, scrub } from './redact.ts';

export interface PosMiniOptions {
  /** The host the `api/Pos/MiniProgram/…` paths are below, e.g. "https://pos.example.com/". */
  baseUrl: string;
  /** The POS login password: UPPER(MD5(it)) is the session key the payment code is encrypted with. */
  loginPassword: string;
  /** How the HTTP requests are authenticated (the session). Default none. */
  auth?: HttpAuth;
  /** Request format. Default 'json'. */
  format?: Format;
  /** Triple-DES details the seed leaves open. Default DEFAULT_DES (hex24, utf8, ecb, base64). */
  des?: Partial<DesOptions>;
  /** Paths below baseUrl; `query` and `bill` are assumptions (see the header). */
  paths?: { pay?: string; query?: string; bill?: string };
  /** Read the bill after a payment that did not complete it, for the balance. Default true. */
  readBalance?: boolean;
  /** Per HTTP request. Default 15000. */
  timeoutMs?: number;
  onCall?: CallSink;
  fetch?: typeof fetch;
}

/** A `Result` whose error carries the stable machine code; assignable to `Result<T>`. */
export type PosMiniResult<T> = ({ ok: true } & T) | Failure;

/** The sales bill as the bill read tells it: BillState plus the totals. */
export interface PosMiniBillState extends BillState {
  totalFen?: number;
  paidFen?: number;
}

export interface PosMiniProvider extends Provider {
  readonly id: 'posmini';
  init(): Promise<PosMiniResult<{ methods: ProviderMethod[] }>>;
  pay(req: PayRequest): Promise<PosMiniResult<PayOutcome>>;
  query(ref: PaymentRef): Promise<PosMiniResult<PayOutcome>>;
  cancel(ref: PaymentRef): Promise<PosMiniResult<{ state: 'cancelled' }>>;
  refund(ref: PaymentRef, refund: RefundRequest): Promise<PosMiniResult<RefundOutcome>>;
  refundQuery(ref: PaymentRef, refundNo: string): Promise<PosMiniResult<{ state: 'refunded' | 'failed' | 'pending' }>>;
  bill(ref: PaymentRef): Promise<PosMiniResult<Bill>>;
  reprint(ref: PaymentRef): Promise<PosMiniResult<{ printinfo: string }>>;
  /** The sales bill now (ASSUMED bill read): total, paid, balance, fully paid. */
  billState(billNo: string): Promise<PosMiniResult<{ bill: PosMiniBillState }>>;
  /** The DES variant in use (no secret in it). */
  des(): Readonly<DesOptions>;
}

/** The one method: WeChat payment codes, applied to a sales bill. @see seeds/003 (使用微信条码支付时) */
export const POSMINI_WECHAT: Readonly<ProviderMethod> = Object.freeze({
  id: 'posmini:wechat',
  code: 'wechat',
  name: '微信',
  kind: 'barcode',
  codePattern: '^1[0-5]\\d{16}$',
  needsBill: true,
});

type HttpAnswer = { ok: true; status: number; text: string } | Failure;

interface CallContext {
  outNo?: string;
  authCode?: string;
  /** The ciphertext sent in this call. */
  cipher?: string;
}

/** billnum: required, at most 20 characters, no control characters. @see seeds/003 Body Parameters (billnum) */
function checkBillNo(billNo: unknown): Failure | undefined {
  if (typeof billNo !== 'string' || !billNo.trim()) {
    return fail('params', 'posmini_bill_no_required', '请输入售货单号 / enter the sales bill number');
  }
  const t = billNo.trim();
  if (t.length > MAX_BILLNUM || /[\u0000-\u001f\u007f]/.test(t)) {
    return fail('params', 'posmini_bad_bill_no', `售货单号最长 ${MAX_BILLNUM} 位 / the bill number has at most ${MAX_BILLNUM} characters`);
  }
  return undefined;
}

/**
 * Creates the posmini provider.
 * @see seeds/003 POST api/Pos/MiniProgram/Busi/Sell/Pay/WithWechat/Barcode
 */
export function createPosMiniProvider(opts: PosMiniOptions): PosMiniProvider {
  if (!opts || typeof opts.baseUrl !== 'string' || !/^https?:\/\//i.test(opts.baseUrl)) {
    throw new TypeError('posmini: baseUrl must be an http(s) URL');
  }
  if (typeof opts.loginPassword !== 'string' || !opts.loginPassword) throw new TypeError('posmini: loginPassword is required');
  const format: Format = opts.format ?? 'json';
  if (format !== 'json' && format !== 'xml') throw new TypeError(`posmini: format must be 'json' or 'xml'`);
  const des = resolveDes(opts.des);
  const baseUrl = opts.baseUrl.replace(/\/+$/, '');
  const paths = {
    pay: (opts.paths?.pay ?? PAY_PATH).replace(/^\/+/, ''),
    query: (opts.paths?.query ?? QUERY_PATH).replace(/^\/+/, ''),
    bill: (opts.paths?.bill ?? BILL_PATH).replace(/^\/+/, ''),
  };
  const password = opts.loginPassword;
  const auth = opts.auth;
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const fetchImpl = opts.fetch ?? globalThis.fetch;
  const readBalance = opts.readBalance ?? true;
  /** Answers are decoded in the charset their Content-Type names. */
  const transport: TimedTransport = { fetch: fetchImpl, timeoutMs, maxBytes: MAX_ANSWER_BYTES, charset: 'content-type', whenTooLargeAndLate: 'too_large' };
  const session = sessionKey(password, des.passwordEncoding);
  /** Every secret a record or message could catch: scrubbed, longest first. */
  const secrets = [password, session, session.toLowerCase(), session.slice(0, 24), session.slice(0, 24).toLowerCase(), authSecret(auth)];

  let initialised = false;
  /** Set when the assumed bill read answered 404: the backend has no such API, stop asking after payments. */
  let billApiMissing = false;

  function clean(text: string, ctx: CallContext): string {
    return scrub(redactAuth(text, auth), { hide: [...secrets, ctx.cipher], authCodes: [ctx.authCode] });
  }

  function report(op: string, ctx: CallContext, request: string, response: string, ok: boolean, errorKind: ProviderErrorKind | undefined, started: number) {
    reportCall(opts.onCall, { provider: 'posmini', op, outNo: ctx.outNo, request, response, ok, errorKind, started }, (text) => clean(text, ctx));
  }

  function urlOf(path: string): string {
    const url = new URL(`${baseUrl}/${path}`);
    for (const [k, v] of Object.entries(applyAuth(auth).params)) url.searchParams.set(k, v);
    return url.toString();
  }

  /** One POST, answer size-capped. @see seeds/003 Request Formats, Response Formats */
  async function send(url: string, body: string, ctx: CallContext): Promise<HttpAnswer> {
    const headers = {
      ...applyAuth(auth).headers,
      'content-type': contentType(format),
      accept: format === 'xml' ? 'application/xml, text/xml' : 'application/json, text/json',
    };
    const answer = await timedFetch(url, { method: 'POST', headers, body }, transport);
    if (answer.ok) return answer;
    if (answer.reason === 'too_large') return fail('response', 'posmini_answer_too_large', `收银后台应答过大（超过 ${MAX_ANSWER_BYTES} 字节） / answer too large`);
    if (answer.reason === 'timeout') return fail('timeout', 'posmini_timeout', `收银后台 ${timeoutMs} 毫秒内无应答 / no answer within ${timeoutMs} ms`);
    return fail('network', 'posmini_network', '无法连接收银后台或连接中断 / connection failed or dropped', { message: clean(answer.detail, ctx) });
  }

  /** An HTTP status other than 2xx, as a typed error (see the header, item 2). @see seeds/003 Response Information */
  function statusError(status: number, text: string, ctx: CallContext): Failure {
    const said = errorBodyMessage(text);
    const provider = said ? { code: String(status), message: clean(said, ctx) } : { code: String(status) };
    if (status === 401 || status === 403) {
      return fail('config', 'posmini_auth_refused', `收银后台拒绝了会话认证（HTTP ${status}）：请检查 auth 配置或重新登录 / the backend refused the session (HTTP ${status}): check the auth settings`, provider);
    }
    if (status === 404 || status === 405) {
      return fail('config', 'posmini_path_not_found', `收银后台没有该接口（HTTP ${status}）：请检查 baseUrl 和接口路径 / no such API (HTTP ${status}): check baseUrl and paths`, provider);
    }
    if (status === 400 || status === 413 || status === 415) {
      return fail('params', 'posmini_request_refused', `收银后台拒绝了请求（HTTP ${status}），未执行 / the backend refused the request (HTTP ${status}); nothing was done`, provider);
    }
    return fail('response', 'posmini_http_status', `收银后台返回 HTTP ${status} / the backend answered HTTP ${status}`, provider);
  }

  /**
   * One exchange: POST the body, check the status, decode, record. `judge` says whether a decoded
   * answer counts as a success in the record (a declined payment does not).
   * @see seeds/003 Request Information, Response Information
   */
  async function exchange<T extends { errcode: number }>(
    op: string,
    path: string,
    body: { real: string; recorded: string },
    ctx: CallContext,
    decode: (text: string) => Decoded<T>,
    judge: (v: T) => boolean,
  ): Promise<PosMiniResult<{ value: T }>> {
    const url = urlOf(path);
    const started = performance.now();
    const http = await send(url, body.real, ctx);
    let result: PosMiniResult<{ value: T }>;
    if (!http.ok) result = http;
    else if (http.status < 200 || http.status > 299) result = statusError(http.status, http.text, ctx);
    else {
      const d = decode(http.text);
      result = d.ok ? { ok: true, value: d.value } : d;
    }
    const good = result.ok && judge(result.value);
    const kind: ProviderErrorKind | undefined = result.ok ? (good ? undefined : 'declined') : result.error.kind;
    report(op, ctx, recordRequest(url, contentType(format), body.recorded, ctx.authCode), http.ok ? recordResponse(http.status, http.text) : '', good, kind, started);
    return result;
  }

  function provider(errcode: number, errmsg: string, ctx: CallContext): { code: string; message?: string } {
    return errmsg ? { code: String(errcode), message: clean(errmsg, ctx) } : { code: String(errcode) };
  }

  function unknownErrcode(errcode: number, errmsg: string, ctx: CallContext): Failure {
    return fail('response', 'posmini_unknown_errcode', `收银后台返回未知的 errcode ${errcode} / unknown errcode`, provider(errcode, errmsg, ctx));
  }

  function decryptRefused(errcode: number, errmsg: string, ctx: CallContext): Failure {
    return fail(
      'decrypt',
      'posmini_decrypt_refused',
      `收银后台无法解密付款码（${clean(errmsg, ctx)}），未扣款：请检查登录密码与 3DES 设置 / the backend could not decrypt the payment code; nothing was charged: check the login password and DES settings`,
      provider(errcode, errmsg, ctx),
    );
  }

  /** The bill as a pay or query answer tells it, with the bill's figures when known. @see seeds/003 (tag.billpaystate="3"表示这个单收款都完成了) */
  function billOf(billNo: string, state: string | undefined, totalFen?: number, paidFen?: number): BillState | undefined {
    const known = totalFen !== undefined && paidFen !== undefined;
    if (state === undefined && !known) return undefined;
    const fullyPaid = state !== undefined ? state === BILL_PAID_STATE : paidFen! >= totalFen!;
    const bill: BillState = { billNo, fullyPaid };
    if (fullyPaid) bill.balanceFen = 0;
    else if (known) bill.balanceFen = Math.max(0, totalFen! - paidFen!);
    if (state !== undefined) bill.state = state;
    return bill;
  }

  // --- bill read -------------------------------------------------------------------------------

  /** ASSUMED bill read (header item 6). @see seeds/003 (billnum, tag.billpaystate) */
  async function readBill(billNo: string, ctx: CallContext): Promise<PosMiniResult<{ bill: PosMiniBillState }>> {
    const r = await exchange('bill', paths.bill, { real: encodeBillGet(billNo, format), recorded: encodeBillGet(billNo, format) }, ctx, decodeBillAnswer, (v) => v.errcode === 0);
    if (!r.ok) {
      if (r.error.code === 'posmini_path_not_found') billApiMissing = true;
      return r;
    }
    const a: BillAnswer = r.value;
    if (a.errcode === -1) return fail('not_found', 'posmini_bill_not_found', `收银后台没有这张售货单：${clean(a.errmsg, ctx) || billNo} / no such sales bill`, provider(a.errcode, a.errmsg, ctx));
    if (a.errcode !== 0) return unknownErrcode(a.errcode, a.errmsg, ctx);
    if (a.billNo !== undefined && a.billNo !== billNo) {
      return fail('response', 'posmini_bill_mismatch', '收银后台应答的售货单号与请求不符 / the answer is about another bill', provider(a.errcode, a.errmsg, ctx));
    }
    const state = billOf(billNo, a.billPayState, a.billTotalFen, a.billPaidFen);
    if (!state) return fail('response', 'posmini_malformed_answer', '售货单应答缺少状态与金额 / bill answer without state or amounts', provider(a.errcode, a.errmsg, ctx));
    const bill: PosMiniBillState = { ...state };
    if (a.billTotalFen !== undefined) bill.totalFen = a.billTotalFen;
    if (a.billPaidFen !== undefined) bill.paidFen = a.billPaidFen;
    if (!bill.fullyPaid && bill.balanceFen === undefined && a.billTotalFen !== undefined && a.billPaidFen !== undefined) {
      bill.balanceFen = Math.max(0, a.billTotalFen - a.billPaidFen);
    }
    return { ok: true, bill };
  }

  /** The sales bill now, e.g. before a payment. @see seeds/003 (billnum), header item 6 */
  async function billState(billNo: string): Promise<PosMiniResult<{ bill: PosMiniBillState }>> {
    const bad = checkBillNo(billNo);
    if (bad) return bad;
    return readBill(billNo.trim(), {});
  }

  /** Completes a bill that is not fully paid with the balance, when the bill read can tell it. @see seeds/003 (否则没有全部完成收款), header item 6 */
  async function withBalance(bill: BillState | undefined, billNo: string, ctx: CallContext): Promise<BillState | undefined> {
    if (bill?.fullyPaid || (bill && bill.balanceFen !== undefined) || !readBalance || billApiMissing) return bill;
    const r = await readBill(billNo, { outNo: ctx.outNo });
    if (!r.ok) return bill;
    const out: BillState = { billNo, fullyPaid: bill ? bill.fullyPaid : r.bill.fullyPaid };
    // The pay answer's state is the word on this payment; the read only adds the balance.
    if (!out.fullyPaid && r.bill.balanceFen !== undefined) out.balanceFen = r.bill.balanceFen;
    if (out.fullyPaid) out.balanceFen = 0;
    const state = bill?.state ?? r.bill.state;
    if (state !== undefined) out.state = state;
    return out;
  }

  // --- payments --------------------------------------------------------------------------------

  /**
   * The WeChat barcode payment on a sales bill.
   * @see seeds/003 POST api/Pos/MiniProgram/Busi/Sell/Pay/WithWechat/Barcode (errcode 0 / 1 / -1)
   */
  async function pay(req: PayRequest): Promise<PosMiniResult<PayOutcome>> {
    if (req?.method?.id !== POSMINI_WECHAT.id) {
      return fail('config', 'posmini_method_unknown', `收银后台不支持该支付方式：${req?.method?.name ?? req?.method?.id ?? ''} / method not supported`);
    }
    if (!isValidAmountFen(req.amountFen, Number.MAX_SAFE_INTEGER)) {
      return fail('params', 'posmini_bad_amount', '金额须为大于 0 的整数分 / amount must be a positive whole number of fen');
    }
    const badBill = checkBillNo(req.billNo);
    if (badBill) return badBill;
    const billNo = req.billNo!.trim();
    const authCode = typeof req.authCode === 'string' ? req.authCode.trim() : '';
    if (!new RegExp(POSMINI_WECHAT.codePattern!).test(authCode)) {
      return fail('params', 'posmini_bad_auth_code', '付款码不是微信付款码，请重新扫描 / not a WeChat payment code: scan again');
    }
    const cipher = encryptCode(authCode, password, des);
    if (cipher.length > MAX_WECHATBARCODE) throw new Error('posmini: ciphertext longer than the seed allows');
    const ctx: CallContext = { outNo: req.outNo, authCode, cipher };
    const r = await exchange(
      'pay',
      paths.pay,
      {
        real: encodePay({ billNo, wechatbarcode: cipher, amountFen: req.amountFen }, format),
        recorded: encodePay({ billNo, wechatbarcode: '***', amountFen: req.amountFen }, format),
      },
      ctx,
      decodePayAnswer,
      (v) => v.errcode === 0 || v.errcode === 1,
    );
    if (!r.ok) return r;
    const a = r.value;
    const prov = provider(a.errcode, a.errmsg, ctx);
    const message = a.errmsg ? clean(a.errmsg, ctx) : undefined;
    if (a.billNo !== undefined && a.billNo !== billNo) {
      return fail('response', 'posmini_bill_mismatch', '收银后台应答的售货单号与请求不符，正在查询 / the answer is about another bill: querying', prov);
    }
    if (a.errcode === 0) {
      const out: PayOutcome = { state: 'paid', amountFen: req.amountFen, providerCode: '0', message: message ?? '支付成功 / paid' };
      if (a.autoid) out.providerRef = a.autoid;
      const bill = await withBalance(billOf(billNo, a.billPayState), billNo, ctx);
      if (bill) out.bill = bill;
      return { ok: true, ...out };
    }
    if (a.errcode === 1) {
      const out: PayOutcome = {
        state: 'paying',
        providerCode: '1',
        message: `支付结果待确认，正在查询${message ? `（${message}）` : ''} / result not known yet: querying`,
      };
      if (a.autoid) out.providerRef = a.autoid;
      return { ok: true, ...out };
    }
    if (a.errcode === -1) {
      if (isDecryptMessage(a.errmsg)) return decryptRefused(a.errcode, a.errmsg, ctx);
      const out: PayOutcome = { state: 'failed', providerCode: '-1', message: message ?? '支付失败 / payment failed' };
      if (a.autoid) out.providerRef = a.autoid;
      return { ok: true, ...out };
    }
    return unknownErrcode(a.errcode, a.errmsg, ctx);
  }

  /** A query answer → the payment's outcome (header item 5). @see seeds/003 (errcode=1 … 需要查询一个付款的情况) */
  function mapQuery(a: QueryAnswer, ref: PaymentRef, billNo: string, ctx: CallContext): Promise<PosMiniResult<PayOutcome>> | PosMiniResult<PayOutcome> {
    const prov = provider(a.errcode, a.errmsg, ctx);
    const message = a.errmsg ? clean(a.errmsg, ctx) : undefined;
    if (a.errcode === 1) {
      const out: PayOutcome = { state: 'paying', providerCode: '1', message: `支付结果仍待确认${message ? `（${message}）` : ''} / still not known` };
      if (a.autoid ?? ref.providerRef) out.providerRef = a.autoid ?? ref.providerRef;
      return { ok: true, ...out };
    }
    if (a.errcode === -1) {
      if (isDecryptMessage(a.errmsg)) return decryptRefused(a.errcode, a.errmsg, ctx);
      const out: PayOutcome = { state: 'failed', providerCode: '-1', message: message ? `${message} / no such payment: not charged` : '收银后台没有这笔付款，未扣款 / no such payment: not charged' };
      if (ref.providerRef) out.providerRef = ref.providerRef;
      return { ok: true, ...out };
    }
    if (a.errcode !== 0) return unknownErrcode(a.errcode, a.errmsg, ctx);
    if ((a.billNo !== undefined && a.billNo !== billNo) || (ref.providerRef && a.autoid && a.autoid !== ref.providerRef)) {
      return fail('response', 'posmini_payment_mismatch', '收银后台应答的是另一笔付款 / the answer is about another payment', prov);
    }
    const providerRef = a.autoid ?? ref.providerRef;
    if (a.payState === '1') {
      if (a.paymentFen !== undefined && a.paymentFen !== ref.amountFen) {
        return fail('response', 'posmini_amount_mismatch', `收银后台应答金额与付款金额不符 / amount mismatch (${a.paymentFen} ≠ ${ref.amountFen} fen)`, prov);
      }
      const out: PayOutcome = { state: 'paid', amountFen: ref.amountFen, providerCode: '1', message: message ?? '支付成功 / paid' };
      if (providerRef) out.providerRef = providerRef;
      const bill = billOf(billNo, a.billPayState, a.billTotalFen, a.billPaidFen);
      return withBalance(bill, billNo, ctx).then((b) => {
        if (b) out.bill = b;
        return { ok: true as const, ...out };
      });
    }
    if (a.payState === '0') {
      const out: PayOutcome = { state: 'paying', providerCode: '0', message: '等待顾客确认支付 / waiting for the customer' };
      if (providerRef) out.providerRef = providerRef;
      return { ok: true, ...out };
    }
    if (a.payState === '-1') {
      const out: PayOutcome = { state: 'failed', providerCode: '-1', message: message ?? '支付失败 / payment failed' };
      if (providerRef) out.providerRef = providerRef;
      return { ok: true, ...out };
    }
    return fail('response', 'posmini_malformed_answer', '查询应答缺少付款状态 paystate / query answer without paystate', prov);
  }

  /**
   * ASSUMED query API (header item 5), by autoid when known, else by the encrypted payment code.
   * Never the pay call again.
   * @see seeds/003 (如果errocde=1，则需要查询一个付款的情况(调用其他API))
   */
  async function query(ref: PaymentRef): Promise<PosMiniResult<PayOutcome>> {
    const badBill = checkBillNo(ref?.billNo);
    if (badBill) return badBill;
    const billNo = ref.billNo!.trim();
    const autoid = ref.providerRef && /^\d{1,19}$/.test(ref.providerRef) ? ref.providerRef : undefined;
    const authCode = typeof ref.authCode === 'string' ? ref.authCode.trim() : undefined;
    if (!autoid && !authCode) return fail('params', 'posmini_query_needs_ref', '查询需要付款编号或付款码 / the query needs the autoid or the payment code');
    const cipher = autoid ? undefined : encryptCode(authCode!, password, des);
    const ctx: CallContext = { outNo: ref.outNo, authCode, cipher };
    const r = await exchange(
      'query',
      paths.query,
      {
        real: encodeQuery({ billNo, autoid, wechatbarcode: cipher }, format),
        recorded: encodeQuery({ billNo, autoid, wechatbarcode: cipher ? '***' : undefined }, format),
      },
      ctx,
      decodeQueryAnswer,
      (v) => v.errcode === 0 || v.errcode === 1,
    );
    if (!r.ok) return r;
    return mapQuery(r.value, ref, billNo, ctx);
  }

  /**
   * The sales bill (ASSUMED bill read): what the bill has been paid so far, no refunds (none exist).
   * @see seeds/003 (billnum: 被支付的售货单的单号)
   */
  async function bill(ref: PaymentRef): Promise<PosMiniResult<Bill>> {
    const badBill = checkBillNo(ref?.billNo);
    if (badBill) return badBill;
    const r = await readBill(ref.billNo!.trim(), { outNo: ref.outNo });
    if (!r.ok) return r;
    if (r.bill.paidFen === undefined) return fail('response', 'posmini_malformed_answer', '售货单应答缺少已付金额 / bill answer without the paid amount');
    return { ok: true, providerRef: ref.providerRef ?? r.bill.billNo, amountFen: r.bill.paidFen, refundedFen: 0, lines: [] };
  }

  function unsupported(what: string, english: string): Failure {
    return fail('unsupported', 'posmini_unsupported', `收银后台没有${what}接口 / the backend has no ${english} call`);
  }

  /** @see seeds/003 (the one API: no cancel) */
  async function cancel(_ref: PaymentRef): Promise<PosMiniResult<{ state: 'cancelled' }>> {
    return unsupported('撤销', 'cancel');
  }
  /** @see seeds/003 (the one API: no refund) */
  async function refund(_ref: PaymentRef, _rq: RefundRequest): Promise<PosMiniResult<RefundOutcome>> {
    return unsupported('退款', 'refund');
  }
  /** @see seeds/003 (the one API: no refund query) */
  async function refundQuery(_ref: PaymentRef, _refundNo: string): Promise<PosMiniResult<{ state: 'refunded' | 'failed' | 'pending' }>> {
    return unsupported('退款查询', 'refund query');
  }
  /** @see seeds/003 (the one API: no receipt) */
  async function reprint(_ref: PaymentRef): Promise<PosMiniResult<{ printinfo: string }>> {
    return unsupported('补打小票', 'reprint');
  }

  /** No remote call: the seed has no configuration or ping API. @see seeds/003 */
  async function init(): Promise<PosMiniResult<{ methods: ProviderMethod[] }>> {
    initialised = true;
    return { ok: true, methods: [{ ...POSMINI_WECHAT }] };
  }

  function info(): ProviderInfo {
    return initialised ? { ready: true } : { ready: false, message: '尚未初始化 / not initialised' };
  }

  return {
    id: 'posmini',
    init,
    info,
    methods: () => (initialised ? [{ ...POSMINI_WECHAT }] : []),
    pay,
    query,
    cancel,
    refund,
    refundQuery,
    bill,
    reprint,
    billState,
    des: () => ({ ...des }),
  };
}

export type { PosMiniError };
