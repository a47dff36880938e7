/**
 * posmini sandbox: a Hono app that plays the POS mini-program backend of seeds/003 — sales bills,
 * the WeChat barcode payment applied to them, and the two APIs we assume (query, bill read) — with
 * its own state. Mounted by the proxy at /sandbox/posmini; works standalone too. SANDBOX ONLY: no
 * real money.
 *
 * It serves, relative to its mount (POST, JSON or XML as the seed prints them; the answer in the
 * format asked for by Accept, else the request's Content-Type):
 *   /api/Pos/MiniProgram/Busi/Sell/Pay/WithWechat/Barcode   the seed's API
 *   /api/Pos/MiniProgram/Busi/Sell/Pay/Query                ASSUMED query (see client.ts, item 5)
 *   /api/Pos/MiniProgram/Busi/Sell/Bill/Get                 ASSUMED bill read (client.ts, item 6)
 *   /_admin/...                                             sandbox back office (JSON), see below
 *
 * ── The sandbox session ──────────────────────────────────────────────────────────────────────────
 * SANDBOX_SESSION: auth `Authorization: Bearer posmini-sandbox-session-7Q2xK9` (anything else: HTTP
 * 401, as ASP.NET's [Authorize] answers), login password `pm-sandbox-8866`: the payment code must be
 * Triple-DES encrypted under UPPER(MD5(it)) with the `des` variant (default: the client's default,
 * hex24 + utf8 + ecb + base64). A code that does not decrypt: errcode -1 "付款码解密失败…".
 *
 * ── Sales bills ──────────────────────────────────────────────────────────────────────────────────
 * SANDBOX_BILLS at start (once per state file): SB-1001 100.00 · SB-1002 35.50 · SB-1003 0.29 ·
 * SB-1004 1234.56 · SB-1005 4.35. POST /_admin/bills {billnum?, totalFen} opens more.
 * billpaystate: "1" nothing paid · "2" partly paid · "3" fully paid (the seed defines only "3").
 * A payment is applied to its bill when paid. Refused with errcode -1 (nothing recorded): an unknown
 * bill (售货单不存在), a fully paid bill (售货单已完成收款), an amount over what is still open —
 * the balance less payments still in progress — (支付金额超过未付金额…), an amount that is not
 * whole fen or ≤ 0 (支付金额错误), a decrypted code that is not a WeChat payment code.
 * A request that breaks the seed's model (billnum missing or over 20, wechatbarcode missing or over
 * 256, paymentvalue missing or not a number, XML root/namespace wrong) is HTTP 400, as ASP.NET does.
 *
 * ── Sandbox payment codes ────────────────────────────────────────────────────────────────────────
 * 18 digits: "13", 15 zeros, then N (the same codes as the other sandboxes' 微信 codes):
 *   1  130000000000000001  paid at once (errcode 0)
 *   2  130000000000000002  errcode 1 (unknown); paid on the `passwordPolls`-th query (default 2)
 *   3  130000000000000003  declined: errcode -1 "支付失败：用户余额不足" (recorded, failed)
 *   4  130000000000000004  charged and applied, then the connection is destroyed; query: paid
 *   5  130000000000000005  hangs `hangMs` (default 120000), never charged; query: 付款记录不存在
 *   6  130000000000000006  errcode 1, paying until POST /_admin/payments/:autoid/pay (or /fail)
 *   7  130000000000000007  HTTP 502 (nginx HTML), not charged
 * Any other code matching ^1[0-5]\d{16}$ pays at once.
 *
 * Idempotency. The same (billnum, payment code) again never charges twice: with the same amount it
 * answers the existing payment (its current state, not counted as a query); with another amount,
 * errcode -1 (付款码已用于本单的另一笔付款). A real-looking code is single-use across bills
 * (付款码已使用); the sandbox codes above may be used on any number of bills.
 *
 * ── Back office (sandbox only, JSON) ─────────────────────────────────────────────────────────────
 *   GET  /_admin/bills · GET /_admin/bills/:billnum · POST /_admin/bills {billnum?, totalFen}
 *   GET  /_admin/payments · GET /_admin/payments/:autoid
 *   POST /_admin/payments/:autoid/pay    the customer completes a paying payment
 *   POST /_admin/payments/:autoid/fail   the customer gives up on it
 *   POST /_admin/faults {op, fault, count?, errcode?, errmsg?} · GET /_admin/faults · DELETE /_admin/faults
 *        op: pay|query|bill|any
 *        fault: hang (held `hangMs`, not executed) · 5xx (503 HTML, not executed) · garbage (200, an
 *        ASP.NET error page, not executed) · errcode (answers that errcode/errmsg with tag null, not
 *        executed) · drop (EXECUTED, then the connection is destroyed) · badbody (EXECUTED, the
 *        answer cut in half)
 *   POST /_admin/reset                   back to the sandbox bills, no payments
 * Payment codes are kept only as a SHA-256 hash and a masked form (also in the state file).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import type { HttpAuth } from '../http-auth.ts';
import { FaultQueue, SANDBOX_WALLET_CODES, addFaultRoutes, connectionFaults, cutInHalf, gatewayPage, sandboxAdmin, sandboxApp, stateFile } from '../sandbox-kit/index.ts';
// crypto.ts is pinned to openssl vectors by its own tests, so sharing it hides nothing.
import { DEFAULT_DES, decryptCode, resolveDes, type DesOptions } from './crypto.ts';
import {
  ASPNET_GARBAGE,
  contentTypeOf,
  envelope,
  errorBody,
  mask,
  readRequest,
  requestFormat,
  toFen,
  yuan,
  type ResultType,
  type SimFormat,
  type SimPayment,
  type SimSalesBill,
  type SimState,
  type TagField,
} from './simulator-answers.ts';

export type { SimPayment, SimSalesBill, SimState } from './simulator-answers.ts';

/** The sandbox's session: the HTTP auth it expects and the login password the DES key comes from. */
export const SANDBOX_SESSION: { readonly auth: HttpAuth; readonly loginPassword: string } = Object.freeze({
  auth: Object.freeze({ type: 'bearer', token: 'posmini-sandbox-session-7Q2xK9' }) as HttpAuth,
  loginPassword: 'pm-sandbox-8866',
});

/** The sales bills the sandbox opens at start. */
export const SANDBOX_BILLS: readonly { billnum: string; totalFen: number }[] = Object.freeze([
  { billnum: 'SB-1001', totalFen: 10_000 },
  { billnum: 'SB-1002', totalFen: 3_550 },
  { billnum: 'SB-1003', totalFen: 29 },
  { billnum: 'SB-1004', totalFen: 123_456 },
  { billnum: 'SB-1005', totalFen: 435 },
]);

/** The sandbox payment codes (see the table at the top of this file). */
export const POSMINI_SANDBOX_CODES = SANDBOX_WALLET_CODES.wechat;

export interface PosMiniSimulatorOptions {
  /** JSON file the state is loaded from and written to after every change. */
  stateFile?: string;
  /** Queries before a "password" (N=2) payment becomes paid. Default 2. */
  passwordPolls?: number;
  /** How long a hanging request is held. Default 120000. */
  hangMs?: number;
  /** The HTTP auth required. Default SANDBOX_SESSION.auth. */
  auth?: HttpAuth;
  /** The login password the codes are encrypted under. Default SANDBOX_SESSION.loginPassword. */
  loginPassword?: string;
  /** The DES variant expected. Default the client's default (DEFAULT_DES). */
  des?: Partial<DesOptions>;
  /** Paths of the assumed APIs (as the client's `paths`). */
  paths?: { pay?: string; query?: string; bill?: string };
  now?: () => Date;
}

export type FaultOp = 'pay' | 'query' | 'bill' | 'any';
export type FaultKind = 'hang' | '5xx' | 'garbage' | 'errcode' | 'drop' | 'badbody';
const FAULT_OPS: FaultOp[] = ['pay', 'query', 'bill', 'any'];
const FAULT_KINDS: FaultKind[] = ['hang', '5xx', 'garbage', 'errcode', 'drop', 'badbody'];

/** What an `errcode` fault answers. */
interface ErrcodeFault {
  errcode: number;
  errmsg: string;
}

/** "13", 15 zeros, the behaviour digit 1–7. */
const SANDBOX_CODE = /^130{15}([1-7])$/;
const WECHAT_CODE = /^1[0-5]\d{16}$/;
const BILLNUM = /^[A-Za-z0-9-]{1,20}$/;

/** The answer of one operation: an envelope, or a special ending. */
type Outcome =
  | { errcode: number; errmsg: string; tag: TagField[] | null; then?: 'drop' }
  | { special: 'hang' | '502' }
  | { http: 400 | 415; message: string };

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function sameSecret(given: string | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}

/**
 * Creates the posmini sandbox.
 * @see seeds/003 (the whole document), client.ts items 5–7 for the assumed parts
 */
export function createPosMiniSimulator(opts: PosMiniSimulatorOptions = {}) {
  const passwordPolls = Math.max(1, opts.passwordPolls ?? 2);
  const hangMs = opts.hangMs ?? 120_000;
  const auth: HttpAuth = opts.auth ?? SANDBOX_SESSION.auth;
  const password = opts.loginPassword ?? SANDBOX_SESSION.loginPassword;
  const des = resolveDes({ ...DEFAULT_DES, ...(opts.des ?? {}) });
  const route = (p: string | undefined, fallback: string) => `/${(p ?? fallback).replace(/^\/+/, '')}`;
  const paths = {
    pay: route(opts.paths?.pay, 'api/Pos/MiniProgram/Busi/Sell/Pay/WithWechat/Barcode'),
    query: route(opts.paths?.query, 'api/Pos/MiniProgram/Busi/Sell/Pay/Query'),
    bill: route(opts.paths?.bill, 'api/Pos/MiniProgram/Busi/Sell/Bill/Get'),
  };
  const now = opts.now ?? (() => new Date());
  const file = stateFile<SimState>('posmini', opts.stateFile);
  const state: SimState = file.load() ?? freshState();
  const faults = new FaultQueue<FaultOp, FaultKind, ErrcodeFault>();
  /** Aborted by stop(): ends hanging requests. */
  const closing = new AbortController();
  const { hang, drop } = connectionFaults({ hangMs, closing: closing.signal });

  function freshState(): SimState {
    const s: SimState = { version: 1, nextAutoid: 1001, bills: {}, payments: {} };
    for (const b of SANDBOX_BILLS) s.bills[b.billnum] = { billnum: b.billnum, totalFen: b.totalFen, createdAt: now().toISOString() };
    return s;
  }

  function save(): void {
    file.save(state);
  }

  /** The answer's format: Accept first (the first of json/xml it names), else the request's Content-Type, else JSON. */
  function answerFormat(c: Context): SimFormat {
    const accept = (c.req.header('accept') ?? '').toLowerCase();
    const j = accept.search(/\/json\b/);
    const x = accept.search(/\/xml\b/);
    if (j >= 0 && (x < 0 || j < x)) return 'json';
    if (x >= 0) return 'xml';
    return requestFormat(c.req.header('content-type')) ?? 'json';
  }

  /** The session check, as ASP.NET's [Authorize] filter: 401 before anything runs. */
  function authorised(c: Context): boolean {
    switch (auth.type) {
      case 'bearer':
        return sameSecret(c.req.header('authorization'), `Bearer ${auth.token}`);
      case 'header':
        return sameSecret(c.req.header(auth.name), auth.value);
      case 'param':
        return sameSecret(new URL(c.req.url).searchParams.get(auth.name) ?? undefined, auth.value);
      default:
        return true;
    }
  }

  /** Faults, auth, request reading, the operation, then the answer (with its sandbox ending). */
  async function serve(
    c: Context,
    op: Exclude<FaultOp, 'any'>,
    type: ResultType,
    contract: { root: string; order: string[] },
    run: (fields: Record<string, string>) => Outcome,
  ): Promise<Response> {
    const format = answerFormat(c);
    const headers = { 'content-type': contentTypeOf(format) };
    const fault = faults.take(op);
    if (fault?.fault === 'hang') return hang(c);
    if (fault?.fault === '5xx') return gatewayPage(c, 503);
    if (fault?.fault === 'garbage') return c.html(ASPNET_GARBAGE, 200);
    if (fault?.fault === 'errcode') return c.body(envelope(format, type, fault.errcode ?? -1, fault.errmsg ?? '系统错误', null), 200, headers);
    if (!authorised(c)) return c.body(errorBody(format, 'Authorization has been denied for this request.'), 401, headers);
    const req = readRequest(requestFormat(c.req.header('content-type')), await c.req.text(), contract.root, contract.order);
    if (!req.ok) return c.body(errorBody(format, req.message), req.status, headers);
    const outcome = run(req.fields);
    if ('special' in outcome) return outcome.special === 'hang' ? hang(c) : gatewayPage(c, 502);
    if ('http' in outcome) return c.body(errorBody(format, outcome.message), outcome.http, headers);
    if (fault?.fault === 'drop' || outcome.then === 'drop') return drop(c);
    let body = envelope(format, type, outcome.errcode, outcome.errmsg, outcome.tag);
    if (fault?.fault === 'badbody') body = cutInHalf(body);
    return c.body(body, 200, headers);
  }

  // --- bills and payments -----------------------------------------------------------------------

  function paymentsOf(billnum: string): SimPayment[] {
    return Object.values(state.payments).filter((p) => p.billnum === billnum);
  }

  function figures(b: SimSalesBill) {
    const ps = paymentsOf(b.billnum);
    const paidFen = ps.filter((p) => p.state === 'paid').reduce((s, p) => s + p.fen, 0);
    const pendingFen = ps.filter((p) => p.state === 'paying').reduce((s, p) => s + p.fen, 0);
    const billpaystate = paidFen >= b.totalFen ? '3' : paidFen > 0 ? '2' : '1';
    return { paidFen, pendingFen, balanceFen: Math.max(0, b.totalFen - paidFen), billpaystate };
  }

  function markPaid(p: SimPayment): void {
    p.state = 'paid';
    p.errmsg = '收款成功';
    p.pollsLeft = 0;
    p.paidAt = now().toISOString();
  }

  /** The pay answer for a payment as it stands. @see seeds/003 Response Information (errcode 0 / 1 / -1) */
  function payAnswer(p: SimPayment): Outcome {
    const b = state.bills[p.billnum];
    const tag: TagField[] = [
      ['billnum', 'string', p.billnum],
      ['autoid', 'int', p.autoid],
      ['billpaystate', 'string', figures(b).billpaystate],
    ];
    if (p.state === 'paid') return { errcode: 0, errmsg: '收款成功', tag };
    if (p.state === 'paying') return { errcode: 1, errmsg: '用户支付中，请查询付款结果', tag };
    return { errcode: -1, errmsg: p.errmsg, tag };
  }

  function billTag(b: SimSalesBill): TagField[] {
    return [['billnum', 'string', b.billnum], ['billpaystate', 'string', figures(b).billpaystate]];
  }

  /** Model validation of the seed's Required / Max length attributes → HTTP 400. */
  function invalid(fields: Record<string, string>, rules: [string, number?][]): Outcome | undefined {
    for (const [name, max] of rules) {
      const v = fields[name];
      if (v === undefined || v.trim() === '') return { http: 400, message: `The request is invalid. The ${name} field is required.` };
      if (max !== undefined && v.length > max) return { http: 400, message: `The request is invalid. The field ${name} must be a string with a maximum length of ${max}.` };
    }
    return undefined;
  }

  function decrypt(cipher: string): { ok: true; code: string } | { ok: false; outcome: Outcome } {
    const plain = decryptCode(cipher, password, des);
    if (!plain.ok) return { ok: false, outcome: { errcode: -1, errmsg: '付款码解密失败，请使用当前会话的密钥加密', tag: null } };
    const code = plain.text.trim();
    if (!WECHAT_CODE.test(code)) return { ok: false, outcome: { errcode: -1, errmsg: '不是有效的微信付款码', tag: null } };
    return { ok: true, code };
  }

  /** @see seeds/003 POST api/Pos/MiniProgram/Busi/Sell/Pay/WithWechat/Barcode */
  function pay(fields: Record<string, string>): Outcome {
    const bad = invalid(fields, [['billnum', 20], ['wechatbarcode', 256], ['paymentvalue']]);
    if (bad) return bad;
    if (!/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(fields.paymentvalue.trim())) return { http: 400, message: 'The request is invalid. paymentvalue is not a decimal.' };
    const fen = toFen(fields.paymentvalue);
    if (fen === undefined || fen <= 0) return { errcode: -1, errmsg: '支付金额错误', tag: null };
    const b = state.bills[fields.billnum];
    if (!b) return { errcode: -1, errmsg: '售货单不存在', tag: null };
    const d = decrypt(fields.wechatbarcode);
    if (!d.ok) return d.outcome;
    const code = d.code;
    const hash = sha256(code);
    const sandbox = SANDBOX_CODE.exec(code);

    // The same (billnum, code) again: the same payment, never a second charge.
    const same = Object.values(state.payments)
      .filter((p) => p.billnum === b.billnum && p.codeHash === hash)
      .sort((x, y) => y.autoid - x.autoid)[0];
    if (same) {
      if (same.fen === fen) return payAnswer(same);
      return { errcode: -1, errmsg: '付款码已用于本单的另一笔付款', tag: billTag(b) };
    }
    if (!sandbox && Object.values(state.payments).some((p) => p.codeHash === hash)) return { errcode: -1, errmsg: '付款码已使用', tag: billTag(b) };

    const f = figures(b);
    if (f.billpaystate === '3') return { errcode: -1, errmsg: '售货单已完成收款', tag: billTag(b) };
    const open = b.totalFen - f.paidFen - f.pendingFen;
    if (fen > open) {
      return { errcode: -1, errmsg: `支付金额超过未付金额（未付 ${yuan(open)} 元${f.pendingFen ? '，另有付款处理中' : ''}）`, tag: billTag(b) };
    }

    const n = sandbox ? Number(sandbox[1]) : 1;
    if (n === 7) return { special: '502' };
    if (n === 5) return { special: 'hang' };
    const p: SimPayment = {
      autoid: state.nextAutoid++,
      billnum: b.billnum,
      fen,
      state: 'paying',
      errmsg: '用户支付中',
      codeHash: hash,
      codeMasked: mask(code),
      pollsLeft: n === 6 ? null : passwordPolls,
      createdAt: now().toISOString(),
    };
    if (n === 3) {
      p.state = 'failed';
      p.errmsg = '支付失败：用户余额不足';
      p.pollsLeft = 0;
    } else if (n !== 2 && n !== 6) markPaid(p);
    state.payments[String(p.autoid)] = p;
    save();
    const answer = payAnswer(p);
    return n === 4 ? { ...answer, then: 'drop' } as Outcome : answer;
  }

  /** ASSUMED query (client.ts item 5): by autoid, else by (billnum, code). */
  function query(fields: Record<string, string>): Outcome {
    const bad = invalid(fields, [['billnum', 20]]);
    if (bad) return bad;
    const b = state.bills[fields.billnum];
    if (!b) return { errcode: -1, errmsg: '售货单不存在', tag: null };
    let p: SimPayment | undefined;
    if (fields.autoid) {
      if (!/^\d{1,19}$/.test(fields.autoid)) return { http: 400, message: 'The request is invalid. autoid is not an integer.' };
      p = state.payments[String(Number(fields.autoid))];
      if (p && p.billnum !== b.billnum) p = undefined;
    } else if (fields.wechatbarcode) {
      const d = decrypt(fields.wechatbarcode);
      if (!d.ok) return d.outcome;
      const hash = sha256(d.code);
      p = paymentsOf(b.billnum)
        .filter((x) => x.codeHash === hash)
        .sort((x, y) => y.autoid - x.autoid)[0];
    } else return { http: 400, message: 'The request is invalid. autoid or wechatbarcode is required.' };
    if (!p) return { errcode: -1, errmsg: '付款记录不存在', tag: null };
    if (p.state === 'paying' && p.pollsLeft !== null) {
      p.pollsLeft -= 1;
      if (p.pollsLeft <= 0) markPaid(p);
      save();
    }
    const f = figures(b);
    return {
      errcode: 0,
      errmsg: p.state === 'paid' ? '收款成功' : p.state === 'paying' ? '用户支付中' : p.errmsg,
      tag: [
        ['billnum', 'string', b.billnum],
        ['autoid', 'int', p.autoid],
        ['billpaystate', 'string', f.billpaystate],
        ['paystate', 'string', p.state === 'paid' ? '1' : p.state === 'paying' ? '0' : '-1'],
        ['paymentvalue', 'yuan', p.fen],
        ['billtotal', 'yuan', b.totalFen],
        ['billpaid', 'yuan', f.paidFen],
      ],
    };
  }

  /** ASSUMED bill read (client.ts item 6). */
  function billGet(fields: Record<string, string>): Outcome {
    const bad = invalid(fields, [['billnum', 20]]);
    if (bad) return bad;
    const b = state.bills[fields.billnum];
    if (!b) return { errcode: -1, errmsg: '售货单不存在', tag: null };
    const f = figures(b);
    return {
      errcode: 0,
      errmsg: '',
      tag: [
        ['billnum', 'string', b.billnum],
        ['billtotal', 'yuan', b.totalFen],
        ['billpaid', 'yuan', f.paidFen],
        ['billpaystate', 'string', f.billpaystate],
      ],
    };
  }

  // --- routes -----------------------------------------------------------------------------------

  const app = sandboxApp();
  app.post(paths.pay, (c) => serve(c, 'pay', 'PosSellPaymentResult', { root: 'PosSellPayWithWechatBarcodeParm', order: ['billnum', 'paymentvalue', 'wechatbarcode'] }, pay));
  app.post(paths.query, (c) => serve(c, 'query', 'PosSellPayQueryResult', { root: 'PosSellPayQueryParm', order: ['autoid', 'billnum', 'wechatbarcode'] }, query));
  app.post(paths.bill, (c) => serve(c, 'bill', 'PosSellBillResult', { root: 'PosSellBillGetParm', order: ['billnum'] }, billGet));

  // --- back office (sandbox only) ----------------------------------------------------------------

  const billView = (b: SimSalesBill) => {
    const f = figures(b);
    return {
      billnum: b.billnum,
      totalFen: b.totalFen,
      paidFen: f.paidFen,
      pendingFen: f.pendingFen,
      balanceFen: f.balanceFen,
      billpaystate: f.billpaystate,
      payments: paymentsOf(b.billnum).map((p) => p.autoid),
      createdAt: b.createdAt,
    };
  };
  const paymentView = (p: SimPayment) => ({
    autoid: p.autoid,
    billnum: p.billnum,
    amountFen: p.fen,
    state: p.state,
    errmsg: p.errmsg,
    authCodeMasked: p.codeMasked,
    createdAt: p.createdAt,
    paidAt: p.paidAt,
  });
  const notFound = (c: Context, what: string) => c.json({ sandbox: true, error: `${what}不存在 / no such ${what === '售货单' ? 'bill' : 'payment'}` }, 404);

  const admin = sandboxAdmin('posmini');
  admin.get('/bills', (c) => c.json({ sandbox: true, bills: Object.values(state.bills).map(billView) }));
  admin.get('/bills/:billnum', (c) => {
    const b = state.bills[c.req.param('billnum')];
    return b ? c.json({ sandbox: true, bill: billView(b), payments: paymentsOf(b.billnum).map(paymentView) }) : notFound(c, '售货单');
  });
  admin.post('/bills', async (c) => {
    let body: { billnum?: unknown; totalFen?: unknown };
    try {
      body = await c.req.json();
    } catch {
      return c.json({ sandbox: true, error: 'JSON body expected: {billnum?, totalFen}' }, 400);
    }
    let billnum = body.billnum;
    if (billnum === undefined) {
      let n = Object.keys(state.bills).length + 1;
      while (state.bills[`SB-${2000 + n}`]) n++;
      billnum = `SB-${2000 + n}`;
    }
    if (typeof billnum !== 'string' || !BILLNUM.test(billnum)) return c.json({ sandbox: true, error: 'billnum: 1–20 letters, digits or -' }, 400);
    if (!Number.isSafeInteger(body.totalFen) || (body.totalFen as number) <= 0) return c.json({ sandbox: true, error: 'totalFen: a positive whole number of fen' }, 400);
    if (state.bills[billnum]) return c.json({ sandbox: true, error: '售货单已存在 / bill exists' }, 409);
    const b: SimSalesBill = { billnum, totalFen: body.totalFen as number, createdAt: now().toISOString() };
    state.bills[billnum] = b;
    save();
    return c.json({ sandbox: true, bill: billView(b) }, 201);
  });
  admin.get('/payments', (c) => c.json({ sandbox: true, payments: Object.values(state.payments).map(paymentView) }));
  admin.get('/payments/:autoid', (c) => {
    const p = state.payments[c.req.param('autoid')];
    return p ? c.json({ sandbox: true, payment: paymentView(p) }) : notFound(c, '付款记录');
  });
  for (const action of ['pay', 'fail'] as const) {
    admin.post(`/payments/:autoid/${action}`, (c) => {
      const p = state.payments[c.req.param('autoid')];
      if (!p) return notFound(c, '付款记录');
      if (p.state !== 'paying') return c.json({ sandbox: true, error: `付款状态为 ${p.state}，不是支付中 / not paying` }, 409);
      if (action === 'pay') markPaid(p);
      else {
        p.state = 'failed';
        p.errmsg = '用户取消支付';
        p.pollsLeft = 0;
      }
      save();
      return c.json({ sandbox: true, payment: paymentView(p) });
    });
  }
  addFaultRoutes(admin, faults, {
    ops: FAULT_OPS,
    kinds: FAULT_KINDS,
    unreadableBody: 'refuse',
    coded: { kind: 'errcode', codeField: 'errcode', textField: 'errmsg', zeroAllowed: true, usage: 'errcode (integer) with fault errcode' },
  });
  admin.post('/reset', (c) => {
    const fresh = freshState();
    state.nextAutoid = fresh.nextAutoid;
    state.bills = fresh.bills;
    state.payments = fresh.payments;
    faults.clear();
    save();
    return c.json({ sandbox: true, bills: Object.values(state.bills).map(billView) });
  });
  app.route('/_admin', admin);

  /** Ends hanging requests. Idempotent. */
  function stop(): void {
    if (!closing.signal.aborted) closing.abort();
  }

  return { app, state, stop, close: stop, des: (): Readonly<DesOptions> => ({ ...des }) };
}

export type PosMiniSimulator = ReturnType<typeof createPosMiniSimulator>;
