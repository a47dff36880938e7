/**
 * kioskv5 sandbox: a Hono app that plays the all-in-one kiosk backend of seeds/000, with its own
 * state. Mounted by the proxy at /sandbox/kioskv5; works standalone too. It does NOT use the
 * client's codec (its answers are built in simulator-answers.ts). SANDBOX ONLY: no real money.
 *
 * It serves, relative to its mount (POST with a JSON, form or multipart body; GET/query too — the
 * body wins over the query string):
 *   /v5/order/create_pay_record            {ptype, sid, oid, price, user_fee, desc} → pay record
 *   /v5/order/terminal_create_pay_record   the same, a QR record: PayOrderId = the QR content
 *   /v5/order/pay_pay_record               {sid, pr_id, auth_code} → pay record
 *   /v5/order/get_pay_record               {pr_id, sip | sid} → pay record
 *   /v5/passcard/get_my_pass_card_list     {sid, status?} → [pass card] (Go's null when none)
 *   /_admin/...                            sandbox back office (JSON), see below
 *
 * ── The sandbox shop ──────────────────────────────────────────────────────────────────────────────
 * SANDBOX_SHOP: sid 10001, `Authorization: Bearer kioskv5-sandbox-token-10001`, withdraw fee ratio
 * 0.0038, no user fee, no activity, answers in an envelope. POST /_admin/shops adds shops with any
 * auth scheme (bearer, header, param, none), fee ratios and answer style ('envelope' | 'bare').
 * Wrong or missing auth, or an unknown sid → HTTP 401 {"code":40100,"msg":"鉴权失败…","data":null}.
 *
 * ── Answers ───────────────────────────────────────────────────────────────────────────────────────
 * envelope: {"code":0,"msg":"ok","data":<record | list>}; a refusal {"code":N,"msg":"…","data":null},
 *   HTTP 200 (401 for auth).
 * bare: the record or list alone; a refusal is the same envelope with HTTP 400 (404 for 40401, 401
 *   for auth).
 * The record is the seed's Go struct as encoding/json prints it (simulator-answers.ts `recordJson`):
 * a pending record has no Status, PayTime or (barcode) PayOrderId key at all.
 * Codes (ours; the seed has none): 40001 参数错误 · 40100 鉴权失败 · 40401 支付单不存在 ·
 *   40901 订单已存在（支付类型或金额不同） · 40902 支付单已取消 · 42201 付款码格式不对 ·
 *   42202 付款码与支付类型不符 · 50001 支付失败：余额不足 · 50002 付款码已使用.
 *
 * ── Records ───────────────────────────────────────────────────────────────────────────────────────
 * Create is idempotent on (sid, oid): the same oid with the same ptype and price answers the SAME
 * record (whichever create made it; desc and user_fee are not compared); another ptype or price →
 * 40901. Fees are computed at creation (simulator-answers.ts `feesOf`, exact integer arithmetic,
 * round half up): WithdrawFee = round(PayPrice × 0.0038), RealPrice = PayPrice − WithdrawFee, …
 * PayOrderId: the QR content while a QR record waits (weixin://wxpay/bizpayurl?pr=… for 312,
 * https://qr.alipay.com/… for 210); the wallet's transaction number once paid. An unpaid record closes
 * itself (Status 2) after `recordExpireMs` (default 2 h). pay_pay_record on a paid record answers it
 * unchanged (never a second charge); on a record whose payment is in progress, likewise; on a
 * cancelled one, 40902. A PASS CARD (出门单) is issued when a record becomes paid, one per order
 * (sid, OrderId): Status 0 未使用, then 1 已使用 / 2 已作废 in the back office.
 *
 * ── Sandbox payment codes (pay_pay_record) ──────────────────────────────────────────────────────────
 * 18 digits: "13" (微信, ptype 312) or "28" (支付宝, 210), 15 zeros, then N:
 *   N  微信                  支付宝                 behaviour
 *   1  130000000000000001    280000000000000001    paid at once (Status 1)
 *   2  130000000000000002    280000000000000002    pending (Status 0), paid on the `passwordPolls`-th
 *                                                  get_pay_record (default 2)
 *   3  130000000000000003    280000000000000003    declined: the record becomes Status 2, the answer
 *                                                  is the refusal 50001 "支付失败：余额不足"
 *                                                  (支付宝: "支付失败：买家余额不足")
 *   4  130000000000000004    280000000000000004    charged (Status 1), then the connection is destroyed
 *   5  130000000000000005    280000000000000005    hangs `hangMs` (default 120000), not executed: the
 *                                                  record stays 0 until it expires
 *   6  130000000000000006    280000000000000006    pending until POST /_admin/records/:id/pay
 *   7  130000000000000007    280000000000000007    HTTP 502 (nginx HTML), not executed
 * Any other code of the wallet's shape (微信 ^1[0-5]\d{16}$, 支付宝 ^(2[5-9]|30)\d{14,22}$) pays at
 * once, and only once (50002 on another record, which is then closed: Status 2). A code of the other wallet → 42202; no code or
 * another shape → 40001 / 42201. The code's parameter name is `authCodeParam` (default auth_code).
 *
 * ── Back office (sandbox only, JSON) ────────────────────────────────────────────────────────────────
 *   GET  /_admin/shops · POST /_admin/shops {shopId?, name?, auth?, answers?, withdrawFeeRatio?,
 *        userFeeRatio?, actFeeRatio?} (ratios as decimal strings, e.g. "0.006")
 *   GET  /_admin/records[?sid=&oid=&status=] · GET /_admin/records/:id
 *   POST /_admin/records/:id/pay {bankType?, paidType?}   the customer pays a pending record
 *   POST /_admin/records/:id/cancel                       a pending record is cancelled (Status 2)
 *   GET  /_admin/pass-cards[?sid=&status=] · POST /_admin/pass-cards/:id/use · POST …/:id/void
 *   POST /_admin/faults {op, fault, count?, code?, msg?} · GET /_admin/faults · DELETE /_admin/faults
 *        op: create|terminal_create|pay|get|passcards|any
 *        fault: hang (held `hangMs`, not executed) · 5xx (503 HTML, not executed) · garbage (200, a Go
 *        panic trace, not executed) · code (a refusal with that code and msg, not executed) · drop
 *        (EXECUTED, then the connection is destroyed) · badjson (EXECUTED, the answer cut in half)
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import type { HttpAuth } from '../http-auth.ts';
import { FaultQueue, SANDBOX_WALLET_CODES, addFaultRoutes, connectionFaults, cutInHalf, digits, gatewayPage, sandboxAdmin, sandboxApp, stateFile } from '../sandbox-kit/index.ts';
import {
  GO_GARBAGE,
  cardJson,
  cst,
  feesOf,
  goJson,
  isRatio,
  qrContent,
  recordAdminView,
  recordJson,
  walletTradeNo,
  type SimPassCard,
  type SimPayRecord,
  type SimPtype,
  type SimShop,
  type SimState,
} from './simulator-answers.ts';

export type { SimPassCard, SimPayRecord, SimShop, SimState } from './simulator-answers.ts';
export { feeFen, feesOf } from './simulator-answers.ts';

/** The sandbox shop: fixed, documented credentials (sandbox only). */
export const SANDBOX_SHOP: { readonly shopId: number; readonly auth: HttpAuth } = Object.freeze({
  shopId: 10001,
  auth: Object.freeze({ type: 'bearer', token: 'kioskv5-sandbox-token-10001' }) as HttpAuth,
});

/** The sandbox payment codes (see the table at the top of this file). */
export const KIOSKV5_SANDBOX_CODES = SANDBOX_WALLET_CODES;

export interface KioskV5ShopInput {
  shopId?: number;
  name?: string;
  auth?: HttpAuth;
  answers?: 'envelope' | 'bare';
  withdrawFeeRatio?: string;
  userFeeRatio?: string;
  actFeeRatio?: string;
}

export interface KioskV5SimulatorOptions {
  /** JSON file the state is loaded from and written to after every change. */
  stateFile?: string;
  /** get_pay_record calls before a pending (N=2) payment is paid. Default 2. */
  passwordPolls?: number;
  /** How long a hanging request is held. Default 120000. */
  hangMs?: number;
  /** An unpaid record closes itself (Status 2) after this. Default 2 h. */
  recordExpireMs?: number;
  /** Answer style of the sandbox shop. Default 'envelope'. */
  answers?: 'envelope' | 'bare';
  /** Name of pay_pay_record's payment code parameter. Default 'auth_code'. */
  authCodeParam?: string;
  /** More shops at start (kept if the state file has them already). */
  shops?: KioskV5ShopInput[];
  /** The backend's clock, epoch ms. Default Date.now. */
  now?: () => number;
}

export type FaultOp = 'create' | 'terminal_create' | 'pay' | 'get' | 'passcards' | 'any';
export type FaultKind = 'hang' | '5xx' | 'garbage' | 'code' | 'drop' | 'badjson';
const FAULT_OPS: FaultOp[] = ['create', 'terminal_create', 'pay', 'get', 'passcards', 'any'];
const FAULT_KINDS: FaultKind[] = ['hang', '5xx', 'garbage', 'code', 'drop', 'badjson'];

/** What a `code` fault answers. */
interface CodeFault {
  code: number;
  msg: string;
}

/** An answer before encoding. */
interface Reply {
  code: number;
  msg: string;
  data?: unknown;
  /** Sandbox behaviour after the change is recorded. */
  then?: 'drop';
}
type Special = { special: 'hang' | '502' };
type Outcome = Reply | Special;

const MSG: Record<number, string> = {
  40001: '参数错误',
  40100: '鉴权失败：店铺或凭证不正确',
  40401: '支付单不存在',
  40901: '订单已存在，支付类型或金额不同',
  40902: '支付单已取消',
  42201: '付款码格式不对',
  42202: '付款码与支付类型不符',
  50001: '支付失败：余额不足',
  50002: '付款码已使用，请刷新付款码',
};

function refuse(code: number, msg = MSG[code] ?? 'error'): Reply {
  return { code, msg };
}

/** 13 (微信) or 28 (支付宝), 15 zeros, the behaviour digit 1–7. */
const SANDBOX_CODE = /^(?:13|28)0{15}([1-7])$/;
const WALLET: [RegExp, SimPtype][] = [
  [/^1[0-5]\d{16}$/, 312],
  [/^(2[5-9]|30)\d{14,22}$/, 210],
];

/** An integer parameter: a JSON integer or a string of digits; undefined otherwise. */
function int(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : undefined;
  if (typeof v === 'string' && /^-?\d{1,16}$/.test(v.trim())) {
    const n = Number(v.trim());
    return Number.isSafeInteger(n) ? n : undefined;
  }
  return undefined;
}

function text(v: unknown): string {
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return '';
}

/** Constant-time equality of two secrets of any length. */
function sameSecret(a: string | undefined, b: string): boolean {
  if (typeof a !== 'string') return false;
  const h = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(h(a), h(b)) && a.length === b.length;
}

function validAuth(a: unknown): a is HttpAuth {
  if (!a || typeof a !== 'object') return false;
  const x = a as Record<string, unknown>;
  const str = (v: unknown) => typeof v === 'string' && v.length > 0 && v.length <= 256;
  switch (x.type) {
    case 'none':
      return true;
    case 'bearer':
      return str(x.token);
    case 'header':
      return str(x.name) && /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(x.name as string) && str(x.value);
    case 'param':
      return str(x.name) && str(x.value);
    default:
      return false;
  }
}

/**
 * Creates the kioskv5 sandbox.
 * @see seeds/000 (the whole document; what it leaves open is chosen as in client.ts's header)
 */
export function createKioskV5Simulator(opts: KioskV5SimulatorOptions = {}) {
  const passwordPolls = Math.max(1, opts.passwordPolls ?? 2);
  const hangMs = opts.hangMs ?? 120_000;
  const recordExpireMs = opts.recordExpireMs ?? 2 * 3600_000;
  const authCodeParam = opts.authCodeParam ?? 'auth_code';
  const now = opts.now ?? Date.now;
  const file = stateFile<SimState>('kioskv5', opts.stateFile);
  const state: SimState = file.load() ?? { version: 1, nextRecordId: 880001, nextCardId: 1, shops: {}, records: {}, byOrder: {}, authCodes: {}, cards: {} };
  const faults = new FaultQueue<FaultOp, FaultKind, CodeFault>();
  const closing = new AbortController();
  const { hang, drop } = connectionFaults({ hangMs, closing: closing.signal });

  function newShop(input: KioskV5ShopInput, fallbackId: number): SimShop | string {
    const shopId = input.shopId ?? fallbackId;
    if (!Number.isSafeInteger(shopId) || shopId <= 0) return 'shopId: a positive integer';
    if (input.auth !== undefined && !validAuth(input.auth)) return 'auth: {type: none|bearer|header|param, …}';
    if (input.answers !== undefined && input.answers !== 'envelope' && input.answers !== 'bare') return "answers: 'envelope' | 'bare'";
    for (const k of ['withdrawFeeRatio', 'userFeeRatio', 'actFeeRatio'] as const) {
      if (input[k] !== undefined && !isRatio(input[k])) return `${k}: a decimal string such as "0.0038"`;
    }
    return {
      shopId,
      name: typeof input.name === 'string' && input.name.trim() ? input.name.trim() : `沙箱店铺${shopId}`,
      auth: input.auth ?? { type: 'none' },
      answers: input.answers ?? 'envelope',
      accountId: 20000 + (shopId % 10000),
      withdrawFeeRatio: input.withdrawFeeRatio ?? '0.0038',
      userFeeRatio: input.userFeeRatio ?? '0',
      actFeeRatio: input.actFeeRatio ?? '0',
      createdAt: cst(now()),
    };
  }

  const initial: KioskV5ShopInput[] = [{ shopId: SANDBOX_SHOP.shopId, name: '一体机沙箱店', auth: SANDBOX_SHOP.auth, answers: opts.answers ?? 'envelope' }, ...(opts.shops ?? [])];
  for (const input of initial) {
    if (input.shopId !== undefined && state.shops[input.shopId]) continue;
    const shop = newShop(input, nextShopId());
    if (typeof shop === 'string') throw new TypeError(`kioskv5 sandbox: ${shop}`);
    state.shops[shop.shopId] = shop;
  }

  function nextShopId(): number {
    return Math.max(SANDBOX_SHOP.shopId, ...Object.keys(state.shops).map(Number)) + 1;
  }

  function save(): void {
    file.save(state);
  }

  /** Envelope or bare, per shop; refusals are envelopes in both styles. */
  function answer(answers: SimShop['answers'], reply: Reply, cut = false): Response {
    let status = 200;
    let body: string;
    if (reply.code === 0) {
      body = answers === 'bare' ? goJson(reply.data ?? null) : goJson({ code: 0, msg: reply.msg, data: reply.data ?? null });
    } else {
      body = goJson({ code: reply.code, msg: reply.msg, data: null });
      if (reply.code === 40100) status = 401;
      else if (answers === 'bare') status = reply.code === 40401 ? 404 : 400;
    }
    if (cut) body = cutInHalf(body);
    return new Response(body, { status, headers: { 'content-type': 'application/json; charset=utf-8' } });
  }

  /** Query string merged with the body (JSON object, form or multipart); the body wins. */
  async function params(c: Context): Promise<Record<string, unknown> | undefined> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of new URL(c.req.url).searchParams) out[k] = v;
    if (c.req.method !== 'POST') return out;
    const type = c.req.header('content-type') ?? '';
    if (type.includes('application/json')) {
      const raw = await c.req.text();
      if (!raw.trim()) return out;
      try {
        const body = JSON.parse(raw) as unknown;
        if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
        Object.assign(out, body);
      } catch {
        return undefined;
      }
    } else if (type.includes('multipart/form-data')) {
      for (const [k, v] of Object.entries(await c.req.parseBody())) if (typeof v === 'string') out[k] = v;
    } else {
      for (const [k, v] of new URLSearchParams(await c.req.text())) out[k] = v;
    }
    return out;
  }

  /** The shop's auth scheme, checked in constant time. */
  function authorized(shop: SimShop, c: Context, p: Record<string, unknown>): boolean {
    const a = shop.auth;
    switch (a.type) {
      case 'none':
        return true;
      case 'bearer': {
        const h = c.req.header('authorization') ?? '';
        const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
        return sameSecret(m?.[1], a.token);
      }
      case 'header':
        return sameSecret(c.req.header(a.name), a.value);
      case 'param': {
        const v = p[a.name];
        return sameSecret(typeof v === 'string' ? v : undefined, a.value);
      }
    }
  }

  /** Faults, parameters, shop + auth, the operation, then the answer (with its sandbox behaviour). */
  async function serve(c: Context, op: Exclude<FaultOp, 'any'>, run: (shop: SimShop, p: Record<string, unknown>) => Outcome): Promise<Response> {
    const fault = faults.take(op);
    if (fault?.fault === 'hang') return hang(c);
    if (fault?.fault === '5xx') return gatewayPage(c, 503);
    if (fault?.fault === 'garbage') return c.body(GO_GARBAGE, 200, { 'content-type': 'text/plain; charset=utf-8' });
    const p = await params(c);
    const fallback = state.shops[SANDBOX_SHOP.shopId]?.answers ?? 'envelope';
    if (!p) return answer(fallback, refuse(40001, '参数错误：请求体不是 JSON 对象'));
    // get_pay_record names the shop `sip` in the seed (a typo of sid, we think): either is taken.
    const sid = int(p.sid);
    const sip = int(p.sip);
    if (sid !== undefined && sip !== undefined && sid !== sip) return answer(fallback, refuse(40001, '参数错误：sid 与 sip 不一致'));
    const shop = state.shops[String(sid ?? sip ?? '')];
    if (!shop || !authorized(shop, c, p)) return answer(fallback, refuse(40100));
    if (fault?.fault === 'code') return answer(shop.answers, refuse(fault.code ?? 50001, fault.msg));
    const outcome = run(shop, p);
    if ('special' in outcome) {
      if (outcome.special === 'hang') return hang(c);
      return gatewayPage(c, 502);
    }
    if (fault?.fault === 'drop' || outcome.then === 'drop') return drop(c);
    return answer(shop.answers, outcome, fault?.fault === 'badjson');
  }

  // --- records ----------------------------------------------------------------------------------

  const orderKey = (shopId: number, orderId: number) => `${shopId} ${orderId}`;
  const ok = (data: unknown): Reply => ({ code: 0, msg: 'ok', data });

  /** An unpaid record past its lifetime closes itself (checked whenever it is looked at). */
  function refresh(r: SimPayRecord): void {
    if (r.status === 0 && now() - r.createMs > recordExpireMs) {
      r.status = 2;
      r.pollsLeft = undefined;
      r.failReason = r.failReason ?? '超时未支付';
      save();
    }
  }

  /** Paid: wallet transaction number, pay time, and the order's pass card (one per order). */
  function markPaid(r: SimPayRecord, extra: { bankType?: string; paidType?: number } = {}): void {
    const ms = now();
    r.status = 1;
    r.pollsLeft = undefined;
    r.payTime = cst(ms);
    r.payOrderId = walletTradeNo(r.ptype, ms);
    r.userId = 900000 + (r.id % 100000);
    r.bankType = extra.bankType ?? (r.ptype === 312 ? '储蓄卡' : '');
    r.paidType = extra.paidType ?? 0;
    const issued = Object.values(state.cards).some((c) => c.shopId === r.shopId && c.orderId === r.orderId);
    if (!issued) {
      const card: SimPassCard = {
        id: state.nextCardId++,
        shopId: r.shopId,
        orderId: r.orderId,
        payRecordId: r.id,
        userId: r.userId,
        code: `PC${digits(10)}`,
        status: 0,
        createTime: r.payTime,
        useTime: '',
        desc: '出门单',
      };
      state.cards[card.id] = card;
    }
  }

  function findRecord(shop: SimShop, p: Record<string, unknown>): { ok: true; record: SimPayRecord } | { ok: false; reply: Reply } {
    const prId = int(p.pr_id);
    if (prId === undefined || prId <= 0) return { ok: false, reply: refuse(40001, '参数错误：pr_id 须为正整数') };
    const r = state.records[prId];
    if (!r || r.shopId !== shop.shopId) return { ok: false, reply: refuse(40401) };
    refresh(r);
    return { ok: true, record: r };
  }

  /**
   * create_pay_record / terminal_create_pay_record, idempotent on (sid, oid).
   * @see seeds/000 §支付接口 1. create_pay_record, 2. terminal_create_pay_record
   */
  function create(kind: SimPayRecord['kind'], shop: SimShop, p: Record<string, unknown>): Reply {
    const ptype = int(p.ptype);
    if (ptype !== 312 && ptype !== 210) return refuse(40001, '参数错误：不支持的支付类型 ptype');
    const oid = int(p.oid);
    if (oid === undefined || oid <= 0) return refuse(40001, '参数错误：oid 须为正整数');
    const price = int(p.price);
    if (price === undefined || price <= 0) return refuse(40001, '参数错误：price 须为正整数（分）');
    const userFee = p.user_fee === undefined || p.user_fee === '' ? 0 : int(p.user_fee);
    if (userFee === undefined || userFee < 0) return refuse(40001, '参数错误：user_fee 须为非负整数（分）');
    const desc = text(p.desc);
    if ([...desc].length > 255) return refuse(40001, '参数错误：desc 过长');
    const existing = state.records[state.byOrder[orderKey(shop.shopId, oid)] ?? ''];
    if (existing) {
      refresh(existing);
      if (existing.ptype !== ptype || existing.price !== price) return refuse(40901);
      return ok(recordJson(existing));
    }
    const ms = now();
    const r: SimPayRecord = {
      id: state.nextRecordId++,
      shopId: shop.shopId,
      orderId: oid,
      ptype,
      kind,
      status: 0,
      price,
      userFee,
      userId: 0,
      accountId: shop.accountId,
      payOrderId: kind === 'qr' ? qrContent(ptype) : '',
      createTime: cst(ms),
      createMs: ms,
      payTime: '',
      ...feesOf(price, userFee, shop),
      paidType: 0,
      bankType: '',
      desc,
    };
    state.records[r.id] = r;
    state.byOrder[orderKey(shop.shopId, oid)] = r.id;
    save();
    return ok(recordJson(r));
  }

  /**
   * pay_pay_record: the kiosk scanned the customer's code.
   * @see seeds/000 §支付接口 3. pay_pay_record (一体机扫码支付)
   */
  function payRecord(shop: SimShop, p: Record<string, unknown>): Outcome {
    const f = findRecord(shop, p);
    if (!f.ok) return f.reply;
    const r = f.record;
    // Never a second charge: a paid record, or one whose payment is under way, is answered as it is.
    if (r.status === 1 || (r.status === 0 && r.pollsLeft !== undefined)) return ok(recordJson(r));
    if (r.status === 2) return refuse(40902);
    const code = text(p[authCodeParam]);
    if (!code) return refuse(40001, '参数错误：付款码不能为空');
    const wallet = WALLET.find(([re]) => re.test(code))?.[1];
    if (!wallet) return refuse(42201);
    if (wallet !== r.ptype) return refuse(42202);
    const sandbox = SANDBOX_CODE.exec(code);
    if (!sandbox && state.authCodes[code] !== undefined && state.authCodes[code] !== r.id) {
      // The wallet refused the code: this record's payment failed.
      r.status = 2;
      r.failReason = MSG[50002];
      save();
      return refuse(50002);
    }
    const n = sandbox ? Number(sandbox[1]) : 1;
    if (n === 5) return { special: 'hang' };
    if (n === 7) return { special: '502' };
    r.authCode = code;
    if (!sandbox) state.authCodes[code] = r.id;
    if (n === 3) {
      const msg = r.ptype === 210 ? '支付失败：买家余额不足' : MSG[50001];
      r.status = 2;
      r.failReason = msg;
      save();
      return refuse(50001, msg);
    }
    if (n === 2) r.pollsLeft = passwordPolls;
    else if (n === 6) r.pollsLeft = null;
    else markPaid(r);
    save();
    return { ...ok(recordJson(r)), then: n === 4 ? 'drop' : undefined };
  }

  /** @see seeds/000 §支付接口 4. get_pay_record (pr_id, sip) — 支付单详情（持续） */
  function getRecord(shop: SimShop, p: Record<string, unknown>): Reply {
    const f = findRecord(shop, p);
    if (!f.ok) return f.reply;
    const r = f.record;
    if (r.status === 0 && typeof r.pollsLeft === 'number') {
      r.pollsLeft -= 1;
      if (r.pollsLeft <= 0) markPaid(r);
      save();
    }
    return ok(recordJson(r));
  }

  /** @see seeds/000 §出门单接口 1. /v5/passcard/get_my_pass_card_list (sid, status) */
  function passCards(shop: SimShop, p: Record<string, unknown>): Reply {
    let status: number | undefined;
    if (p.status !== undefined && p.status !== '') {
      status = int(p.status);
      if (status === undefined || status < 0) return refuse(40001, '参数错误：status 须为非负整数');
    }
    const list = Object.values(state.cards)
      .filter((c) => c.shopId === shop.shopId && (status === undefined || c.status === status))
      .sort((a, b) => a.id - b.id)
      .map(cardJson);
    // Go encodes a nil slice as null.
    return ok(list.length ? list : null);
  }

  // --- routes -------------------------------------------------------------------------------------

  const app = sandboxApp();
  const routes: [string, Exclude<FaultOp, 'any'>, (shop: SimShop, p: Record<string, unknown>) => Outcome][] = [
    ['/v5/order/create_pay_record', 'create', (s, p) => create('barcode', s, p)],
    ['/v5/order/terminal_create_pay_record', 'terminal_create', (s, p) => create('qr', s, p)],
    ['/v5/order/pay_pay_record', 'pay', payRecord],
    ['/v5/order/get_pay_record', 'get', getRecord],
    ['/v5/passcard/get_my_pass_card_list', 'passcards', passCards],
  ];
  for (const [path, op, run] of routes) app.on(['GET', 'POST'], path, (c) => serve(c, op, run));

  // --- back office (sandbox only) -----------------------------------------------------------------

  const admin = sandboxAdmin('kioskv5');
  const json = async (c: Context): Promise<Record<string, unknown>> => {
    try {
      const body = (await c.req.json()) as unknown;
      return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  };
  const q = (c: Context) => new URL(c.req.url).searchParams;
  const shopView = (s: SimShop) => ({ ...s });

  admin.get('/shops', (c) => c.json({ sandbox: true, shops: Object.values(state.shops).map(shopView) }));
  admin.post('/shops', async (c) => {
    const body = await json(c);
    const shop = newShop(body as KioskV5ShopInput, nextShopId());
    if (typeof shop === 'string') return c.json({ sandbox: true, error: shop }, 400);
    if (state.shops[shop.shopId]) return c.json({ sandbox: true, error: '店铺已存在 / shop exists' }, 409);
    state.shops[shop.shopId] = shop;
    save();
    return c.json({ sandbox: true, shop: shopView(shop) }, 201);
  });

  admin.get('/records', (c) => {
    const s = q(c);
    const list = Object.values(state.records)
      .filter((r) => {
        refresh(r);
        return (!s.get('sid') || String(r.shopId) === s.get('sid')) && (!s.get('oid') || String(r.orderId) === s.get('oid')) && (!s.get('status') || String(r.status) === s.get('status'));
      })
      .map(recordAdminView);
    return c.json({ sandbox: true, records: list });
  });
  const recordOf = (c: Context) => {
    const r = state.records[c.req.param('id') ?? ''];
    if (r) refresh(r);
    return r;
  };
  admin.get('/records/:id', (c) => {
    const r = recordOf(c);
    return r ? c.json({ sandbox: true, ...recordAdminView(r) }) : c.json({ sandbox: true, error: '支付单不存在 / no such record' }, 404);
  });
  admin.post('/records/:id/pay', async (c) => {
    const r = recordOf(c);
    if (!r) return c.json({ sandbox: true, error: '支付单不存在 / no such record' }, 404);
    if (r.status !== 0) return c.json({ sandbox: true, error: `支付单状态为 ${r.status}，不是待支付 / not pending` }, 409);
    const body = await json(c);
    const extra: { bankType?: string; paidType?: number } = {};
    if (typeof body.bankType === 'string') extra.bankType = body.bankType;
    if (Number.isSafeInteger(body.paidType)) extra.paidType = body.paidType as number;
    markPaid(r, extra);
    save();
    return c.json({ sandbox: true, ...recordAdminView(r) });
  });
  admin.post('/records/:id/cancel', (c) => {
    const r = recordOf(c);
    if (!r) return c.json({ sandbox: true, error: '支付单不存在 / no such record' }, 404);
    if (r.status !== 0) return c.json({ sandbox: true, error: `支付单状态为 ${r.status}，不是待支付 / not pending` }, 409);
    r.status = 2;
    r.pollsLeft = undefined;
    r.failReason = '后台取消';
    save();
    return c.json({ sandbox: true, ...recordAdminView(r) });
  });

  admin.get('/pass-cards', (c) => {
    const s = q(c);
    const list = Object.values(state.cards)
      .filter((x) => (!s.get('sid') || String(x.shopId) === s.get('sid')) && (!s.get('status') || String(x.status) === s.get('status')))
      .map((x) => ({ ...x }));
    return c.json({ sandbox: true, cards: list });
  });
  for (const [action, status] of [['use', 1], ['void', 2]] as const) {
    admin.post(`/pass-cards/:id/${action}`, (c) => {
      const card = state.cards[c.req.param('id') ?? ''];
      if (!card) return c.json({ sandbox: true, error: '出门单不存在 / no such pass card' }, 404);
      if (card.status !== 0) return c.json({ sandbox: true, error: `出门单状态为 ${card.status}，不是未使用 / not unused` }, 409);
      card.status = status;
      if (status === 1) card.useTime = cst(now());
      save();
      return c.json({ sandbox: true, card: { ...card } });
    });
  }

  addFaultRoutes(admin, faults, {
    ops: FAULT_OPS,
    kinds: FAULT_KINDS,
    unreadableBody: 'as-empty',
    coded: { kind: 'code', codeField: 'code', textField: 'msg', zeroAllowed: false, usage: 'a non-zero integer code with fault code' },
  });
  app.route('/_admin', admin);

  /** Ends hanging requests. Idempotent. */
  function stop(): void {
    if (!closing.signal.aborted) closing.abort();
  }

  return {
    app,
    state,
    stop,
    close: stop,
    /** The sandbox shop's credentials (also exported as SANDBOX_SHOP). */
    sandboxShop: SANDBOX_SHOP,
  };
}

export type KioskV5Simulator = ReturnType<typeof createKioskV5Simulator>;
