/**
 * mct1 sandbox: a Hono app that plays the aggregated payment provider of seeds/004, with its own
 * state, its own encryption of answers and its own verification of requests (it shares crypto.ts and
 * sign.ts with the client: both are pinned to the seed's worked examples and openssl vectors; it
 * does NOT use the client's codec). Mounted by the proxy at /sandbox/mct1; works standalone too.
 * SANDBOX ONLY: no real money.
 *
 * It serves, relative to its mount (POST form-encoded open_id, timestamp, data, sign; GET query too):
 *   /paylist  /order  /order/view  /payorder  /paystatus  /paycancel  /payrefund
 *   /jsapi/:ordNo     the page a 公众号/服务窗 jump_url order sends the customer to (a stub)
 *   /_admin/...       sandbox back office (JSON), see below
 *
 * ── The sandbox store ────────────────────────────────────────────────────────────────────────────
 * SANDBOX_STORE: open_id 87f46f5db1b65f0ac195285f49ee6958, open_key 0828e83720fdbe3685a7b94214af04f9
 * (the seed's §2.4 example credentials), supervisor password (shop_pass) 123456 (the seed's default).
 * Its paylist: 支付宝 "Alipay" and 微信 "Weixin" with pmt_type "2,3" (C扫B and B扫C), 现金 "Cash"
 * with "0". The seed's example paylist also shows AlipayCS/WeixinBERL/Baifubao; the payorder examples
 * and the pmt_tag description ("Cash,Alipay,Weixin,Baifubao,Diy") use Alipay/Weixin. "Diy" (custom
 * tender, pmt_name required) is always accepted. POST /_admin/stores creates more stores, with their
 * own paylist if wanted (e.g. a "1" 刷卡 tag, which needs trade_no and trade_account).
 *
 * ── Sandbox payment codes (B扫C) ────────────────────────────────────────────────────────────────
 * 18 digits: "13" (微信, tag Weixin*) or "28" (支付宝, tag Alipay*), 15 zeros, then N:
 *   N  微信                  支付宝                 behaviour
 *   1  130000000000000001    280000000000000001    paid at once (status 1)
 *   2  130000000000000002    280000000000000002    password: status 9, paid on the `passwordPolls`-th
 *                                                  paystatus (default 2)
 *   3  130000000000000003    280000000000000003    declined: errcode 8011, msg 余额不足 / 买家余额不足
 *                                                  (the order is kept, closed: status 4)
 *   4  130000000000000004    280000000000000004    charged, answer lost: recorded paid, then the
 *                                                  connection is destroyed; paystatus says 1
 *   5  130000000000000005    280000000000000005    hangs `hangMs` (default 120000), never charged:
 *                                                  paystatus → 8002
 *   6  130000000000000006    280000000000000006    password forever: status 9 until
 *                                                  POST /_admin/orders/:key/pay
 *   7  130000000000000007    280000000000000007    HTTP 502 (nginx HTML), not charged
 *   8  130000000000000008    280000000000000008    charged, but the answer's sign is corrupted
 * Any other code matching the tag's pattern (微信 ^1[0-5]\d{16}$, 支付宝 ^(2[5-9]|30)\d{14,22}$) pays at
 * once; such a real-looking code pays once (a second order with it: 8011 "每个二维码仅限使用一次").
 * A code that does not match: 8011 "条码格式不对".
 *
 * ── Other scenes ─────────────────────────────────────────────────────────────────────────────────
 * C扫B (no auth_code, tag with "2"): status 2 with trade_qrcode (weixin://wxpay/bizpayurl?pr=…,
 * https://qr.alipay.com/…); POST /_admin/orders/:key/pay plays the customer paying. 公众号/服务窗
 * jump_url: status 2 with jsapi_pay_url. JSAPI=1: 微信 needs sub_appid + sub_openid and answers the
 * JS pay parameters (with the stray leading spaces the seed's §4.4.3.4 example shows), 支付宝 needs
 * buyer_id and answers trade_no. Cash/Diy: status 1 at once. An unpaid QR/JSAPI order closes itself
 * (status 4) after `qrExpireMs` (default 2 h, the wallets' default order lifetime).
 * paycancel works only on B扫C orders waiting for the password (the seed: "订单撤销接口仅支持：微信、
 * 支付宝的条码支付（B扫C）接口" → 8013 otherwise; paid or cancelled → 8012).
 *
 * ── Error codes (§5) and what triggers them ──────────────────────────────────────────────────────
 *   8 no open_id (also: a JSON body instead of a form) · 3002 unknown open_id · 5 bad sign ·
 *   9 timestamp more than 600 s off · 8044 data that does not decrypt or is not a JSON object, or a
 *   payorder without out_no (or with other than letters/digits) · 8001 no ord_no/out_no (view, status,
 *   cancel) or no refund_out_no · 8002 unknown order · 8003 a blank ord_name · 8004 no pmt_tag, Diy
 *   without pmt_name, paylist without pmt_type · 8005 out_no already used by a refund · 8045 out_no
 *   already used · 8006 amounts not whole fen, ≤ 0, or trade ≠ original − discount − ignore, or a bad
 *   refund_amount · 8007 pmt_tag not in the store's paylist · 8008 a field longer than its column
 *   (ord_name 100, remark 200, tag 50) or a notify_url that is not an http(s) URL of ≤ 200 characters ·
 *   8009/8010 a 刷卡 ("1") tag without trade_no/trade_account · 8011 payment failed (codes above, an
 *   unsupported scene, JSAPI without its ids) · 8012/8013 cancel refused · 8014 refund without the
 *   original's out_no/ord_no · 8015 no refund_amount · 8016/8017 shop_pass missing/wrong · 8018
 *   original unknown · 8019 original not paid (or a refund) · 8020 refund_out_no used · 8021/8022
 *   refund over what is left (8021 when other refunds exist) · 8040 a wallet refund larger than
 *   today's takings on that tag · 8046 an amount over `riskLimitFen` (default 5,000,000 fen).
 *   8023 (退款失败) has no natural trigger: inject it, or any errcode, with the `errcode` fault.
 *
 * ── Callbacks (§4.8) ─────────────────────────────────────────────────────────────────────────────
 * When an order with a notify_url becomes paid (1) or cancelled (4), a GET goes to notify_url with
 * ord_no, timestamp, rand_str, out_no, status, sign. Anything but a 2xx whose body is `notify_success`
 * (whitespace trimmed), or a timeout (`notifyTimeoutMs`, default 10000), is retried after 1, 2, 3, …
 * × `notifyBaseMs` (default 30000: "按照30秒的倍数增长间隔推送") while within `notifyForMs` (default 3 h).
 * Every attempt has a fresh timestamp, rand_str and sign (a fixed timestamp would fall out of the
 * merchant's 600 s window during 3 h of retries). Timers are unref'd; `close()` stops them.
 *
 * ── Back office (sandbox only, JSON) ─────────────────────────────────────────────────────────────
 *   GET  /_admin/stores · POST /_admin/stores {open_id?, open_key?, name?, shop_pass?, paylist?}
 *   GET  /_admin/orders[?open_id=&out_no=&status=] · GET /_admin/orders/:key (key = ord_no or out_no)
 *   POST /_admin/orders/:key/pay       the customer completes a pending (2) or password (9) order
 *   POST /_admin/orders/:key/notify    send the callback again now (restarts its retry schedule)
 *   GET  /_admin/notifications[?ord_no=]  every callback attempt and its answer
 *   POST /_admin/discrepancies {reset?, drop?, extra?, amountOff?, unrecordedRefund?, bookNextDay?}
 *        · GET /_admin/discrepancies · DELETE /_admin/discrepancies
 *        Differences planted in the books only — the order list (4.2) and order/view (4.3) — never in
 *        payorder/paystatus/payrefund, so a reconciliation test can check each is found. Orders are
 *        named by out_no (or ord_no) and must be sales (ord_type 1):
 *          drop: ["<out_no>"]                the sale (and its refunds) is missing from the books
 *          extra: [{amountFen, outNo?, pmtTag? (Weixin), at? (China time or ISO), openId?}]
 *                                            a paid sale only the books have (an out_no we never made)
 *          amountOff: [{outNo, deltaFen}]    the sale's trade_amount (and original_amount) off by deltaFen
 *          unrecordedRefund: [{outNo, amountFen}]  a refund order (ord_type 2, the sale's trade_no,
 *                                            booked now) that no payrefund made
 *          bookNextDay: ["<out_no>"]         add_time, trade_time and trade_pay_time moved to 00:00:01
 *                                            of the next China day: the sale is listed on that day
 *        Each POST adds to the knobs in force ({reset: true} clears them first); DELETE clears them.
 *        Kept in the state file with the orders. A refused request (400/404/409) changes nothing.
 *   POST /_admin/faults {op, fault, count?, errcode?, msg?} · GET /_admin/faults · DELETE /_admin/faults
 *        op: paylist|order|view|payorder|paystatus|paycancel|payrefund|any
 *        fault: hang (held `hangMs`, not executed) · 5xx (503 HTML, not executed) · garbage (200, a PHP
 *        warning, not executed) · errcode (answers that errcode, not executed) · drop (EXECUTED, then
 *        the connection is destroyed) · badsign (EXECUTED, the answer's sign corrupted) · badjson
 *        (EXECUTED, the answer cut in half)
 */
import type { Context } from 'hono';
import {
  FaultQueue,
  SANDBOX_WALLET_CODES,
  addFaultRoutes,
  alnum,
  connectionFaults,
  cutInHalf,
  digits,
  discrepancyUsage,
  gatewayPage,
  nextChinaMidnight,
  parseDiscrepancies,
  phpRequestParams,
  publicBase,
  readJsonObject,
  sandboxAdmin,
  sandboxApp,
  sandboxMount,
  stateFile,
  type DiscrepancyRequest,
} from '../sandbox-kit/index.ts';
import { decryptData, encryptData } from './crypto.ts';
import {
  PHP_GARBAGE,
  cst,
  cstMs,
  defaultPaylist,
  hexUpper,
  listItem,
  newOrdNo,
  orderView,
  paidTradeResult,
  paylistEntry,
  payorderData,
  paystatusData,
  phpJson,
  refundData,
  typesOf,
  viewData,
  walletOf,
  walletTradeNo,
  type SimBooks,
  type SimNotification,
  type SimOrder,
  type SimPaylistEntry,
  type SimScene,
  type SimState,
  type SimStore,
} from './simulator-answers.ts';
// sign.ts and crypto.ts are pinned to the seed's worked example and to openssl vectors by their own
// tests, so sharing them hides nothing.
import { callbackSign, sameSign, sha1Hex, signParams } from './sign.ts';

export type { SimBooks, SimNotification, SimOrder, SimState, SimStore } from './simulator-answers.ts';

/** The sandbox store: the seed's §2.4 example credentials and its default supervisor password. */
export const SANDBOX_STORE = {
  openId: '87f46f5db1b65f0ac195285f49ee6958',
  openKey: '0828e83720fdbe3685a7b94214af04f9',
  shopPass: '123456',
} as const;

/** The sandbox payment codes (see the table at the top of this file). */
export const MCT1_SANDBOX_CODES = {
  wechat: { ...SANDBOX_WALLET_CODES.wechat, badSign: '130000000000000008' },
  alipay: { ...SANDBOX_WALLET_CODES.alipay, badSign: '280000000000000008' },
} as const;

export interface Mct1SimulatorOptions {
  /** Public mount prefix, used when the request path does not show it. Default '/sandbox/mct1'. */
  basePath?: string;
  /** Overrides the public base URL (jsapi_pay_url), e.g. behind a TLS front end. */
  publicUrl?: string;
  /** JSON file the state is loaded from and written to after every change. */
  stateFile?: string;
  /** paystatus calls before a password (N=2) order is paid. Default 2. */
  passwordPolls?: number;
  /** How long a hanging request is held. Default 120000. */
  hangMs?: number;
  /** Callback retry unit: attempts after 1, 2, 3, … × this. Default 30000. */
  notifyBaseMs?: number;
  /** How long callbacks are retried. Default 3 h. */
  notifyForMs?: number;
  /** One callback attempt. Default 10000. */
  notifyTimeoutMs?: number;
  /** An unpaid QR/JSAPI order closes itself after this. Default 2 h. */
  qrExpireMs?: number;
  /** Orders over this many fen are refused with 8046 (risk control). Default 5,000,000. */
  riskLimitFen?: number;
  /** The provider's clock, epoch ms. Default Date.now. */
  now?: () => number;
  /** For callbacks. Default globalThis.fetch. */
  fetch?: typeof fetch;
}

export type FaultOp = 'paylist' | 'order' | 'view' | 'payorder' | 'paystatus' | 'paycancel' | 'payrefund' | 'any';
export type FaultKind = 'hang' | '5xx' | 'garbage' | 'errcode' | 'drop' | 'badsign' | 'badjson';
const FAULT_OPS: FaultOp[] = ['paylist', 'order', 'view', 'payorder', 'paystatus', 'paycancel', 'payrefund', 'any'];
const FAULT_KINDS: FaultKind[] = ['hang', '5xx', 'garbage', 'errcode', 'drop', 'badsign', 'badjson'];

/** What an `errcode` fault answers. */
interface ErrcodeFault {
  errcode: number;
  msg: string;
}

/** An answer before encryption. */
interface Reply {
  errcode: number;
  msg: string;
  data?: unknown;
  /** Sandbox behaviours after the order is recorded. */
  then?: 'drop' | 'badsign';
}
type Special = { special: 'hang' | '502' };
type Outcome = Reply | Special;

/** The seed's wording per errcode (msg of a refusal). @see seeds/004 §5.1 */
const SEED_MSG: Record<number, string> = {
  3002: '门店不存在',
  5: '验证签名错误',
  8: 'token不能为空',
  8001: '订单号不能为空',
  8002: '订单不存在',
  8003: '订单名称不能为空',
  8004: '付款方式不能为空',
  8005: '订单号已经存在，请勿重复提交',
  8006: '收款金额有误',
  8007: '付款方式未开通',
  8008: '创建订单失败',
  8009: '交易号不能为空',
  8010: '银行卡号不能为空',
  8011: '支付失败',
  8012: '当前订单不能取消，如果已经付款，请使用退款功能',
  8013: '订单取消失败',
  8014: '原始付款单号不能为空',
  8015: '退款金额不能为空',
  8016: '主管密码不能为空',
  8017: '主管密码错误',
  8018: '原始订单不存在',
  8019: '当前订单不允许退款，状态异常',
  8020: '退款单号已经存在，请勿重复提交',
  8021: '退款金额大于支付金额，当前订单有其它退款记录',
  8022: '退款金额大于支付金额',
  8023: '退款失败',
  8040: '当前退款金额大于商户今日交易总额',
  8044: 'out_no不能为空',
  8045: 'out_no已经存在，请勿重复发起支付',
  8046: '交易已被系统拒绝，请联系您的服务商',
  9: 'timestamp error',
};

function refuse(errcode: number, msg = SEED_MSG[errcode] ?? 'error'): Reply {
  return { errcode, msg };
}

/** 13 (微信) or 28 (支付宝), 15 zeros, the behaviour digit 1–8. */
const SANDBOX_CODE = /^(?:13|28)0{15}([1-8])$/;
const WALLET_PATTERN = { wechat: /^1[0-5]\d{16}$/, alipay: /^(2[5-9]|30)\d{14,22}$/ } as const;
const OUT_NO = /^[A-Za-z0-9]{1,64}$/;
const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };

/** A text field as PHP would see it: strings trimmed, numbers as decimal, anything else empty. */
function text(v: unknown): string {
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return '';
}

/** Whole fen: an integer or a string of digits; undefined otherwise. */
function fen(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d{1,15}$/.test(v.trim())) return Number(v.trim());
  return undefined;
}

function isHttpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * Creates the mct1 sandbox.
 * @see seeds/004 (the whole document: each handler cites its section)
 */
export function createMct1Simulator(opts: Mct1SimulatorOptions = {}) {
  /** Where we are reachable, for jsapi_pay_url. */
  const mount = sandboxMount(opts, '/sandbox/mct1');
  const passwordPolls = Math.max(1, opts.passwordPolls ?? 2);
  const hangMs = opts.hangMs ?? 120_000;
  const notifyBaseMs = opts.notifyBaseMs ?? 30_000;
  const notifyForMs = opts.notifyForMs ?? 3 * 3600_000;
  const notifyTimeoutMs = opts.notifyTimeoutMs ?? 10_000;
  const qrExpireMs = opts.qrExpireMs ?? 2 * 3600_000;
  const riskLimitFen = opts.riskLimitFen ?? 5_000_000;
  const now = opts.now ?? Date.now;
  const fetchImpl = opts.fetch ?? ((...args: Parameters<typeof fetch>) => globalThis.fetch(...args));
  const file = stateFile<SimState>('mct1', opts.stateFile);
  const state: SimState = file.load() ?? freshState();
  const faults = new FaultQueue<FaultOp, FaultKind, ErrcodeFault>();
  /** Aborted by close(): ends hanging requests and callback attempts. */
  const closing = new AbortController();
  const { hang, drop } = connectionFaults({ hangMs, closing: closing.signal });
  const jobs = new Map<string, { timer?: ReturnType<typeof setTimeout>; ctrl?: AbortController }>();

  function freshState(): SimState {
    const s: SimState = { version: 1, nextOrdMctId: 174141, stores: {}, orders: {}, outNos: {}, authCodes: {}, notifications: [], nextNotificationId: 1 };
    s.stores[SANDBOX_STORE.openId] = newStore(SANDBOX_STORE.openId, SANDBOX_STORE.openKey, 'mct1沙箱门店', SANDBOX_STORE.shopPass, defaultPaylist(), '0001');
    return s;
  }

  function newStore(openId: string, openKey: string, name: string, shopPass: string, paylist: SimPaylistEntry[], shopNo: string): SimStore {
    return {
      openId,
      openKey,
      name,
      fullName: `${name}（沙箱）`,
      shopNo,
      shopPassSha1: sha1Hex(shopPass),
      paylist,
      nextShopSerial: 1,
      createdAt: cst(now()),
    };
  }

  function save(): void {
    file.save(state);
  }

  /**
   * The answer envelope: {errcode, msg, timestamp, data?, sign?}, data encrypted with the store's
   * open_key (upper-case hex, like the seed's §2.5 sample), signed over every field.
   * @see seeds/004 §2.2 item 7, §2.5 数据返回签名验证规则
   */
  function envelope(store: SimStore | undefined, reply: Reply, badSign = false): string {
    const env: Record<string, unknown> = { errcode: reply.errcode, msg: reply.msg, timestamp: Math.floor(now() / 1000) };
    if (store && reply.data !== undefined) {
      env.data = encryptData(phpJson(reply.data), store.openKey, 'upper');
      const sign = signParams(env, store.openKey);
      env.sign = badSign ? `${sign.slice(0, -4)}${sign.slice(-4) === '0000' ? '1111' : '0000'}` : sign;
    }
    return phpJson(env);
  }

  /**
   * GET query merged with a form body, as PHP's $_REQUEST would (the body wins). A JSON body is not
   * read at all (PHP's $_POST stays empty): errcode 8, as §5 explains.
   */
  const params = (c: Context) => phpRequestParams(c, 'form-only');

  /**
   * open_id → store → sign → timestamp → data.
   * @see seeds/004 §2.2 items 6 and 9, §2.4, §5 (8, 3002, 5, 9, 8044)
   */
  function authenticate(p: Record<string, string>): { ok: true; store: SimStore; data: Record<string, unknown> } | { ok: false; reply: Reply } {
    const openId = (p.open_id ?? '').trim();
    if (!openId) return { ok: false, reply: refuse(8) };
    const store = state.stores[openId];
    if (!store) return { ok: false, reply: refuse(3002) };
    const signed: Record<string, string> = { ...p };
    delete signed.sign;
    if (!sameSign(p.sign, signParams(signed, store.openKey))) return { ok: false, reply: refuse(5) };
    const ts = (p.timestamp ?? '').trim();
    if (!/^\d{1,12}$/.test(ts) || Math.abs(Number(ts) - Math.floor(now() / 1000)) > 600) return { ok: false, reply: refuse(9) };
    if (!p.data) return { ok: true, store, data: {} };
    const plain = decryptData(p.data, store.openKey);
    if (!plain.ok) return { ok: false, reply: refuse(8044) };
    let data: unknown;
    try {
      data = JSON.parse(plain.text);
    } catch {
      return { ok: false, reply: refuse(8044) };
    }
    if (!data || typeof data !== 'object' || Array.isArray(data)) return { ok: false, reply: refuse(8044) };
    return { ok: true, store, data: data as Record<string, unknown> };
  }

  /** Faults, authentication, the operation, then the answer (with its sandbox behaviour). */
  async function serve(c: Context, op: FaultOp, run: (store: SimStore, d: Record<string, unknown>, c: Context) => Outcome | Promise<Outcome>): Promise<Response> {
    const fault = faults.take(op);
    if (fault?.fault === 'hang') return hang(c);
    if (fault?.fault === '5xx') return gatewayPage(c, 503);
    if (fault?.fault === 'garbage') return c.body(PHP_GARBAGE, 200, { 'content-type': 'text/html; charset=utf-8' });
    if (fault?.fault === 'errcode') return c.body(envelope(undefined, refuse(fault.errcode ?? 8008, fault.msg)), 200, JSON_TYPE);
    const auth = authenticate(await params(c));
    if (!auth.ok) return c.body(envelope(undefined, auth.reply), 200, JSON_TYPE);
    const outcome = await run(auth.store, auth.data, c);
    if ('special' in outcome) {
      if (outcome.special === 'hang') return hang(c);
      return gatewayPage(c, 502);
    }
    const then = fault?.fault === 'drop' || outcome.then === 'drop' ? 'drop' : fault?.fault === 'badsign' || outcome.then === 'badsign' ? 'badsign' : undefined;
    if (then === 'drop') return drop(c);
    let body = envelope(auth.store, outcome, then === 'badsign');
    if (fault?.fault === 'badjson') body = cutInHalf(body);
    return c.body(body, 200, JSON_TYPE);
  }

  // --- orders -------------------------------------------------------------------------------------

  function outKey(openId: string, outNo: string): string {
    return `${openId} ${outNo}`;
  }

  function newOrder(store: SimStore, fields: Omit<SimOrder, 'ordNo' | 'openId' | 'addTime' | 'addMs' | 'ordMctId' | 'ordShopId'>): SimOrder {
    const ms = now();
    let ordNo: string;
    do ordNo = newOrdNo(ms);
    while (state.orders[ordNo]);
    const o: SimOrder = { ...fields, ordNo, openId: store.openId, addTime: cst(ms), addMs: ms, ordMctId: state.nextOrdMctId++, ordShopId: store.nextShopSerial++ };
    state.orders[ordNo] = o;
    state.outNos[outKey(store.openId, o.outNo)] = ordNo;
    return o;
  }

  function markPaid(o: SimOrder): void {
    const ms = now();
    const wallet = walletOf(o.pmtTag);
    o.status = 1;
    o.pollsLeft = 0;
    o.tradeTime = o.tradeTime || cst(ms);
    o.tradePayTime = cst(ms);
    if (o.scene !== 'cash' && o.scene !== 'diy' && o.scene !== 'card') {
      o.tradeNo = walletTradeNo(wallet, ms);
      o.tradeAccount = wallet === 'wechat' ? 'CFT' : wallet === 'alipay' ? `${alnum(3).toLowerCase()}***@sandbox.test` : '';
      o.tradeResult = paidTradeResult(o, wallet, ms);
    }
    notify(o, 1);
  }

  function markCancelled(o: SimOrder): void {
    o.status = 4;
    o.pollsLeft = 0;
    notify(o, 4);
  }

  /** An unpaid QR/JSAPI order past its lifetime closes itself (checked whenever it is looked at). */
  function refresh(o: SimOrder): void {
    if (o.status === 2 && now() - o.addMs > qrExpireMs) {
      markCancelled(o);
      save();
    }
  }

  /**
   * By ord_no and/or out_no ("订单号，开发者流水号必须填写一个"); both given must agree.
   * @see seeds/004 §4.3.1, §4.5.1, §4.6.1
   */
  function find(store: SimStore, d: Record<string, unknown>): { ok: true; order: SimOrder } | { ok: false; reply: Reply } {
    const ordNo = text(d.ord_no);
    const outNo = text(d.out_no);
    if (!ordNo && !outNo) return { ok: false, reply: refuse(8001) };
    const o = ordNo ? state.orders[ordNo] : state.orders[state.outNos[outKey(store.openId, outNo)] ?? ''];
    if (!o || o.openId !== store.openId || (outNo && o.outNo !== outNo)) return { ok: false, reply: refuse(8002) };
    refresh(o);
    return { ok: true, order: o };
  }

  /** @see seeds/004 §4.1 获取门店支付方式列表 paylist (pmt_type: 2主扫，3被扫，4jsapi支付, or 0 as §2.4's sample) */
  function paylist(store: SimStore, d: Record<string, unknown>): Reply {
    const raw = d.pmt_type;
    let wanted: string[];
    if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 0) wanted = [String(raw)];
    else if (typeof raw === 'string' && /^\s*\d\s*(,\s*\d\s*)*$/.test(raw)) wanted = raw.split(',').map((t) => t.trim());
    else return refuse(8004);
    // 4 (jsapi) is offered by the wallets that take C扫B.
    const list = store.paylist.filter((e) => {
      const types = typesOf(e);
      return wanted.some((w) => types.has(w) || (w === '4' && types.has('2') && walletOf(e.pmt_tag) !== 'other'));
    });
    return { errcode: 0, msg: 'ok', data: list };
  }

  /** @see seeds/004 §4.2 获取订单列表 order */
  function orderList(store: SimStore, d: Record<string, unknown>): Reply {
    const page = Math.max(1, fen(d.page) ?? 1);
    const pagesize = Math.min(100, Math.max(1, fen(d.pagesize) ?? 10));
    const eq: [keyof SimOrder, string][] = [
      ['outNo', text(d.out_no)],
      ['tradeNo', text(d.trade_no)],
      ['ordNo', text(d.ord_no)],
      ['pmtTag', text(d.pmt_tag)],
    ];
    const ordType = fen(d.ord_type);
    const status = fen(d.status);
    // No dates: the last 90 days. A date PHP's strtotime would not read is ignored, as there.
    const sdate = text(d.sdate) ? cstMs(text(d.sdate)) : NaN;
    const edate = text(d.edate) ? cstMs(text(d.edate)) : NaN;
    const from = Number.isFinite(sdate) ? sdate : !text(d.sdate) && !text(d.edate) ? now() - 90 * 86400_000 : -Infinity;
    const to = Number.isFinite(edate) ? edate + (/\d{2}:\d{2}/.test(text(d.edate)) ? 999 : 86400_000 - 1) : Infinity;
    const all = bookOrders(store)
      .filter((o) => {
        if (eq.some(([k, v]) => v && o[k] !== v)) return false;
        if (ordType !== undefined && o.ordType !== ordType) return false;
        if (status !== undefined && o.status !== status) return false;
        return o.addMs >= from && o.addMs <= to;
      })
      .sort((a, b) => b.ordMctId - a.ordMctId);
    const list = all.slice((page - 1) * pagesize, page * pagesize).map((o) => listItem(o, store));
    return {
      errcode: 0,
      msg: 'ok',
      // As the seed's example: totalnum a string, the others integers.
      data: { pages: { totalnum: String(all.length), totalpage: Math.ceil(all.length / pagesize), pagesize, page }, list },
    };
  }

  /** @see seeds/004 §4.3 查询订单明细 order/view (as the books have it) */
  function view(store: SimStore, d: Record<string, unknown>): Reply {
    const ordNo = text(d.ord_no);
    const outNo = text(d.out_no);
    if (!ordNo && !outNo) return refuse(8001);
    const o = bookOrders(store).find((b) => (ordNo ? b.ordNo === ordNo : b.outNo === outNo));
    if (!o || (outNo && o.outNo !== outNo)) return refuse(8002);
    return { errcode: 0, msg: 'ok', data: viewData(o, store) };
  }

  // --- the books (order list, order/view) and their planted discrepancies ---------------------------

  function books(): SimBooks {
    state.books ??= { dropped: [], nextDay: [], amountOff: {}, orders: {} };
    return state.books;
  }

  /** A China time string moved by `ms` (empty stays empty). */
  function shifted(china: string, ms: number): string {
    const at = china ? cstMs(china) : NaN;
    return Number.isFinite(at) ? cst(at + ms) : china;
  }

  /** An order as the books report it: undefined when dropped (a refund goes with its sale). */
  function booked(o: SimOrder): SimOrder | undefined {
    const b = state.books;
    if (!b) return o;
    const saleNo = o.ordType === 2 ? o.originalOrdNo : o.ordNo;
    if (saleNo && b.dropped.includes(saleNo)) return undefined;
    let out = o;
    const delta = b.amountOff[o.ordNo];
    if (delta) out = { ...out, tradeAmount: out.tradeAmount + delta, originalAmount: out.originalAmount + delta };
    if (b.nextDay.includes(o.ordNo)) {
      const shift = nextChinaMidnight(o.addMs) + 1000 - o.addMs;
      out = { ...out, addMs: o.addMs + shift, addTime: cst(o.addMs + shift), tradeTime: shifted(o.tradeTime, shift), tradePayTime: shifted(o.tradePayTime, shift) };
    }
    return out;
  }

  /** The store's orders as its books report them: the real ones (refreshed), changed by the knobs, and the planted ones. */
  function bookOrders(store: SimStore): SimOrder[] {
    const out: SimOrder[] = [];
    for (const o of [...Object.values(state.orders), ...Object.values(state.books?.orders ?? {})]) {
      if (o.openId !== store.openId) continue;
      if (state.orders[o.ordNo] === o) refresh(o);
      const b = booked(o);
      if (b) out.push(b);
    }
    return out;
  }

  /** A sale named by the back office (out_no or ord_no), real or planted. */
  function saleFor(key: string): { ok: true; order: SimOrder } | { ok: false; status: 404 | 409; error: string } {
    const found = findAny(key) ?? Object.values(state.books?.orders ?? {}).find((o) => o.ordNo === key || o.outNo === key);
    if (found === 'ambiguous') return { ok: false, status: 409, error: `${key}: 多个门店有此流水号，请用 ord_no / ambiguous: use ord_no` };
    if (!found) return { ok: false, status: 404, error: `${key}: 订单不存在 / no such order` };
    if (found.ordType !== 1) return { ok: false, status: 409, error: `${key}: 不是消费订单 / not a sale` };
    return { ok: true, order: found };
  }

  function plantedOrdNo(ms: number): string {
    let ordNo: string;
    do ordNo = newOrdNo(ms);
    while (state.orders[ordNo] || state.books?.orders[ordNo]);
    return ordNo;
  }

  /** The back office's view of the knobs in force. */
  function discrepancyView() {
    const b = state.books ?? { dropped: [], nextDay: [], amountOff: {}, orders: {} };
    const named = (ordNo: string) => ({ ordNo, outNo: (state.orders[ordNo] ?? b.orders[ordNo])?.outNo });
    const planted = Object.values(b.orders);
    return {
      drop: b.dropped.map(named),
      bookNextDay: b.nextDay.map(named),
      amountOff: Object.entries(b.amountOff).map(([ordNo, deltaFen]) => ({ ...named(ordNo), deltaFen })),
      extra: planted.filter((o) => o.ordType === 1).map((o) => ({ ordNo: o.ordNo, outNo: o.outNo, openId: o.openId, pmtTag: o.pmtTag, amountFen: o.tradeAmount, tradeNo: o.tradeNo || undefined, addTime: o.addTime })),
      unrecordedRefund: planted
        .filter((o) => o.ordType === 2)
        .map((o) => ({ ordNo: o.ordNo, outNo: o.outNo, originalOrdNo: o.originalOrdNo, saleOutNo: named(o.originalOrdNo ?? '').outNo, amountFen: o.tradeAmount, addTime: o.addTime })),
    };
  }

  type Planned = { ok: true; apply: () => void } | { ok: false; status: 400 | 404 | 409; error: string };

  /** Checks every knob against the orders first, so that a refused request changes nothing. */
  function planDiscrepancies(req: DiscrepancyRequest): Planned {
    const steps: (() => void)[] = [];
    if (req.reset) steps.push(() => void (state.books = { dropped: [], nextDay: [], amountOff: {}, orders: {} }));
    for (const [list, name] of [
      [req.drop, 'dropped'],
      [req.bookNextDay, 'nextDay'],
    ] as const) {
      for (const key of list) {
        const f = saleFor(key);
        if (!f.ok) return f;
        steps.push(() => {
          const l = books()[name];
          if (!l.includes(f.order.ordNo)) l.push(f.order.ordNo);
        });
      }
    }
    for (const { key, deltaFen } of req.amountOff) {
      const f = saleFor(key);
      if (!f.ok) return f;
      if (f.order.tradeAmount + deltaFen <= 0) return { ok: false, status: 409, error: `${key}: 金额须大于 0 / the amount in the books must stay above 0` };
      steps.push(() => void (books().amountOff[f.order.ordNo] = deltaFen));
    }
    const plannedRefunds = new Map<string, number>();
    for (const { key, amountFen } of req.unrecordedRefund) {
      const f = saleFor(key);
      if (!f.ok) return f;
      const sale = f.order;
      if (sale.status !== 1) return { ok: false, status: 409, error: `${key}: 订单未支付，不能退款 / the sale is not paid` };
      const refunds = [...Object.values(state.orders), ...Object.values(req.reset ? {} : (state.books?.orders ?? {}))].filter((o) => o.ordType === 2 && o.status === 1 && o.originalOrdNo === sale.ordNo);
      const left = sale.tradeAmount - refunds.reduce((n, o) => n + o.tradeAmount, 0) - (plannedRefunds.get(sale.ordNo) ?? 0);
      if (amountFen > left) return { ok: false, status: 409, error: `${key}: 退款金额大于可退金额（${left} 分） / more than the ${left} fen left to refund` };
      plannedRefunds.set(sale.ordNo, (plannedRefunds.get(sale.ordNo) ?? 0) + amountFen);
      steps.push(() => {
        const ms = now();
        const store = state.stores[sale.openId]!;
        const r: SimOrder = {
          ...sale,
          ordNo: plantedOrdNo(ms),
          outNo: `UR${digits(14)}`,
          ordType: 2,
          status: 1,
          remark: '',
          tag: '',
          originalAmount: amountFen,
          discountAmount: 0,
          ignoreAmount: 0,
          tradeAmount: amountFen,
          tradeQrcode: '',
          tradeResult: sale.tradeNo ? phpJson({ result_code: 'SUCCESS', out_trade_no: sale.ordNo, refund_fee: String(amountFen) }) : '',
          addTime: cst(ms),
          addMs: ms,
          tradeTime: cst(ms),
          tradePayTime: cst(ms),
          ordMctId: state.nextOrdMctId++,
          ordShopId: store.nextShopSerial++,
          pollsLeft: 0,
          originalOrdNo: sale.ordNo,
          notifyUrl: undefined,
          notify: undefined,
          authCode: undefined,
        };
        books().orders[r.ordNo] = r;
      });
    }
    for (const item of req.extra) {
      const amount = item.amountFen;
      if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0) return { ok: false, status: 400, error: 'extra: "amountFen" must be a whole number of fen > 0' };
      const openId = item.openId === undefined ? SANDBOX_STORE.openId : item.openId;
      const store = typeof openId === 'string' ? state.stores[openId] : undefined;
      if (!store) return { ok: false, status: 404, error: 'extra: "openId" names no store' };
      const tag = item.pmtTag === undefined ? 'Weixin' : item.pmtTag;
      if (typeof tag !== 'string' || !/^[A-Za-z0-9_]{1,20}$/.test(tag)) return { ok: false, status: 400, error: 'extra: "pmtTag" must be a pmt_tag such as Weixin, Alipay or Cash' };
      const outNo = item.outNo === undefined ? undefined : item.outNo;
      if (outNo !== undefined && (typeof outNo !== 'string' || !OUT_NO.test(outNo))) return { ok: false, status: 400, error: 'extra: "outNo" must be 1–64 letters or digits' };
      if (outNo && (state.outNos[outKey(store.openId, outNo)] || Object.values(state.books?.orders ?? {}).some((o) => o.outNo === outNo))) {
        return { ok: false, status: 409, error: `extra: ${outNo}: 流水号已存在 / out_no already used` };
      }
      let at: number | undefined;
      if (item.at !== undefined) {
        at = typeof item.at === 'string' ? (/T.*([zZ]|[+-]\d{2}:?\d{2})$/.test(item.at) ? Date.parse(item.at) : cstMs(item.at)) : NaN;
        if (!Number.isFinite(at)) return { ok: false, status: 400, error: 'extra: "at" must be China time "YYYY-MM-DD HH:MM:SS" or ISO 8601 with an offset' };
      }
      steps.push(() => {
        const ms = at ?? now();
        const wallet = walletOf(tag);
        const entry = store.paylist.find((e) => e.pmt_tag === tag);
        const o: SimOrder = {
          ordNo: plantedOrdNo(ms),
          openId: store.openId,
          outNo: outNo ?? `EX${digits(14)}`,
          ordType: 1,
          status: 1,
          scene: wallet === 'other' ? 'cash' : 'barcode',
          pmtTag: tag,
          pmtName: entry?.pmt_name ?? tag,
          diyPmtName: '',
          ordName: '商品',
          remark: '',
          tag: '',
          originalAmount: amount,
          discountAmount: 0,
          ignoreAmount: 0,
          tradeAmount: amount,
          tradeNo: wallet === 'other' ? '' : walletTradeNo(wallet, ms),
          tradeAccount: wallet === 'alipay' ? `${alnum(3).toLowerCase()}***@sandbox.test` : wallet === 'wechat' ? 'CFT' : '',
          tradeQrcode: '',
          tradeResult: '',
          addTime: cst(ms),
          addMs: ms,
          tradeTime: cst(ms),
          tradePayTime: cst(ms),
          ordMctId: state.nextOrdMctId++,
          ordShopId: store.nextShopSerial++,
          pollsLeft: 0,
        };
        if (wallet !== 'other') o.tradeResult = paidTradeResult(o, wallet, ms);
        books().orders[o.ordNo] = o;
      });
    }
    return { ok: true, apply: () => steps.forEach((step) => step()) };
  }

  /** @see seeds/004 §4.5 查询付款状态 paystatus */
  function paystatus(store: SimStore, d: Record<string, unknown>): Reply {
    const f = find(store, d);
    if (!f.ok) return f.reply;
    const o = f.order;
    if (o.status === 9 && o.pollsLeft !== null) {
      o.pollsLeft -= 1;
      if (o.pollsLeft <= 0) markPaid(o);
      save();
    }
    return { errcode: 0, msg: 'ok', data: paystatusData(o) };
  }

  /** @see seeds/004 §4.6 订单取消接口 paycancel, §5 (8012, 8013) */
  function paycancel(store: SimStore, d: Record<string, unknown>): Reply {
    const f = find(store, d);
    if (!f.ok) return f.reply;
    const o = f.order;
    if (o.status === 1 || o.status === 4 || o.ordType === 2) return refuse(8012);
    if (o.scene !== 'barcode') return refuse(8013, '订单取消失败,错误原因：订单的支付场景不支持该请求');
    markCancelled(o);
    save();
    return { errcode: 0, msg: '订单取消成功', data: { ord_no: o.ordNo, ord_status: '4' } };
  }

  /**
   * One payorder for every scene.
   * @see seeds/004 §4.4 下订单接口 (4.4.1 扫码, 4.4.2 条码, 4.4.3 微信公众号, 4.4.4 支付宝服务窗, 4.4.5 小程序)
   */
  function payorder(store: SimStore, d: Record<string, unknown>, c: Context): Outcome {
    const outNo = text(d.out_no);
    if (!outNo) return refuse(8044);
    if (!OUT_NO.test(outNo)) return refuse(8044, 'out_no只允许使用数字、字母');
    const existing = state.orders[state.outNos[outKey(store.openId, outNo)] ?? ''];
    if (existing) return existing.ordType === 2 ? refuse(8005) : refuse(8045);

    const tag = text(d.pmt_tag);
    if (!tag) return refuse(8004);
    let entry: SimPaylistEntry | undefined;
    let diyName = '';
    if (tag === 'Diy') {
      diyName = text(d.pmt_name);
      if (!diyName) return refuse(8004, '自定义付款方式名称不能为空');
    } else {
      entry = store.paylist.find((e) => e.pmt_tag === tag);
      if (!entry) return refuse(8007);
    }
    const ordName = d.ord_name === undefined ? '' : text(d.ord_name);
    if (d.ord_name !== undefined && !ordName) return refuse(8003);
    const remark = text(d.remark);
    const orderTag = text(d.tag);
    const notifyUrl = text(d.notify_url);
    if ([...ordName].length > 100 || [...remark].length > 200 || [...orderTag].length > 50 || [...diyName].length > 20) return refuse(8008);
    if (notifyUrl && (notifyUrl.length > 200 || !isHttpUrl(notifyUrl))) return refuse(8008);

    const original = fen(d.original_amount);
    const discount = d.discount_amount === undefined || d.discount_amount === '' ? 0 : fen(d.discount_amount);
    const ignore = d.ignore_amount === undefined || d.ignore_amount === '' ? 0 : fen(d.ignore_amount);
    const trade = fen(d.trade_amount);
    if (original === undefined || discount === undefined || ignore === undefined || trade === undefined) return refuse(8006);
    if (trade <= 0 || discount < 0 || ignore < 0 || trade !== original - discount - ignore) return refuse(8006);
    if (trade > riskLimitFen) return refuse(8046);

    const types = entry ? typesOf(entry) : new Set(['0']);
    const wallet = walletOf(tag);
    const authCode = text(d.auth_code);
    const jumpUrl = text(d.jump_url);
    const jsapi = text(d.JSAPI) === '1';
    const base = {
      outNo,
      ordType: 1 as const,
      pmtTag: tag,
      pmtName: entry?.pmt_name ?? diyName,
      diyPmtName: diyName,
      ordName: ordName || '商品',
      remark,
      tag: orderTag,
      originalAmount: original,
      discountAmount: discount,
      ignoreAmount: ignore,
      tradeAmount: trade,
      tradeNo: '',
      tradeAccount: '',
      tradeQrcode: '',
      tradeResult: '',
      tradeTime: '',
      tradePayTime: '',
      pollsLeft: 0,
      notifyUrl: notifyUrl || undefined,
    };
    const open = (scene: SimScene, status: SimOrder['status'], extra: Partial<SimOrder> = {}): SimOrder => {
      const o = newOrder(store, { ...base, scene, status, ...extra });
      o.tradeTime = o.addTime;
      return o;
    };
    const done = (o: SimOrder, then?: Reply['then']): Reply => {
      save();
      return { errcode: 0, msg: 'ok', data: payorderData(o), then };
    };

    // 现金 / 自定义: recorded as paid at once.
    if (tag === 'Diy' || (types.has('0') && !types.has('2') && !types.has('3'))) {
      const o = open(tag === 'Diy' ? 'diy' : 'cash', 2);
      markPaid(o);
      return done(o);
    }
    // 刷卡 on a separate card terminal: the merchant records the card slip.
    if (types.has('1') && !types.has('2') && !types.has('3')) {
      const tradeNo = text(d.trade_no);
      const account = text(d.trade_account);
      if (!tradeNo) return refuse(8009);
      if (!account) return refuse(8010);
      const o = open('card', 2, { tradeNo, tradeAccount: account });
      markPaid(o);
      return done(o);
    }

    if (authCode) {
      // B扫C. @see seeds/004 §4.4.2 条码支付
      if (!types.has('3')) return refuse(8011, '该支付方式不支持条码支付');
      const pattern = wallet === 'other' ? /^\d{10,50}$/ : WALLET_PATTERN[wallet];
      if (!pattern.test(authCode)) return refuse(8011, '条码格式不对');
      const sandbox = SANDBOX_CODE.exec(authCode);
      if (!sandbox && state.authCodes[authCode]) return refuse(8011, '每个二维码仅限使用一次，请刷新再试');
      const n = sandbox ? Number(sandbox[1]) : 1;
      if (n === 5) return { special: 'hang' };
      if (n === 7) return { special: '502' };
      if (n === 3) {
        // The channel declined: the order is kept, closed, so its out_no stays taken.
        open('barcode', 4, { authCode });
        save();
        return refuse(8011, wallet === 'alipay' ? '买家余额不足' : '余额不足');
      }
      const o = open('barcode', 9, { authCode, pollsLeft: n === 6 ? null : passwordPolls });
      if (!sandbox) state.authCodes[authCode] = o.ordNo;
      if (n !== 2 && n !== 6) markPaid(o);
      return done(o, n === 4 ? 'drop' : n === 8 ? 'badsign' : undefined);
    }

    if (!types.has('2')) return refuse(8011, '该支付方式不支持扫码支付');
    if (jumpUrl) {
      // 公众号 / 服务窗 跳转链接支付. @see seeds/004 §4.4.3, §4.4.4 (jump_url)
      if (jumpUrl.length > 200 || !isHttpUrl(jumpUrl)) return refuse(8008);
      const o = open('jump', 2);
      o.jsapiPayUrl = `${publicBase(c, mount, '/payorder')}/jsapi/${o.ordNo}`;
      return done(o);
    }
    if (jsapi) {
      // 原生 JS 支付 / 小程序. @see seeds/004 §4.4.3 (JSAPI, sub_appid, sub_openid), §4.4.4 (buyer_id), §4.4.5
      if (wallet === 'wechat') {
        const subAppId = text(d.sub_appid);
        const subOpenId = text(d.sub_openid);
        if (!subAppId || !subOpenId) return refuse(8011, '支付失败，sub_appid和sub_openid不能为空');
        const prepay = `wx${cst(now()).replace(/[- :]/g, '')}${hexUpper(11).toLowerCase()}`;
        const o = open('wechat-jsapi', 2, {
          tradeNo: prepay,
          tradeResult: phpJson({ return_code: 'SUCCESS', return_msg: 'OK', result_code: 'SUCCESS', prepay_id: prepay, trade_type: 'JSAPI', sub_appid: subAppId }),
        });
        o.wechat = {
          appId: subAppId,
          timeStamp: String(Math.floor(now() / 1000)),
          nonceStr: alnum(32),
          signType: 'MD5',
          package: `prepay_id=${prepay}`,
          paySign: hexUpper(16),
        };
        return done(o);
      }
      if (wallet === 'alipay') {
        if (!text(d.buyer_id)) return refuse(8011, '支付失败，buyer_id不能为空');
        const tradeNo = walletTradeNo('alipay', now());
        const o = open('alipay-jsapi', 2, { tradeNo });
        o.tradeResult = phpJson({ alipay_trade_create_response: { code: '10000', msg: 'Success', out_trade_no: o.ordNo, trade_no: tradeNo } });
        return done(o);
      }
      return refuse(8011, '支付失败，系统未支持原生公众号支付或小程序支付功能');
    }
    // C扫B. @see seeds/004 §4.4.1 扫码支付
    const qr = wallet === 'wechat' ? `weixin://wxpay/bizpayurl?pr=${alnum(7)}` : wallet === 'alipay' ? `https://qr.alipay.com/${alnum(18).toLowerCase()}` : `https://qr.sandbox.invalid/${alnum(16)}`;
    const o = open('qr', 2, { tradeQrcode: qr });
    if (wallet === 'wechat') {
      o.tradeNo = `wx${cst(now()).replace(/[- :]/g, '')}${hexUpper(11).toLowerCase()}`;
      o.tradeResult = phpJson({ return_code: 'SUCCESS', return_msg: 'OK', result_code: 'SUCCESS', prepay_id: o.tradeNo, trade_type: 'NATIVE', code_url: qr });
    } else if (wallet === 'alipay') {
      o.tradeResult = phpJson({ alipay_trade_precreate_response: { code: '10000', msg: 'Success', out_trade_no: o.ordNo, qr_code: qr } });
    }
    return done(o);
  }

  /** Today's takings (China day) of a store on one tag: paid sales minus refunds. */
  function todayTotal(store: SimStore, tag: string): number {
    const today = cst(now()).slice(0, 10);
    let total = 0;
    for (const o of Object.values(state.orders)) {
      if (o.openId !== store.openId || o.pmtTag !== tag || o.status !== 1 || !o.tradePayTime.startsWith(today)) continue;
      total += o.ordType === 1 ? o.tradeAmount : -o.tradeAmount;
    }
    return total;
  }

  /** @see seeds/004 §4.7 订单退款接口 payrefund, §5 (8014–8023, 8040) */
  function payrefund(store: SimStore, d: Record<string, unknown>): Reply {
    const outNo = text(d.out_no);
    const ordNo = text(d.ord_no);
    if (!outNo && !ordNo) return refuse(8014);
    const refundNo = text(d.refund_out_no);
    if (!refundNo || !OUT_NO.test(refundNo)) return refuse(8001, '退款单号不能为空');
    if (d.refund_amount === undefined || d.refund_amount === null || d.refund_amount === '') return refuse(8015);
    const amount = fen(d.refund_amount);
    if (amount === undefined || amount <= 0) return refuse(8006);
    const pass = text(d.shop_pass);
    if (!pass) return refuse(8016);
    if (!sameSign(pass, store.shopPassSha1)) return refuse(8017);
    const f = find(store, { ord_no: ordNo, out_no: outNo });
    if (!f.ok) return f.reply.errcode === 8002 ? refuse(8018) : f.reply;
    const sale = f.order;
    if (state.outNos[outKey(store.openId, refundNo)]) return refuse(8020);
    if (sale.ordType !== 1 || sale.status !== 1) return refuse(8019);
    const refunds = Object.values(state.orders).filter((o) => o.ordType === 2 && o.originalOrdNo === sale.ordNo && o.status === 1);
    const refunded = refunds.reduce((s, o) => s + o.tradeAmount, 0);
    if (amount > sale.tradeAmount - refunded) return refunds.length ? refuse(8021) : refuse(8022);
    if (sale.scene !== 'cash' && sale.scene !== 'diy' && amount > todayTotal(store, sale.pmtTag)) return refuse(8040);
    const ms = now();
    const r = newOrder(store, {
      outNo: refundNo,
      ordType: 2,
      status: 1,
      scene: sale.scene,
      pmtTag: sale.pmtTag,
      pmtName: sale.pmtName,
      diyPmtName: sale.diyPmtName,
      ordName: text(d.refund_ord_name) || sale.ordName,
      remark: text(d.remark),
      tag: '',
      originalAmount: amount,
      discountAmount: 0,
      ignoreAmount: 0,
      tradeAmount: amount,
      // As the seed's list example: a refund carries its sale's trade_no and account.
      tradeNo: sale.tradeNo,
      tradeAccount: sale.tradeAccount,
      tradeQrcode: '',
      tradeResult: sale.tradeNo ? phpJson({ result_code: 'SUCCESS', out_trade_no: sale.ordNo, out_refund_no: refundNo, refund_fee: String(amount) }) : '',
      tradeTime: cst(ms),
      tradePayTime: cst(ms),
      pollsLeft: 0,
      originalOrdNo: sale.ordNo,
    });
    save();
    return { errcode: 0, msg: '订单退款成功', data: refundData(r) };
  }

  // --- callbacks ----------------------------------------------------------------------------------

  function notify(o: SimOrder, status: 1 | 4): void {
    if (!o.notifyUrl || o.ordType !== 1) return;
    stopJob(o.ordNo);
    o.notify = { status, since: now(), attempts: 0, done: false };
    queueAttempt(o.ordNo, 0);
  }

  function stopJob(ordNo: string): void {
    const job = jobs.get(ordNo);
    if (!job) return;
    if (job.timer) clearTimeout(job.timer);
    job.ctrl?.abort();
    jobs.delete(ordNo);
  }

  function queueAttempt(ordNo: string, delayMs: number): void {
    if (closing.signal.aborted) return;
    const job = jobs.get(ordNo) ?? {};
    jobs.set(ordNo, job);
    job.timer = setTimeout(() => {
      job.timer = undefined;
      void attemptNotify(ordNo, job);
    }, delayMs);
    job.timer.unref?.();
  }

  /**
   * One callback: GET notify_url?ord_no&timestamp&rand_str&out_no&status&sign.
   * @see seeds/004 §4.8.1 后台异步通知
   */
  async function attemptNotify(ordNo: string, job: { ctrl?: AbortController }): Promise<void> {
    const o = state.orders[ordNo];
    const n = o?.notify;
    const store = o ? state.stores[o.openId] : undefined;
    if (!o || !n || n.done || !o.notifyUrl || !store || closing.signal.aborted) return;
    n.attempts += 1;
    const fields: Record<string, string> = {
      ord_no: o.ordNo,
      timestamp: String(Math.floor(now() / 1000)),
      rand_str: alnum(32),
      out_no: o.outNo,
      status: String(n.status),
    };
    const url = new URL(o.notifyUrl);
    for (const [k, v] of Object.entries({ ...fields, sign: callbackSign(fields, store.openKey) })) url.searchParams.append(k, v);
    const ctrl = new AbortController();
    job.ctrl = ctrl;
    const onClose = () => ctrl.abort();
    closing.signal.addEventListener('abort', onClose, { once: true });
    const timer = setTimeout(() => ctrl.abort(), notifyTimeoutMs);
    timer.unref?.();
    const started = performance.now();
    const rec: SimNotification = {
      id: state.nextNotificationId++,
      ordNo: o.ordNo,
      outNo: o.outNo,
      status: n.status,
      attempt: n.attempts,
      url: url.toString(),
      at: cst(now()),
      ok: false,
      durationMs: 0,
    };
    try {
      const res = await fetchImpl(url, { method: 'GET', signal: ctrl.signal, redirect: 'manual' });
      rec.httpStatus = res.status;
      const body = await res.text();
      rec.answer = body.length > 200 ? `${body.slice(0, 200)}…` : body;
      rec.ok = res.ok && body.trim() === 'notify_success';
    } catch (e) {
      rec.error = ctrl.signal.aborted ? (closing.signal.aborted ? 'closed' : `timeout after ${notifyTimeoutMs} ms`) : e instanceof Error ? ((e.cause as NodeJS.ErrnoException | undefined)?.code ?? e.message) : String(e);
    } finally {
      clearTimeout(timer);
      closing.signal.removeEventListener('abort', onClose);
      job.ctrl = undefined;
    }
    rec.durationMs = Math.round(performance.now() - started);
    state.notifications.push(rec);
    if (state.notifications.length > 1000) state.notifications.splice(0, state.notifications.length - 1000);
    if (o.notify !== n) return save(); // restarted meanwhile
    if (rec.ok) {
      n.done = true;
      jobs.delete(ordNo);
    } else {
      const delay = n.attempts * notifyBaseMs;
      if (now() + delay - n.since > notifyForMs) {
        n.done = true;
        n.gaveUp = true;
        jobs.delete(ordNo);
      } else queueAttempt(ordNo, delay);
    }
    save();
  }

  // Callbacks still owed when the state was saved are resumed.
  for (const o of Object.values(state.orders)) if (o.notify && !o.notify.done) queueAttempt(o.ordNo, 0);

  // --- routes -------------------------------------------------------------------------------------

  const app = sandboxApp();

  const ops: [string, FaultOp, (store: SimStore, d: Record<string, unknown>, c: Context) => Outcome | Promise<Outcome>][] = [
    ['/paylist', 'paylist', paylist],
    ['/order', 'order', orderList],
    ['/order/view', 'view', view],
    ['/payorder', 'payorder', payorder],
    ['/paystatus', 'paystatus', paystatus],
    ['/paycancel', 'paycancel', paycancel],
    ['/payrefund', 'payrefund', payrefund],
  ];
  for (const [path, op, run] of ops) app.on(['GET', 'POST'], path, (c) => serve(c, op, run));

  /** The stub page behind a jump_url order's jsapi_pay_url. */
  app.get('/jsapi/:ordNo', (c) => {
    const o = state.orders[c.req.param('ordNo')];
    if (!o) return c.text('订单不存在', 404);
    return c.html(
      `<!doctype html><meta charset="utf-8"><title>mct1 沙箱支付</title><p>沙箱订单 ${o.ordNo}：${(o.tradeAmount / 100).toFixed(2)} 元，状态 ${o.status}。</p>` +
        `<p>SANDBOX: POST ${mount.basePath}/_admin/orders/${o.ordNo}/pay completes it.</p>`,
    );
  });

  // --- back office (sandbox only) -----------------------------------------------------------------

  function findAny(key: string): SimOrder | undefined | 'ambiguous' {
    const direct = state.orders[key];
    if (direct) return direct;
    const matches = Object.values(state.stores)
      .map((s) => state.orders[state.outNos[outKey(s.openId, key)] ?? ''])
      .filter((o): o is SimOrder => !!o);
    if (matches.length > 1) return 'ambiguous';
    return matches[0];
  }

  const admin = sandboxAdmin('mct1');
  const storeView = (s: SimStore) => ({ openId: s.openId, openKey: s.openKey, name: s.name, shopNo: s.shopNo, paylist: s.paylist, createdAt: s.createdAt });
  admin.get('/stores', (c) => c.json({ sandbox: true, stores: Object.values(state.stores).map(storeView) }));
  admin.post('/stores', async (c) => {
    let body: { open_id?: unknown; open_key?: unknown; name?: unknown; shop_pass?: unknown; paylist?: unknown };
    try {
      body = await c.req.json();
    } catch {
      body = {};
    }
    const openId = body.open_id === undefined ? alnum(32) : body.open_id;
    const openKey = body.open_key === undefined ? alnum(32) : body.open_key;
    if (typeof openId !== 'string' || !/^[A-Za-z0-9]{8,64}$/.test(openId)) return c.json({ sandbox: true, error: 'open_id: 8–64 letters or digits' }, 400);
    if (typeof openKey !== 'string' || !openKey || openKey.length > 64) return c.json({ sandbox: true, error: 'open_key: 1–64 characters' }, 400);
    if (state.stores[openId]) return c.json({ sandbox: true, error: '门店已存在 / store exists' }, 409);
    const name = typeof body.name === 'string' && body.name.trim() ? body.name.trim() : `沙箱门店${Object.keys(state.stores).length + 1}`;
    const shopPass = typeof body.shop_pass === 'string' && body.shop_pass ? body.shop_pass : '123456';
    let paylist = defaultPaylist();
    if (body.paylist !== undefined) {
      if (!Array.isArray(body.paylist) || body.paylist.some((e) => !e || typeof e.pmt_tag !== 'string' || !/^[A-Za-z0-9_]{1,20}$/.test(e.pmt_tag))) {
        return c.json({ sandbox: true, error: 'paylist: [{pmt_tag, pmt_name?, pmt_type?}]' }, 400);
      }
      paylist = (body.paylist as { pmt_tag: string; pmt_name?: string; pmt_type?: string }[]).map(paylistEntry);
    }
    const store = newStore(openId, openKey, name, shopPass, paylist, String(Object.keys(state.stores).length + 1).padStart(4, '0'));
    state.stores[openId] = store;
    save();
    return c.json({ sandbox: true, store: storeView(store) }, 201);
  });
  admin.get('/orders', (c) => {
    const q = new URL(c.req.url).searchParams;
    const list = Object.values(state.orders)
      .filter((o) => (!q.get('open_id') || o.openId === q.get('open_id')) && (!q.get('out_no') || o.outNo === q.get('out_no')) && (!q.get('status') || String(o.status) === q.get('status')))
      .map((o) => {
        refresh(o);
        return orderView(o);
      });
    return c.json({ sandbox: true, orders: list });
  });
  admin.get('/orders/:key', (c) => {
    const o = findAny(c.req.param('key'));
    if (o === 'ambiguous') return c.json({ sandbox: true, error: '多个门店有此流水号，请用 ord_no / ambiguous: use ord_no' }, 409);
    if (!o) return c.json({ sandbox: true, error: '订单不存在 / no such order' }, 404);
    refresh(o);
    return c.json({ sandbox: true, order: orderView(o) });
  });
  admin.post('/orders/:key/pay', (c) => {
    const o = findAny(c.req.param('key'));
    if (o === 'ambiguous') return c.json({ sandbox: true, error: '多个门店有此流水号，请用 ord_no / ambiguous: use ord_no' }, 409);
    if (!o) return c.json({ sandbox: true, error: '订单不存在 / no such order' }, 404);
    refresh(o);
    if (o.ordType !== 1 || (o.status !== 2 && o.status !== 9)) {
      return c.json({ sandbox: true, error: `订单状态为 ${o.status}，不是待支付 / not waiting for payment` }, 409);
    }
    markPaid(o);
    save();
    return c.json({ sandbox: true, order: orderView(o) });
  });
  admin.post('/orders/:key/notify', (c) => {
    const o = findAny(c.req.param('key'));
    if (o === 'ambiguous') return c.json({ sandbox: true, error: '多个门店有此流水号，请用 ord_no / ambiguous: use ord_no' }, 409);
    if (!o) return c.json({ sandbox: true, error: '订单不存在 / no such order' }, 404);
    if (!o.notifyUrl || (o.status !== 1 && o.status !== 4)) {
      return c.json({ sandbox: true, error: '订单没有回调地址，或尚未支付/取消 / no notify_url, or not paid/cancelled' }, 409);
    }
    notify(o, o.status);
    save();
    return c.json({ sandbox: true, order: orderView(o) }, 202);
  });
  admin.get('/notifications', (c) => {
    const ordNo = new URL(c.req.url).searchParams.get('ord_no');
    return c.json({ sandbox: true, notifications: state.notifications.filter((n) => !ordNo || n.ordNo === ordNo) });
  });
  admin.get('/discrepancies', (c) => c.json({ sandbox: true, discrepancies: discrepancyView() }));
  admin.delete('/discrepancies', (c) => {
    delete state.books;
    save();
    return c.json({ sandbox: true, discrepancies: discrepancyView() });
  });
  admin.post('/discrepancies', async (c) => {
    const shape = { keyField: 'outNo' };
    const body = await readJsonObject(c, discrepancyUsage(shape));
    if (!body.ok) return body.response;
    const req = parseDiscrepancies(body.body, shape);
    if (!req.ok) return c.json({ sandbox: true, error: req.error }, 400);
    const plan = planDiscrepancies(req.value);
    if (!plan.ok) return c.json({ sandbox: true, error: plan.error }, plan.status);
    plan.apply();
    save();
    return c.json({ sandbox: true, discrepancies: discrepancyView() }, 201);
  });
  addFaultRoutes(admin, faults, {
    ops: FAULT_OPS,
    kinds: FAULT_KINDS,
    unreadableBody: 'refuse',
    coded: { kind: 'errcode', codeField: 'errcode', textField: 'msg', zeroAllowed: true, usage: 'errcode (integer) with fault errcode' },
  });
  app.route('/_admin', admin);

  /** Stops callback timers and in-flight callbacks, and ends hanging requests. Idempotent. */
  function close(): void {
    if (closing.signal.aborted) return;
    closing.abort();
    for (const ordNo of [...jobs.keys()]) stopJob(ordNo);
  }

  return {
    app,
    state,
    close,
    stop: close,
    /** The sandbox store's credentials (also exported as SANDBOX_STORE). */
    sandboxStore: SANDBOX_STORE,
  };
}

export type Mct1Simulator = ReturnType<typeof createMct1Simulator>;
