/**
 * kioskv5: the all-in-one kiosk backend ("一体机接口对接", seeds/000) behind the `Provider` interface.
 * Each call is encode → authenticate → send → parse → decode → map; the pure steps live in
 * codec.ts and redact.ts.
 *
 * ── What the seed leaves open, and what we chose ──────────────────────────────────────────────────
 * Endpoints (relative to `baseUrl`, e.g. https://kiosk.example.com; each configurable via `paths`):
 *   create_pay_record            /v5/order/create_pay_record            (as printed)
 *   terminal_create_pay_record   /v5/order/terminal_create_pay_record   (printed without a path:
 *                                                                        we put it beside create)
 *   pay_pay_record               /v5/order/pay_pay_record               (as printed)
 *   get_pay_record               /v5/order/get_pay_record               (printed without a path)
 *   get_my_pass_card_list        /v5/passcard/get_my_pass_card_list     (as printed)
 * Request encoding: not given. POST with a JSON body, numbers as JSON numbers (the Go handler's
 *   `int`/`int64`); `encoding: 'form'` sends the same parameters form-encoded.
 * Answer: not given. Either a bare value (the record, the list) or an envelope
 *   `{"code":0,"msg":"ok","data":…}`; both are accepted (codec.ts `parseAnswer`). An envelope with a
 *   non-zero code is a refusal; the backend's code and msg are kept in `error.provider`. HTTP 401/403
 *   → `config` (auth refused), HTTP 404 or a msg with 不存在 → `not_found`, else `declined` (errors.ts).
 * The record: the seed's Go struct. No json name tags, so the keys are the Go field names (`Id`,
 *   `OrderId`, `Status`, `Price`, …), and `omitempty` fields may be missing: a missing field is
 *   Go's zero value (a pending record usually has no `Status` at all). Keys are also matched
 *   ignoring case and underscores (`order_id`), as Go's own decoder is lenient.
 * Authentication: not given. `auth` (http-auth.ts: bearer, any header, or a parameter) is applied to
 *   every request; a parameter goes into the body (or the query string: `authParamIn: 'query'`). The
 *   secret never appears in a call record or a message (`redactAuth`).
 * Parameters:
 *   ptype    312 微信, 210 支付宝 (the seed's values), from the method.
 *   sid      the shop id (option `shopId`).
 *   oid      订单ID, an integer. We have no order in the backend, so we number our payments: a
 *            per-shop counter in the `store`, and an outNo → oid mapping written BEFORE the create is
 *            sent. The same outNo always gets the same oid: it is our idempotency key towards the
 *            backend. The counter starts at `oidStart`, default the Unix time (seconds) of its first
 *            use, so a lost store does not hand out old oids again (unless we made more than one
 *            payment a second on average). A record answered for our oid that is not ours (OrderId,
 *            ShopId, Price or Desc disagree) is an error, never taken as this payment.
 *   price    the amount in fen (int64). `user_fee` 0 unless `userFeeFen` says otherwise.
 *   desc     our outNo (then the cashier's remark), so the backend's record can be traced to us.
 *   pr_id    the record's `Id`, kept as `providerRef` and in the store.
 *   get_pay_record's `sip`: almost certainly a typo of `sid`; we send both, with the shop id.
 * Flows:
 *   Barcode (the kiosk scans the customer): create_pay_record, then pay_pay_record {sid, pr_id} with
 *     the payment code as `auth_code` (`authCodeParam`). The seed lists no code parameter, but this
 *     is the "一体机扫码支付" call, and a code that is never sent cannot be charged; `auth_code` is
 *     the wallets' own name for it. A record that is already paid (a retry) is answered as paid
 *     without a second pay_pay_record.
 *   QR (the customer scans, "二维码"): terminal_create_pay_record; the QR content is the answer's
 *     `PayOrderId` when it looks like a URI a wallet scans (weixin://…, https://…). The seed names
 *     no field; without such a value the call fails with `response` (state unknown: the record
 *     exists and is queried), and no QR is made up.
 *   Then get_pay_record is polled ("（持续）") by the proxy: Status 1 paid, 2 cancelled, 0 pending.
 *   A refused pay_pay_record is confirmed with get_pay_record before anything is reported: 2 →
 *     failed with the backend's msg, 1 → paid, 0 → still paying (the proxy polls, then closes it).
 * Lost answers: the pr_id is stored as soon as a create answers. If a create's answer was lost,
 *   `query` re-runs create_pay_record with the SAME sid + oid: an idempotent backend (the sandbox
 *   guarantees it) answers the same record instead of creating a second one, and the pr_id is
 *   recovered. A barcode record recovered this way that is still pending was never paid (without its
 *   pr_id we never sent pay_pay_record): it is reported `failed`, nothing charged. No oid for the
 *   outNo at all means nothing was ever sent: `failed` too.
 * Amounts: `Price` must equal the payment's amount; `PayPrice`/`RealPrice` may differ (fees). Every
 *   outcome carries `details`: the record's fee fields in fen (ExUserFee, UserFeePrice, PayPrice,
 *   WithdrawFee, RealPrice, ActPrice, ActFee, TotalPrice, Refunds), the ratios (UserFeeRatio,
 *   WithdrawFeeRatio, ActFeeRatio), PaidType, BankType, PayOrderId and OrderId.
 * Times: CreateTime/PayTime are read as China time "YYYY-MM-DD HH:MM:SS" (or RFC 3339).
 * Methods: from configuration (the seed has no method list): barcode kioskv5:312 (微信) and
 *   kioskv5:210 (支付宝) with the wallets' code patterns, QR kioskv5:312:qr and kioskv5:210:qr.
 * Not in the seed: cancel, refund, refundQuery, reprint → `unsupported`. `bill` is read from
 *   get_pay_record (refundedFen 0: the seed has no refunds).
 * Pass cards (出门单): `passCards({status?})` and `passCardFor(outNo)`, extra methods. The seed gives
 *   only the parameters (sid, status); the card's shape is an ASSUMPTION (codec.ts `PassCard`:
 *   Id, ShopId, OrderId, PayRecordId, UserId, Code, Status 0 未使用 / 1 已使用 / 2 已作废,
 *   CreateTime, UseTime, Desc), the list a JSON array (Go's null for none). Without `status`
 *   every card is asked for (the parameter is left out).
 * Init: methods need no call; `init` probes get_my_pass_card_list (status 0) to check the address
 *   and the auth (`probe: false` skips it).
 */
import { isValidAmountFen } from '../../../contract/money.ts';
import { applyAuth, type HttpAuth } from '../http-auth.ts';
import { reportCall } from '../call-report.ts';
import { timedFetch, type TimedTransport } from '../http-transport.ts';
import type { Bill, CallSink, PayOutcome, PaymentRef, PayRequest, Provider, ProviderErrorKind, ProviderInfo, ProviderMethod, ProviderStateStore, RefundOutcome, RefundRequest } from '../types.ts';
import {
  MAX_ANSWER_BYTES,
  OUT_NO,
  PASS_CARD_STATUS,
  decodePassCards,
  decodePayRecord,
  descMatches,
  descOf,
  encodeBody,
  encodeCreate,
  encodeGet,
  encodePassCards,
  encodePay,
  parseAnswer,
  qrContentOf,
  recordDetails,
  recordTimeToIso,
  tradeNoOf,
  type Answer,
  type BodyEncoding,
  type Params,
  type PassCard,
  type PayRecord,
} from './codec.ts';
import { fail, refusalError, type Failure, type KioskV5Error, type Refusal } from './errors.ts';
import { recordRequest, recordResponse, scrub } from './redact.ts';

export interface KioskV5Paths {
  create: string;
  terminalCreate: string;
  pay: string;
  get: string;
  passCards: string;
}

/** @see seeds/000 §支付接口, §出门单接口 (paths; see the header for the two printed without one) */
export const DEFAULT_PATHS: KioskV5Paths = {
  create: '/v5/order/create_pay_record',
  terminalCreate: '/v5/order/terminal_create_pay_record',
  pay: '/v5/order/pay_pay_record',
  get: '/v5/order/get_pay_record',
  passCards: '/v5/passcard/get_my_pass_card_list',
};

/** One payment type of the backend, offered as a barcode method and/or a QR method. */
export interface KioskV5MethodSpec {
  /** The seed's ptype: 312 微信, 210 支付宝. */
  ptype: number;
  name: string;
  /** JavaScript RegExp source a scanned code must match (routes codes to the barcode method). */
  codePattern?: string;
  /** Default true. */
  barcode?: boolean;
  /** Default true. */
  qr?: boolean;
}

/** @see seeds/000 create_pay_record params (ptype 微信：312 支付宝：210) */
export const DEFAULT_METHODS: readonly KioskV5MethodSpec[] = [
  { ptype: 312, name: '微信', codePattern: '^1[0-5]\\d{16}$' },
  { ptype: 210, name: '支付宝', codePattern: '^(2[5-9]|30)\\d{14,22}$' },
];

export interface KioskV5Options {
  /** e.g. "https://kiosk.example.com": the paths are appended to it. */
  baseUrl: string;
  /** sid: the shop id at the backend. */
  shopId: number;
  /** Applied to every request. Default none. */
  auth?: HttpAuth;
  /** Where an auth parameter goes. Default 'body'. */
  authParamIn?: 'body' | 'query';
  /** Keeps the oid counter, outNo → oid and outNo → pr_id. */
  store: ProviderStateStore;
  paths?: Partial<KioskV5Paths>;
  /** Default 'json'. */
  encoding?: BodyEncoding;
  /** Name of the payment code parameter of pay_pay_record. Default 'auth_code'. */
  authCodeParam?: string;
  /** user_fee sent with every create (fen). Default 0. */
  userFeeFen?: number;
  /** Default DEFAULT_METHODS (微信 312, 支付宝 210; barcode and QR each). */
  methods?: KioskV5MethodSpec[];
  /** First oid of a shop whose counter is not in the store. Default: the Unix time in seconds. */
  oidStart?: number;
  /** init() checks the address and auth with a pass card list call. Default true. */
  probe?: boolean;
  /** Per HTTP request. Default 15000. */
  timeoutMs?: number;
  onCall?: CallSink;
  fetch?: typeof fetch;
  /** Clock, epoch ms (the oid start). Default Date.now. */
  now?: () => number;
}

/** A `Result` whose error carries the stable machine code; assignable to `Result<T>`. */
export type KioskV5Result<T> = ({ ok: true } & T) | { ok: false; error: KioskV5Error };

export interface KioskV5Provider extends Provider {
  readonly id: 'kioskv5';
  init(): Promise<KioskV5Result<{ methods: ProviderMethod[] }>>;
  pay(req: PayRequest): Promise<KioskV5Result<PayOutcome>>;
  query(ref: PaymentRef): Promise<KioskV5Result<PayOutcome>>;
  cancel(ref: PaymentRef): Promise<KioskV5Result<{ state: 'cancelled' }>>;
  refund(ref: PaymentRef, refund: RefundRequest): Promise<KioskV5Result<RefundOutcome>>;
  refundQuery(ref: PaymentRef, refundNo: string): Promise<KioskV5Result<{ state: 'refunded' | 'failed' | 'pending'; amountFen?: number; providerRef?: string }>>;
  bill(ref: PaymentRef): Promise<KioskV5Result<Bill>>;
  reprint(ref: PaymentRef): Promise<KioskV5Result<{ printinfo: string }>>;
  /** 出门单 of the shop, optionally of one status (0 未使用, 1 已使用, 2 已作废). */
  passCards(filter?: { status?: number }): Promise<KioskV5Result<{ cards: PassCard[] }>>;
  /** The pass card of a paid payment (by its oid / pr_id); `not_found` when there is none. */
  passCardFor(outNo: string): Promise<KioskV5Result<{ card: PassCard }>>;
  /** One pay record by its Id (pr_id), as the backend has it. */
  payRecord(prId: number): Promise<KioskV5Result<{ record: PayRecord }>>;
  /** The oid this provider gave a payment, if it ever sent one. */
  orderIdOf(outNo: string): number | undefined;
}

type HttpAnswer = { ok: true; status: number; text: string } | Failure;
interface CallContext {
  outNo?: string;
  authCode?: string;
}
type Op = 'create_pay_record' | 'terminal_create_pay_record' | 'pay_pay_record' | 'get_pay_record' | 'get_my_pass_card_list';

/** The seed names no authentication: a configured `HttpAuth`, checked once. @see seeds/000 (no auth given) */
function checkAuth(auth: HttpAuth | undefined): void {
  if (auth === undefined) return;
  const token = /^[\x21-\x7e]+$/;
  switch (auth?.type) {
    case 'none':
      return;
    case 'bearer':
      if (typeof auth.token !== 'string' || !token.test(auth.token)) throw new TypeError('kioskv5: auth.token must be printable ASCII without spaces');
      return;
    case 'header':
      if (typeof auth.name !== 'string' || !/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(auth.name)) throw new TypeError('kioskv5: auth.name must be an HTTP header name');
      if (typeof auth.value !== 'string' || !/^[\x20-\x7e]+$/.test(auth.value)) throw new TypeError('kioskv5: auth.value must be printable ASCII');
      return;
    case 'param':
      if (typeof auth.name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/.test(auth.name)) throw new TypeError('kioskv5: auth.name must be a parameter name');
      if (typeof auth.value !== 'string' || !auth.value) throw new TypeError('kioskv5: auth.value is required');
      return;
    default:
      throw new TypeError('kioskv5: auth.type must be none, bearer, header or param');
  }
}

/**
 * Creates the kioskv5 provider.
 * @see seeds/000 一体机接口对接 (the whole document; the choices are in the header above)
 */
export function createKioskV5Provider(opts: KioskV5Options): KioskV5Provider {
  if (!opts || typeof opts.baseUrl !== 'string' || !/^https?:\/\/[^\s/]+/i.test(opts.baseUrl)) {
    throw new TypeError('kioskv5: baseUrl must be an http(s) URL');
  }
  if (!Number.isSafeInteger(opts.shopId) || opts.shopId <= 0) throw new TypeError('kioskv5: shopId must be a positive integer');
  if (!opts.store) throw new TypeError('kioskv5: a ProviderStateStore is required');
  checkAuth(opts.auth);
  const paths: KioskV5Paths = { ...DEFAULT_PATHS, ...(opts.paths ?? {}) };
  for (const [k, p] of Object.entries(paths)) {
    if (typeof p !== 'string' || !/^\/[\x21-\x7e]*$/.test(p)) throw new TypeError(`kioskv5: paths.${k} must start with "/"`);
  }
  const authCodeParam = opts.authCodeParam ?? 'auth_code';
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,31}$/.test(authCodeParam)) throw new TypeError('kioskv5: authCodeParam must be a parameter name');
  const userFeeFen = opts.userFeeFen ?? 0;
  if (!Number.isSafeInteger(userFeeFen) || userFeeFen < 0) throw new TypeError('kioskv5: userFeeFen must be a whole number of fen ≥ 0');
  if (opts.oidStart !== undefined && (!Number.isSafeInteger(opts.oidStart) || opts.oidStart <= 0)) throw new TypeError('kioskv5: oidStart must be a positive integer');
  if (opts.encoding !== undefined && opts.encoding !== 'json' && opts.encoding !== 'form') throw new TypeError("kioskv5: encoding must be 'json' or 'form'");
  const specs = opts.methods ?? DEFAULT_METHODS;
  const seen = new Set<number>();
  for (const s of specs) {
    if (!Number.isSafeInteger(s?.ptype) || s.ptype <= 0 || seen.has(s.ptype)) throw new TypeError('kioskv5: each method needs a distinct positive integer ptype');
    seen.add(s.ptype);
    if (typeof s.name !== 'string' || !s.name.trim()) throw new TypeError(`kioskv5: method ${s.ptype} needs a name`);
    if (s.codePattern !== undefined) {
      try {
        new RegExp(s.codePattern);
      } catch {
        throw new TypeError(`kioskv5: method ${s.ptype}: codePattern is not a valid regular expression`);
      }
    }
  }

  const baseUrl = opts.baseUrl.replace(/\/+$/, '');
  const sid = opts.shopId;
  const auth = opts.auth;
  const encoding: BodyEncoding = opts.encoding ?? 'json';
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const fetchImpl = opts.fetch ?? globalThis.fetch;
  const now = opts.now ?? Date.now;
  const store = opts.store;
  /** JSON answers, read as UTF-8 whatever they say. @see seeds/000 (answers: see the header) */
  const transport: TimedTransport = { fetch: fetchImpl, timeoutMs, maxBytes: MAX_ANSWER_BYTES, charset: 'utf-8', whenTooLargeAndLate: 'too_large' };
  const methods: ProviderMethod[] = [
    ...specs
      .filter((s) => s.barcode !== false)
      .map((s): ProviderMethod => {
        const m: ProviderMethod = { id: `kioskv5:${s.ptype}`, code: String(s.ptype), name: s.name.trim(), kind: 'barcode' };
        if (s.codePattern) m.codePattern = s.codePattern;
        return m;
      }),
    ...specs.filter((s) => s.qr !== false).map((s): ProviderMethod => ({ id: `kioskv5:${s.ptype}:qr`, code: String(s.ptype), name: `${s.name.trim()} 扫码`, kind: 'qr' })),
  ];

  let ready = opts.probe === false;
  let lastMessage: string | undefined = ready ? undefined : '尚未连接一体机后台 / not initialised';
  let inflight: Promise<KioskV5Result<{ methods: ProviderMethod[] }>> | undefined;

  // --- state store ------------------------------------------------------------------------------

  const oidKey = (outNo: string) => `oid.${sid}.${outNo}`;
  const prKey = (outNo: string) => `prid.${sid}.${outNo}`;
  /** Set when a record's pr_id was recovered by a query: pay() never had it, so never sent pay_pay_record. */
  const recoveredKey = (outNo: string) => `recovered.${sid}.${outNo}`;
  const counterKey = `oid.next.${sid}`;

  /** A stored id. @see seeds/000 (oid, pr_id are int) */
  function positiveInt(text: string | undefined): number | undefined {
    if (text === undefined || !/^\d{1,16}$/.test(text)) return undefined;
    const n = Number(text);
    return Number.isSafeInteger(n) && n > 0 ? n : undefined;
  }

  /** @see seeds/000 create_pay_record params (oid 订单ID) */
  function orderIdOf(outNo: string): number | undefined {
    return typeof outNo === 'string' ? positiveInt(store.get(oidKey(outNo))) : undefined;
  }

  /**
   * The oid of a payment: the stored one, else the shop's next, written before it is ever sent.
   * @see seeds/000 create_pay_record params (oid 订单ID)
   */
  function allocateOid(outNo: string): number {
    const known = orderIdOf(outNo);
    if (known !== undefined) return known;
    const next = positiveInt(store.get(counterKey)) ?? opts.oidStart ?? Math.floor(now() / 1000);
    store.set(counterKey, String(next + 1));
    store.set(oidKey(outNo), String(next));
    return next;
  }

  /** The record's Id: providerRef, else the store. @see seeds/000 pay_pay_record / get_pay_record params (pr_id) */
  function prIdOf(ref: { outNo: string; providerRef?: string }): number | undefined {
    return positiveInt(ref.providerRef?.trim()) ?? positiveInt(store.get(prKey(ref.outNo)));
  }

  // --- HTTP -------------------------------------------------------------------------------------

  /** @see shared/DESIGN.md (Payment invariants 5) */
  function clean(text: string, ctx: CallContext): string {
    return scrub(text, auth, [ctx.authCode]);
  }

  /** One CallRecord per exchange, redacted. @see shared/DESIGN.md (Payment invariants 5) */
  function report(op: Op, ctx: CallContext, request: string, response: string, ok: boolean, errorKind: ProviderErrorKind | undefined, started: number) {
    reportCall(opts.onCall, { provider: 'kioskv5', op, outNo: ctx.outNo, request, response, ok, errorKind, started }, (text) => clean(text, ctx));
  }

  /** POST, answer size-capped, time-bounded. @see seeds/000 (encoding: see the header) */
  async function send(url: string, body: { contentType: string; body: string }, headers: Record<string, string>): Promise<HttpAnswer> {
    const answer = await timedFetch(url, { method: 'POST', headers: { ...headers, 'content-type': body.contentType, accept: 'application/json, */*' }, body: body.body }, transport);
    if (answer.ok) return answer;
    if (answer.reason === 'too_large') return fail('response', 'kioskv5_answer_too_large', `一体机后台应答过大（超过 ${MAX_ANSWER_BYTES} 字节） / answer too large`);
    if (answer.reason === 'timeout') return fail('timeout', 'kioskv5_timeout', `一体机后台 ${timeoutMs} 毫秒内无应答 / no answer within ${timeoutMs} ms`);
    return fail('network', 'kioskv5_network', '无法连接一体机后台或连接中断 / connection to the kiosk backend failed or dropped', { message: redactOnly(answer.detail) });
  }

  /** @see shared/DESIGN.md (Payment invariants 5) */
  function redactOnly(text: string): string {
    return scrub(text, auth);
  }

  /**
   * One exchange: parameters + auth → POST → parsed answer (data or refusal), recorded.
   * @see seeds/000 (paths and parameters per call; encoding and envelope: see the header)
   */
  async function exchange(op: Op, path: string, params: Params, ctx: CallContext): Promise<KioskV5Result<{ answer: Answer }>> {
    const authed = applyAuth(auth);
    const inQuery = opts.authParamIn === 'query';
    let url = `${baseUrl}${path}`;
    const recordedUrl = url;
    if (inQuery && Object.keys(authed.params).length) url += `${url.includes('?') ? '&' : '?'}${new URLSearchParams(authed.params).toString()}`;
    const body = encodeBody(params, encoding, inQuery ? {} : authed.params);
    const requestRecord = recordRequest(recordedUrl, auth, params, authCodeParam);
    const started = performance.now();
    const http = await send(url, body, authed.headers);
    let result: KioskV5Result<{ answer: Answer }>;
    if (!http.ok) result = http;
    else {
      const parsed = parseAnswer(http.status, http.text);
      if (!parsed.ok) result = parsed;
      else {
        const a = parsed.value;
        // A hostile or careless msg must not carry the secret (or a code) into a message.
        if (a.kind === 'refusal') a.refusal.msg = clean(a.refusal.msg, ctx);
        result = { ok: true, answer: a };
      }
    }
    const answered = result.ok ? result.answer : undefined;
    const errorKind = !result.ok ? result.error.kind : answered?.kind === 'refusal' ? refusalError(answered.refusal).kind : undefined;
    report(op, ctx, requestRecord, http.ok ? recordResponse(http.status, http.text) : '', result.ok && answered?.kind === 'data', errorKind, started);
    return result;
  }

  // --- records ----------------------------------------------------------------------------------

  /**
   * A pay record answer that must be about this payment: Id (when known), OrderId, ShopId (when the
   * answer has them), Desc (when echoed) and Price.
   * @see seeds/000 create_pay_record result
   */
  function checkOurs(r: PayRecord, want: { outNo: string; oid?: number; prId?: number; amountFen: number }): Failure | undefined {
    const provider = { code: String(r.Status) };
    if ((want.prId !== undefined && r.Id !== want.prId) || (want.oid !== undefined && r.OrderId && r.OrderId !== want.oid) || (r.ShopId && r.ShopId !== sid) || !descMatches(r.Desc, want.outNo)) {
      return fail(
        'response',
        'kioskv5_record_mismatch',
        `一体机后台应答的支付单不是这笔支付（支付单 ${r.Id}，订单 ${r.OrderId}） / the pay record answered is not this payment`,
        provider,
      );
    }
    if (r.Price !== want.amountFen) {
      return fail('response', 'kioskv5_amount_mismatch', `一体机后台支付单金额与本单不符 / amount mismatch (${r.Price} ≠ ${want.amountFen} fen)`, provider);
    }
    return undefined;
  }

  /** A successful answer must carry the record. @see seeds/000 create_pay_record / pay_pay_record result */
  function needRecord(a: Extract<Answer, { kind: 'data' }>): KioskV5Result<{ record: PayRecord }> {
    if (a.data === undefined) return fail('response', 'kioskv5_malformed_answer', '一体机后台成功应答缺少支付单 / a successful answer without the pay record');
    const r = decodePayRecord(a.data);
    return r.ok ? { ok: true, record: r.value } : r;
  }

  /**
   * The outcome a record stands for. Status 1 paid, 0 paying (QR: with the code to show), 2 cancelled.
   * @see seeds/000 create_pay_record result (Status: 0 待支付 1 已支付 2 取消)
   */
  function outcomeOf(r: PayRecord, qr: boolean): KioskV5Result<PayOutcome> {
    const base = { providerRef: String(r.Id), providerCode: String(r.Status), details: recordDetails(r) };
    if (r.Status === 1) {
      const out: PayOutcome = { state: 'paid', ...base, amountFen: r.Price, message: '支付成功 / paid' };
      const tradeNo = tradeNoOf(r);
      if (tradeNo) out.tradeNo = tradeNo;
      const paidAt = recordTimeToIso(r.PayTime);
      if (paidAt) out.paidAt = paidAt;
      return { ok: true, ...out };
    }
    if (r.Status === 2) return { ok: true, state: 'cancelled', ...base, message: '支付单已取消 / the pay record was cancelled' };
    if (qr) {
      const qrCode = qrContentOf(r);
      if (!qrCode) {
        return fail('response', 'kioskv5_qrcode_missing', '一体机后台未返回二维码内容（PayOrderId） / no QR content (PayOrderId) in the answer', { code: String(r.Status) });
      }
      return { ok: true, state: 'paying', ...base, qrCode, message: '等待顾客扫码支付 / waiting for the customer to scan and pay' };
    }
    return { ok: true, state: 'paying', ...base, message: '等待顾客确认支付（输入密码） / waiting for the customer to confirm (password)' };
  }

  /**
   * create_pay_record (barcode) or terminal_create_pay_record (QR) for a payment's oid. Answers the
   * record, or the backend's refusal.
   * @see seeds/000 §支付接口 1. create_pay_record, 2. terminal_create_pay_record
   */
  async function createRecord(
    method: ProviderMethod,
    p: { outNo: string; amountFen: number; remark?: string },
    oid: number,
    ctx: CallContext,
  ): Promise<KioskV5Result<{ record: PayRecord } | { refusal: Refusal }>> {
    const qr = method.kind === 'qr';
    const params = encodeCreate({ ptype: Number(method.code), sid, oid, priceFen: p.amountFen, userFeeFen, desc: descOf(p.outNo, p.remark) });
    const r = await exchange(qr ? 'terminal_create_pay_record' : 'create_pay_record', qr ? paths.terminalCreate : paths.create, params, ctx);
    if (!r.ok) return r;
    if (r.answer.kind === 'refusal') return { ok: true, refusal: r.answer.refusal };
    const rec = needRecord(r.answer);
    if (!rec.ok) return rec;
    const bad = checkOurs(rec.record, { outNo: p.outNo, oid, amountFen: p.amountFen });
    if (bad) return bad;
    store.set(prKey(p.outNo), String(rec.record.Id));
    return rec;
  }

  /** @see seeds/000 §支付接口 4. get_pay_record (pr_id, sip) */
  async function getRecord(prId: number, ctx: CallContext): Promise<KioskV5Result<{ record: PayRecord }>> {
    const r = await exchange('get_pay_record', paths.get, encodeGet({ sid, prId }), ctx);
    if (!r.ok) return r;
    if (r.answer.kind === 'refusal') return { ok: false, error: refusalError(r.answer.refusal) };
    const rec = needRecord(r.answer);
    if (!rec.ok) return rec;
    if (rec.record.Id !== prId) {
      return fail('response', 'kioskv5_record_mismatch', `一体机后台应答的支付单不是 ${prId} / the answer is about another pay record`, { code: String(rec.record.Status) });
    }
    return rec;
  }

  // --- validation -------------------------------------------------------------------------------

  /** Our outNo travels as the record's desc. @see seeds/000 create_pay_record params (desc 备注) */
  function checkOutNo(outNo: unknown): Failure | undefined {
    return typeof outNo === 'string' && OUT_NO.test(outNo)
      ? undefined
      : fail('params', 'kioskv5_bad_out_no', '流水号只能由 1–64 位字母、数字、_ 或 - 组成 / outNo must be 1–64 letters, digits, _ or -');
  }

  /** One of the configured methods. @see seeds/000 create_pay_record params (ptype 微信：312 支付宝：210) */
  function methodOf(m: ProviderMethod | undefined): ProviderMethod | Failure {
    const found = methods.find((x) => x.id === m?.id);
    return found ?? fail('config', 'kioskv5_method_unknown', `一体机未配置该支付方式：${m?.name ?? m?.id ?? ''} / method not configured`);
  }

  // --- Provider ---------------------------------------------------------------------------------

  /** @see seeds/000 §出门单接口 (the probe is a pass card list call) */
  async function doInit(): Promise<KioskV5Result<{ methods: ProviderMethod[] }>> {
    if (opts.probe === false) return { ok: true, methods: [...methods] };
    const r = await passCards({ status: PASS_CARD_STATUS.unused });
    if (!r.ok) return r;
    return { ok: true, methods: [...methods] };
  }

  /** Concurrent calls share one request. @see seeds/000 §出门单接口 (the probe) */
  async function init(): Promise<KioskV5Result<{ methods: ProviderMethod[] }>> {
    if (!inflight) {
      inflight = doInit()
        .then((r) => {
          if (r.ok) {
            ready = true;
            lastMessage = undefined;
          } else {
            lastMessage = r.error.message;
            // A transient failure keeps an earlier success; a refusal (auth, address) does not.
            if (!['network', 'timeout', 'response'].includes(r.error.kind)) ready = false;
          }
          return r;
        })
        .finally(() => {
          inflight = undefined;
        });
    }
    return inflight;
  }

  /** Ready once the probe succeeded (or without a probe). @see seeds/000 §出门单接口 */
  function info(): ProviderInfo {
    const out: ProviderInfo = { ready };
    if (!ready && lastMessage) out.message = lastMessage;
    return out;
  }

  /**
   * Barcode: create_pay_record → pay_pay_record with the code. QR: terminal_create_pay_record → the
   * QR content. A record already paid or cancelled (a retry of the same outNo) is answered as it is.
   * @see seeds/000 §支付接口 (创建支付单 create_pay_record, 一体机扫码支付 pay_pay_record, 二维码 terminal_create_pay_record)
   */
  async function pay(req: PayRequest): Promise<KioskV5Result<PayOutcome>> {
    const method = methodOf(req?.method);
    if ('ok' in method) return method;
    const badOut = checkOutNo(req.outNo);
    if (badOut) return badOut;
    if (!isValidAmountFen(req.amountFen, Number.MAX_SAFE_INTEGER)) {
      return fail('params', 'kioskv5_bad_amount', '金额须为大于 0 的整数分 / amount must be a positive whole number of fen');
    }
    let authCode: string | undefined;
    if (method.kind === 'barcode') {
      authCode = typeof req.authCode === 'string' ? req.authCode.trim() : '';
      if (!/^\d{10,50}$/.test(authCode)) return fail('params', 'kioskv5_bad_auth_code', '付款码格式不正确，请重新扫描 / malformed payment code');
      if (method.codePattern && !new RegExp(method.codePattern).test(authCode)) {
        return fail('params', 'kioskv5_bad_auth_code', `付款码不是${method.name}的付款码 / the code does not belong to this method`);
      }
    }
    const ctx: CallContext = { outNo: req.outNo, authCode };
    const oid = allocateOid(req.outNo);
    const created = await createRecord(method, req, oid, ctx);
    if (!created.ok) return created;
    if ('refusal' in created) {
      const error = refusalError(created.refusal);
      if (error.kind === 'config') return { ok: false, error };
      // The backend said no before any record existed to pay: this payment did not happen.
      return {
        ok: true,
        state: 'failed',
        providerCode: created.refusal.code,
        message: `一体机后台拒绝创建支付单：${created.refusal.msg || created.refusal.code} / the kiosk backend refused to create the pay record`,
      };
    }
    const record = created.record;
    if (method.kind === 'qr' || record.Status !== 0 || !authCode) return outcomeOf(record, method.kind === 'qr');

    const prId = record.Id;
    const paid = await exchange('pay_pay_record', paths.pay, encodePay({ sid, prId, authCode, authCodeParam }), ctx);
    if (!paid.ok) return paid;
    const a = paid.answer;
    if (a.kind === 'refusal') {
      const error = refusalError(a.refusal);
      if (error.kind === 'config') return { ok: false, error };
      return confirmRefusal(a.refusal, prId, req, ctx);
    }
    // An answer without the record (e.g. {"code":0,"msg":"ok"}) is followed by get_pay_record.
    const rec = a.data === undefined ? await getRecord(prId, ctx) : needRecord(a);
    if (!rec.ok) return rec;
    const bad = checkOurs(rec.record, { outNo: req.outNo, oid, prId, amountFen: req.amountFen });
    if (bad) return bad;
    return outcomeOf(rec.record, false);
  }

  /**
   * A refused pay_pay_record is confirmed with get_pay_record: 2 → failed with the backend's msg,
   * 1 → paid (e.g. "已支付"), 0 → still paying (the proxy polls, then closes it). If the record
   * cannot be read, the state is unknown (`response`).
   * @see seeds/000 §支付接口 3. pay_pay_record, 4. get_pay_record
   */
  async function confirmRefusal(refusal: Refusal, prId: number, req: PayRequest, ctx: CallContext): Promise<KioskV5Result<PayOutcome>> {
    const reason = refusal.msg || `code ${refusal.code}`;
    const got = await getRecord(prId, ctx);
    if (!got.ok) {
      return fail('response', 'kioskv5_refusal_unconfirmed', `一体机后台拒绝了扫码支付（${reason}），但无法读取支付单状态，稍后核对 / payment refused but its state could not be read`, {
        code: refusal.code,
        message: refusal.msg,
      });
    }
    const bad = checkOurs(got.record, { outNo: req.outNo, oid: orderIdOf(req.outNo), prId, amountFen: req.amountFen });
    if (bad) return bad;
    const r = got.record;
    if (r.Status === 2) {
      const why = reason.replace(/^支付失败\s*[：:]\s*/, '') || reason;
      return { ok: true, state: 'failed', providerRef: String(r.Id), providerCode: refusal.code, message: `支付失败：${why} / payment failed`, details: recordDetails(r) };
    }
    const out = outcomeOf(r, false);
    if (out.ok && out.state === 'paying') out.message = `一体机后台答复：${reason}；支付单仍待支付，正在核对 / the backend answered "${refusal.code}"; the record is still pending: checking`;
    return out;
  }

  /**
   * The record behind a payment: by pr_id (providerRef or the store), else recovered by re-running
   * the create with the same sid + oid (see the header). `sent: false`: nothing was ever sent.
   * @see seeds/000 §支付接口 4. get_pay_record, 1. create_pay_record
   */
  async function locate(ref: PaymentRef, ctx: CallContext): Promise<KioskV5Result<{ record: PayRecord; recovered: boolean } | { sent: false }>> {
    const prId = prIdOf(ref);
    const oid = orderIdOf(ref.outNo);
    if (prId !== undefined) {
      const got = await getRecord(prId, ctx);
      if (!got.ok) return got;
      const bad = checkOurs(got.record, { outNo: ref.outNo, oid, prId, amountFen: ref.amountFen });
      // Recovered by an earlier query: still never sent (the pr_id is stored now, the truth is the same).
      return bad ?? { ok: true, record: got.record, recovered: store.get(recoveredKey(ref.outNo)) === '1' };
    }
    if (oid === undefined) return { ok: true, sent: false };
    const method = methodOf(ref.method);
    if ('ok' in method) return method;
    store.set(recoveredKey(ref.outNo), '1');
    const created = await createRecord(method, { outNo: ref.outNo, amountFen: ref.amountFen }, oid, ctx);
    if (!created.ok) return created;
    if ('refusal' in created) return { ok: false, error: refusalError(created.refusal) };
    return { ok: true, record: created.record, recovered: true };
  }

  /**
   * The state of a payment. @see seeds/000 §支付接口 (支付单详情：get_pay_record （持续）)
   */
  async function query(ref: PaymentRef): Promise<KioskV5Result<PayOutcome>> {
    const badOut = checkOutNo(ref?.outNo);
    if (badOut) return badOut;
    const ctx: CallContext = { outNo: ref.outNo, authCode: ref.authCode };
    const found = await locate(ref, ctx);
    if (!found.ok) return found;
    if ('sent' in found) {
      return { ok: true, state: 'failed', providerCode: 'not_sent', message: '这笔支付从未发往一体机后台，顾客未被扣款 / this payment was never sent to the kiosk backend: nothing charged' };
    }
    const r = found.record;
    const qr = ref.method?.kind === 'qr';
    if (found.recovered && !qr && r.Status === 0) {
      return {
        ok: true,
        state: 'failed',
        providerRef: String(r.Id),
        providerCode: '0',
        details: recordDetails(r),
        message: '扫码支付请求未曾发出，顾客未被扣款 / the barcode payment was never sent: nothing charged',
      };
    }
    return outcomeOf(r, qr);
  }

  const unsupported = (what: string, en: string): Failure =>
    fail('unsupported', 'kioskv5_unsupported', `一体机接口没有${what} / the kiosk backend has no ${en} call`);

  /** @see seeds/000 (no cancel call) */
  async function cancel(_ref: PaymentRef): Promise<KioskV5Result<{ state: 'cancelled' }>> {
    return unsupported('撤销接口', 'cancel');
  }
  /** @see seeds/000 (no refund call) */
  async function refund(_ref: PaymentRef, _refund: RefundRequest): Promise<KioskV5Result<RefundOutcome>> {
    return unsupported('退款接口', 'refund');
  }
  /** @see seeds/000 (no refund call) */
  async function refundQuery(_ref: PaymentRef, _refundNo: string): Promise<KioskV5Result<{ state: 'refunded' | 'failed' | 'pending' }>> {
    return unsupported('退款查询接口', 'refund query');
  }
  /** @see seeds/000 (no receipt call) */
  async function reprint(_ref: PaymentRef): Promise<KioskV5Result<{ printinfo: string }>> {
    return unsupported('补打小票接口', 'reprint');
  }

  /**
   * The bill of a paid payment, from get_pay_record (the seed has no refunds: refundedFen 0).
   * @see seeds/000 §支付接口 4. get_pay_record
   */
  async function bill(ref: PaymentRef): Promise<KioskV5Result<Bill>> {
    const badOut = checkOutNo(ref?.outNo);
    if (badOut) return badOut;
    const found = await locate(ref, { outNo: ref.outNo, authCode: ref.authCode });
    if (!found.ok) return found;
    if ('sent' in found) return fail('not_found', 'kioskv5_no_such_order', '这笔支付从未发往一体机后台 / this payment was never sent to the kiosk backend');
    const r = found.record;
    if (r.Status !== 1) {
      return fail('declined', 'kioskv5_not_paid', `支付单未支付（状态 ${r.Status}），没有账单 / the pay record is not paid`, { code: String(r.Status) });
    }
    const paidAt = recordTimeToIso(r.PayTime);
    const tradeNo = tradeNoOf(r);
    const line: Bill['lines'][number] = { amountFen: r.Price };
    if (paidAt) line.at = paidAt;
    if (tradeNo) line.tradeNo = tradeNo;
    if (ref.method?.name) line.methodName = ref.method.name;
    const out: Bill = { providerRef: String(r.Id), amountFen: r.Price, refundedFen: 0, lines: [line] };
    if (paidAt) out.paidAt = paidAt;
    return { ok: true, ...out };
  }

  /** @see seeds/000 §出门单接口 1. /v5/passcard/get_my_pass_card_list (sid, status) */
  async function passCards(filter: { status?: number } = {}): Promise<KioskV5Result<{ cards: PassCard[] }>> {
    const status = filter?.status;
    if (status !== undefined && (!Number.isSafeInteger(status) || status < 0)) {
      return fail('params', 'kioskv5_bad_status', '出门单状态须为非负整数 / the pass card status must be a non-negative integer');
    }
    const r = await exchange('get_my_pass_card_list', paths.passCards, encodePassCards({ sid, status }), {});
    if (!r.ok) return r;
    if (r.answer.kind === 'refusal') return { ok: false, error: refusalError(r.answer.refusal) };
    const cards = decodePassCards(r.answer.data);
    if (!cards.ok) return cards;
    return { ok: true, cards: cards.value };
  }

  /** The pass card of a payment: PayRecordId = its pr_id, else OrderId = its oid. @see seeds/000 §出门单接口 */
  async function passCardFor(outNo: string): Promise<KioskV5Result<{ card: PassCard }>> {
    const badOut = checkOutNo(outNo);
    if (badOut) return badOut;
    const oid = orderIdOf(outNo);
    if (oid === undefined) return fail('not_found', 'kioskv5_no_such_order', '这笔支付从未发往一体机后台 / this payment was never sent to the kiosk backend');
    const prId = positiveInt(store.get(prKey(outNo)));
    const list = await passCards();
    if (!list.ok) return list;
    const mine = list.cards.filter((c) => !c.ShopId || c.ShopId === sid);
    const card = (prId !== undefined ? mine.find((c) => c.PayRecordId === prId) : undefined) ?? mine.find((c) => c.OrderId === oid && (!c.PayRecordId || prId === undefined || c.PayRecordId === prId));
    if (!card) return fail('not_found', 'kioskv5_no_pass_card', '该订单没有出门单（尚未支付？） / no pass card for this order (not paid?)');
    return { ok: true, card };
  }

  /** @see seeds/000 §支付接口 4. get_pay_record */
  async function payRecord(prId: number): Promise<KioskV5Result<{ record: PayRecord }>> {
    if (!Number.isSafeInteger(prId) || prId <= 0) return fail('params', 'kioskv5_bad_pr_id', '支付单号须为正整数 / pr_id must be a positive integer');
    return getRecord(prId, {});
  }

  return {
    id: 'kioskv5',
    init,
    info,
    methods: () => [...methods],
    pay,
    query,
    cancel,
    refund,
    refundQuery,
    bill,
    reprint,
    passCards,
    passCardFor,
    payRecord,
    orderIdOf,
  };
}
