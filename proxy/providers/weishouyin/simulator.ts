/**
 * 微收银 sandbox: a Hono app that plays the provider's server from seeds/001, with its own state.
 * Mounted by the proxy at /sandbox/weishouyin; works standalone too. SANDBOX ONLY: no real money.
 *
 * It serves, relative to its mount:
 *   /o2o_dmprinter/app_device_register.php   设备激活 (single-use activation codes)
 *   /o2o_dmprinter/app.php                   读取支付配置 (two methods, like the seed's example)
 *   /o2o_dmprinter/time.php                  获取时间
 *   /o2o-dm/op.php                           micropay / query / refund / read (GET or POST)
 *   /o2o-dm/pay_printinfo.php                补打小票 (no signature, as in the seed)
 *   /_admin/...                              sandbox back office (JSON), see below
 *
 * Activation: the seed's test code 24901320180424 is issued at start (once per state file); it works
 * once, like every code. POST /_admin/activation-codes issues a fresh one.
 *
 * ── Sandbox payment codes ─────────────────────────────────────────────────────────────────────
 * 18 digits: "13" (微信, method o2o_dm_code_wxpaysub) or "28" (支付宝, o2o_dm_code_alipay_isv_beta),
 * 15 zeros, then a digit N that selects the behaviour. Any other code matching the method's
 * coderegex pays at once. A code that does not match its method's coderegex is refused (ok=0).
 *
 *   N  微信                  支付宝                 behaviour
 *   1  130000000000000001    280000000000000001    paid at once
 *   2  130000000000000002    280000000000000002    password: micropay ok=-1; paid on the
 *                                                  `passwordPolls`-th query (default 2)
 *   3  130000000000000003    280000000000000003    declined: ok=0 info="支付失败：用户余额不足"
 *   4  130000000000000004    280000000000000004    charged, answer lost: recorded PAID, then the
 *                                                  connection is destroyed; query says paid
 *   5  130000000000000005    280000000000000005    provider hangs `hangMs` (default 120000), never
 *                                                  charged; query by authcode: ok=0 "订单不存在"
 *   6  130000000000000006    280000000000000006    password forever: ok=-1 on every query until
 *                                                  POST /_admin/bills/:dmId/pay
 *   7  130000000000000007    280000000000000007    garbage: HTTP 502 with an HTML body, not charged
 *
 * Idempotency. A payment code is single-use, as a wallet's is. A second micropay with the same code
 * from the same device, for the same method and total, is a retry of the same payment: nothing is
 * charged again and the existing bill's state is answered (like a query, without counting as a
 * password poll). Any other reuse answers ok=0 info="授权码已使用".
 * The sandbox codes above are test codes and stay reusable: the same rule holds for `retryWindowMs`
 * (default 60000, about a wallet code's lifetime) after the bill was opened; after that, or for
 * another total, they open a new bill. Query by authcode finds the latest bill of a code.
 *
 * ── Back office (sandbox only, JSON) ──────────────────────────────────────────────────────────
 *   POST   /_admin/activation-codes      → {code}        a fresh single-use activation code
 *   GET    /_admin/bills                 → {bills}       status, amountFen, refundedFen, refunds, authCode
 *   GET    /_admin/bills/:dmId
 *   POST   /_admin/bills/:dmId/pay                       the customer completes a paying bill
 *   POST   /_admin/faults {op, fault, count?}            op: micropay|query|refund|read|config|
 *                                                        activate|time|reprint|any
 *          fault: hang (held `hangMs`, not executed) · 5xx (503 HTML, not executed) ·
 *                 garbage (200, a PHP warning instead of XML, not executed) ·
 *                 drop (EXECUTED, then the connection is destroyed: the answer is lost) ·
 *                 badxml (EXECUTED, the XML answer is cut in half)
 *   GET    /_admin/faults · DELETE /_admin/faults
 *   POST   /_admin/discrepancies {reset?, drop?, amountOff?, unrecordedRefund?, bookNextDay?}
 *          · GET /_admin/discrepancies · DELETE /_admin/discrepancies
 *          Differences planted in the books only — what `read` answers — never in micropay, query or
 *          refund, so a reconciliation test can check each is found. Bills are named by dm_id:
 *            drop: ["dm…"]                    read answers 账单不存在
 *            amountOff: [{dmId, deltaFen}]    pay_total (and the payment line) off by deltaFen
 *            unrecordedRefund: [{dmId, amountFen}]  a refund line (now) and refund_total no refund made
 *            bookNextDay: ["dm…"]             pay_time moved to 00:00:01 of the next China day
 *          No `extra` (400): without a day list, money for a bill we never made cannot show.
 *          Each POST adds to the knobs in force ({reset: true} clears them first); DELETE clears them.
 *          Kept in the state file with the bills. A refused request (400/404/409) changes nothing.
 *          (The proxy settles a refund whose answer was lost by `read`: a planted refund counts there.)
 *   GET    /_admin/devices · DELETE /_admin/devices/:id · POST /_admin/devices/:id/rekey
 *          (the seed: a device deleted or changed in the back office must be activated again)
 */
import { randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import {
  FaultQueue,
  SANDBOX_WALLET_CODES,
  addFaultRoutes,
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
import {
  PHP_GARBAGE,
  billAnswer,
  billView,
  configAnswer,
  cst,
  dm,
  isoOf,
  methodOf,
  methodOfBill,
  readAnswer,
  refundAnswer,
  toFen,
  voucher,
  yuan,
  type SimBill,
  type SimBooks,
  type SimDevice,
  type SimRefund,
  type SimState,
} from './simulator-answers.ts';
// sign.ts is pinned to the seed's worked example by its own tests, so sharing it hides nothing.
import { configSign, sameSign, timeSign, verifySign } from './sign.ts';

export type { SimBill, SimBooks, SimDevice, SimRefund, SimState } from './simulator-answers.ts';

export const SANDBOX_ACTIVATION_CODE = '24901320180424';

/** The sandbox payment codes (see the table at the top of this file). */
export const WEISHOUYIN_SANDBOX_CODES = SANDBOX_WALLET_CODES;

export interface WeishouyinSimulatorOptions {
  /** Public mount prefix, used when the request path does not show it. Default '/sandbox/weishouyin'. */
  basePath?: string;
  /** Overrides the `server` reported in the config (e.g. behind a TLS front end). */
  publicUrl?: string;
  /** JSON file the state is loaded from and written to after every change. */
  stateFile?: string;
  /** Queries before a "password" (N=2) bill becomes paid. Default 2. */
  passwordPolls?: number;
  /** How long a hanging request is held. Default 120000. */
  hangMs?: number;
  /** How long a sandbox code's repeat (same device, method, total) counts as a retry. Default 60000. */
  retryWindowMs?: number;
  now?: () => Date;
}

export type FaultOp = 'micropay' | 'query' | 'refund' | 'read' | 'config' | 'activate' | 'time' | 'reprint' | 'any';
export type FaultKind = 'hang' | 'drop' | 'garbage' | '5xx' | 'badxml';
const FAULT_OPS: FaultOp[] = ['micropay', 'query', 'refund', 'read', 'config', 'activate', 'time', 'reprint', 'any'];
const FAULT_KINDS: FaultKind[] = ['hang', 'drop', 'garbage', '5xx', 'badxml'];

/** 13 (微信) or 28 (支付宝), 15 zeros, the behaviour digit 1–7. */
const SANDBOX_CODE = /^(?:13|28)0{15}([1-7])$/;
const XML_TYPE = { 'content-type': 'text/xml; charset=utf-8' };

/**
 * Creates the 微收银 sandbox.
 * @see seeds/001 (the whole document: each handler cites its section)
 */
export function createWeishouyinSimulator(opts: WeishouyinSimulatorOptions = {}) {
  /** Where we are reachable: our public base URL is what the config reports as `server`. */
  const mount = sandboxMount(opts, '/sandbox/weishouyin');
  const passwordPolls = Math.max(1, opts.passwordPolls ?? 2);
  const hangMs = opts.hangMs ?? 120_000;
  const retryWindowMs = opts.retryWindowMs ?? 60_000;
  const now = opts.now ?? (() => new Date());
  const file = stateFile<SimState>('weishouyin', opts.stateFile);
  const state: SimState = file.load() ?? freshState();
  const faults = new FaultQueue<FaultOp, FaultKind>();
  // No stop(): a hanging request ends when its client goes away, or after hangMs.
  const { hang, drop } = connectionFaults({ hangMs });

  function freshState(): SimState {
    return {
      version: 1,
      nextDeviceId: 215118,
      nextBillNo: 2040000001,
      activationCodes: { [SANDBOX_ACTIVATION_CODE]: { issuedAt: cst(now()) } },
      devices: {},
      bills: {},
      authCodes: {},
    };
  }

  function save(): void {
    file.save(state);
  }

  function issueActivationCode(): string {
    let code: string;
    do code = `${digits(6)}${cst(now()).slice(0, 10).replace(/-/g, '')}`;
    while (state.activationCodes[code]);
    state.activationCodes[code] = { issuedAt: cst(now()) };
    save();
    return code;
  }

  function xml(c: Context, body: string): Response {
    return c.body(body, 200, XML_TYPE);
  }

  /** Applies an injected fault around one provider call. */
  async function withFault(c: Context, op: FaultOp, run: () => Response | Promise<Response>): Promise<Response> {
    const fault = faults.take(op)?.fault;
    if (fault === 'hang') return hang(c);
    if (fault === '5xx') return gatewayPage(c, 503);
    if (fault === 'garbage') return c.body(PHP_GARBAGE, 200, { 'content-type': 'text/html; charset=utf-8' });
    const res = await run();
    if (fault === 'drop') return drop(c);
    if (fault === 'badxml') return c.body(cutInHalf(await res.text()), 200, XML_TYPE);
    return res;
  }

  /** GET query merged with a form body, as PHP's $_REQUEST would (the body wins); any body but multipart is read as a form. */
  const params = (c: Context) => phpRequestParams(c, 'any-as-form');

  function deviceName(deviceId: string): string {
    return state.devices[deviceId]?.name ?? '001';
  }

  // --- bills ------------------------------------------------------------------------------------

  function markPaid(b: SimBill): void {
    const m = methodOfBill(b);
    const at = now();
    b.status = 'paid';
    b.info = '支付成功';
    b.pollsLeft = 0;
    b.paidAt = cst(at);
    const ymd = b.paidAt.slice(0, 10).replace(/-/g, '');
    b.payId = m.wallet === 'wechat' ? `420000${digits(4)}${ymd}${digits(10)}` : `${ymd}2100100${digits(13)}`;
    b.openid = m.wallet === 'wechat' ? `o01mvsy${randomBytes(15).toString('base64url').slice(0, 20)}` : `2088${digits(12)}`;
  }

  function findBill(deviceId: string, p: Record<string, string>): SimBill | undefined {
    const dmId = p.dm_id?.trim();
    const b = dmId ? state.bills[dmId] : p.authcode ? state.bills[state.authCodes[p.authcode.trim()] ?? ''] : undefined;
    return b && b.deviceId === deviceId ? b : undefined;
  }

  /** @see seeds/001 §4 3.1 刷卡支付 */
  async function micropay(c: Context, device: SimDevice, p: Record<string, string>): Promise<Response> {
    const authcode = (p.authcode ?? '').trim();
    const method = methodOf(p.paytype);
    if (!method) return xml(c, dm([['ok', '0'], ['info', `支付类型不存在：${p.paytype ?? ''}`]]));
    if (!new RegExp(method.coderegex).test(authcode)) {
      return xml(c, dm([['ok', '0'], ['info', `授权码格式错误，不是有效的${method.name}付款码`]]));
    }
    const fen = toFen(p.total);
    if (fen === undefined || fen <= 0) return xml(c, dm([['ok', '0'], ['info', '支付金额错误']]));
    const noremind = 'noremind' in p;

    const sandbox = SANDBOX_CODE.exec(authcode);
    const existing = state.bills[state.authCodes[authcode] ?? ''];
    if (existing) {
      // Single-use payment code: a retry of the same payment is answered, never charged again.
      const retry = existing.deviceId === device.deviceId && existing.method === method.code && existing.fen === fen;
      if (retry && (!sandbox || now().getTime() - existing.openedMs < retryWindowMs)) {
        return xml(c, billAnswer(existing, 'micropay', noremind, deviceName(existing.deviceId)));
      }
      if (!sandbox) return xml(c, dm([['ok', '0'], ['info', '授权码已使用']]));
    }

    const n = sandbox ? Number(sandbox[1]) : 1;
    if (n === 7) return gatewayPage(c, 502);
    if (n === 5) return hang(c);

    const b: SimBill = {
      dmId: `dm${state.nextBillNo++}`,
      deviceId: device.deviceId,
      authCode: authcode,
      method: method.code,
      fen,
      status: 'paying',
      info: '用户支付中，需要输入支付密码',
      pollsLeft: n === 6 ? null : passwordPolls,
      openedAt: cst(now()),
      openedMs: now().getTime(),
      refunds: [],
    };
    if (n === 3) {
      b.status = 'failed';
      b.info = '支付失败：用户余额不足';
      b.pollsLeft = 0;
    } else if (n !== 2 && n !== 6) markPaid(b);
    state.bills[b.dmId] = b;
    state.authCodes[authcode] = b.dmId;
    save();
    if (n === 4) return drop(c);
    return xml(c, billAnswer(b, 'micropay', noremind, deviceName(b.deviceId)));
  }

  /** @see seeds/001 §4 3.2.1 超时订单查询接口, 3.2.2 查询接口 */
  function query(c: Context, device: SimDevice, p: Record<string, string>): Response {
    const b = findBill(device.deviceId, p);
    if (!b) return xml(c, dm([['ok', '0'], ['info', '订单不存在']]));
    if (b.status === 'paying' && b.pollsLeft !== null) {
      b.pollsLeft -= 1;
      if (b.pollsLeft <= 0) markPaid(b);
      save();
    }
    return xml(c, billAnswer(b, 'query', 'noremind' in p, deviceName(b.deviceId)));
  }

  /** @see seeds/001 §4 3.3 申请退款 */
  function refund(c: Context, device: SimDevice, p: Record<string, string>): Response {
    const b = p.dm_id ? findBill(device.deviceId, { dm_id: p.dm_id }) : undefined;
    if (!b) return xml(c, dm([['ok', '0'], ['info', '账单不存在']]));
    if (b.status !== 'paid') return xml(c, dm([['ok', '0'], ['info', '账单未支付，不能退款']]));
    const fen = toFen(p.refund);
    if (fen === undefined || fen <= 0) return xml(c, dm([['ok', '0'], ['info', '退款金额错误']]));
    const left = b.fen - b.refunds.reduce((s, r) => s + r.fen, 0);
    if (fen > left) return xml(c, dm([['ok', '0'], ['info', `退款金额超过可退金额（可退${yuan(left)}元）`]]));
    const at = now();
    // The seed's refund lines are numbered dm<bill digits><unix seconds>.
    let seconds = Math.floor(at.getTime() / 1000);
    const taken = new Set(b.refunds.map((r) => r.refundId));
    while (taken.has(`${b.dmId}${seconds}`)) seconds += 1;
    const r: SimRefund = { refundId: `${b.dmId}${seconds}`, fen, at: cst(at) };
    b.refunds.push(r);
    save();
    return xml(c, refundAnswer(b, r, deviceName(b.deviceId)));
  }

  /** @see seeds/001 §4 3.4 读取账单接口 (as the books have it) */
  function read(c: Context, device: SimDevice, p: Record<string, string>): Response {
    const found = p.dm_id ? findBill(device.deviceId, { dm_id: p.dm_id }) : undefined;
    const b = found && booked(found);
    if (!b) return xml(c, dm([['ok', '0'], ['info', '账单不存在']]));
    if (b.status !== 'paid') return xml(c, dm([['ok', '0'], ['info', b.status === 'paying' ? '账单未支付（用户支付中）' : '账单未支付']]));
    return xml(c, readAnswer(b));
  }

  // --- the books (`read`) and their planted discrepancies ---------------------------------------

  const noBooks = (): SimBooks => ({ dropped: [], nextDay: [], amountOff: {}, refunds: {} });

  /** A bill as `read` reports it: undefined when dropped. */
  function booked(b: SimBill): SimBill | undefined {
    const k = state.books;
    if (!k) return b;
    if (k.dropped.includes(b.dmId)) return undefined;
    let out = b;
    const delta = k.amountOff[b.dmId];
    if (delta) out = { ...out, fen: out.fen + delta };
    if (k.nextDay.includes(b.dmId) && b.paidAt) {
      const paidMs = Date.parse(`${b.paidAt.replace(' ', 'T')}+08:00`);
      out = { ...out, paidAt: cst(new Date(nextChinaMidnight(paidMs) + 1000)) };
    }
    const planted = k.refunds[b.dmId];
    if (planted?.length) out = { ...out, refunds: [...b.refunds, ...planted].sort((x, y) => x.at.localeCompare(y.at)) };
    return out;
  }

  function discrepancyView() {
    const k = state.books ?? noBooks();
    return {
      drop: k.dropped,
      bookNextDay: k.nextDay,
      amountOff: Object.entries(k.amountOff).map(([dmId, deltaFen]) => ({ dmId, deltaFen })),
      unrecordedRefund: Object.entries(k.refunds).flatMap(([dmId, rs]) => rs.map((r) => ({ dmId, refundId: r.refundId, amountFen: r.fen, at: isoOf(r.at) }))),
    };
  }

  type Planned = { ok: true; apply: () => void } | { ok: false; status: 404 | 409; error: string };

  /** Checks every knob against the bills first, so that a refused request changes nothing. */
  function planDiscrepancies(req: DiscrepancyRequest): Planned {
    const steps: (() => void)[] = [];
    const books = () => (state.books ??= noBooks());
    if (req.reset) steps.push(() => void (state.books = noBooks()));
    const billFor = (dmId: string) => state.bills[dmId];
    for (const [list, name] of [
      [req.drop, 'dropped'],
      [req.bookNextDay, 'nextDay'],
    ] as const) {
      for (const dmId of list) {
        const b = billFor(dmId);
        if (!b) return { ok: false, status: 404, error: `${dmId}: 账单不存在 / no such bill` };
        if (name === 'nextDay' && b.status !== 'paid') return { ok: false, status: 409, error: `${dmId}: 账单未支付 / the bill is not paid` };
        steps.push(() => {
          const l = books()[name];
          if (!l.includes(dmId)) l.push(dmId);
        });
      }
    }
    for (const { key: dmId, deltaFen } of req.amountOff) {
      const b = billFor(dmId);
      if (!b) return { ok: false, status: 404, error: `${dmId}: 账单不存在 / no such bill` };
      if (b.fen + deltaFen <= 0) return { ok: false, status: 409, error: `${dmId}: 金额须大于 0 / the amount in the books must stay above 0` };
      steps.push(() => void (books().amountOff[dmId] = deltaFen));
    }
    const planned = new Map<string, number>();
    for (const { key: dmId, amountFen } of req.unrecordedRefund) {
      const b = billFor(dmId);
      if (!b) return { ok: false, status: 404, error: `${dmId}: 账单不存在 / no such bill` };
      if (b.status !== 'paid') return { ok: false, status: 409, error: `${dmId}: 账单未支付，不能退款 / the bill is not paid` };
      const plantedSoFar = req.reset ? 0 : (state.books?.refunds[dmId] ?? []).reduce((n, r) => n + r.fen, 0);
      const left = b.fen - b.refunds.reduce((n, r) => n + r.fen, 0) - plantedSoFar - (planned.get(dmId) ?? 0);
      if (amountFen > left) return { ok: false, status: 409, error: `${dmId}: 退款金额大于可退金额（${left} 分） / more than the ${left} fen left to refund` };
      planned.set(dmId, (planned.get(dmId) ?? 0) + amountFen);
      steps.push(() => {
        const at = now();
        const list = (books().refunds[dmId] ??= []);
        const taken = new Set([...b.refunds, ...list].map((r) => r.refundId));
        let seconds = Math.floor(at.getTime() / 1000);
        while (taken.has(`${dmId}${seconds}`)) seconds += 1;
        list.push({ refundId: `${dmId}${seconds}`, fen: amountFen, at: cst(at) });
      });
    }
    return { ok: true, apply: () => steps.forEach((step) => step()) };
  }

  // --- routes -----------------------------------------------------------------------------------

  const app = sandboxApp();

  /** @see seeds/001 §1 设备激活 */
  app.on(['GET', 'POST'], '/o2o_dmprinter/app_device_register.php', (c) =>
    withFault(c, 'activate', async () => {
      const p = await params(c);
      const code = (p.initkey ?? '').trim();
      const entry = code ? state.activationCodes[code] : undefined;
      if (!entry || entry.usedAt) return xml(c, dm([['ok', '0'], ['info', '初始密钥不存在!']]));
      let hostid = '';
      try {
        hostid = Buffer.from(p.hostid ?? '', 'base64').toString('utf8');
      } catch {
        hostid = '';
      }
      if (!hostid.trim()) return xml(c, dm([['ok', '0'], ['info', '主机标识错误']]));
      const deviceId = String(state.nextDeviceId++);
      const device: SimDevice = {
        deviceId,
        key: randomBytes(20).toString('hex'),
        hostid,
        name: String(Object.keys(state.devices).length + 1).padStart(3, '0'),
        activatedAt: cst(now()),
      };
      state.devices[deviceId] = device;
      entry.usedAt = cst(now());
      entry.deviceId = deviceId;
      save();
      const attrs: [string, string][] = [['ok', '1'], ['device_id', deviceId]];
      if (p.retkey === '1') attrs.push(['key', device.key]);
      attrs.push(['info', '设备已成功注册!']);
      return xml(c, dm(attrs));
    }),
  );

  /** @see seeds/001 §2 读取支付配置接口 */
  app.on(['GET', 'POST'], '/o2o_dmprinter/app.php', (c) =>
    withFault(c, 'config', async () => {
      const p = await params(c);
      const device = state.devices[p.device_id ?? ''];
      if (!device) return xml(c, dm([['ok', '-1'], ['info', '设备不存在']]));
      if (!sameSign(p.sign, configSign(device.key, device.deviceId, p.ver ?? ''))) {
        return xml(c, dm([['ok', '-1'], ['info', '设备密钥错误']]));
      }
      return xml(c, configAnswer(publicBase(c, mount, '/o2o_dmprinter/app.php'), device));
    }),
  );

  /** @see seeds/001 §3 获取时间接口 */
  app.on(['GET', 'POST'], '/o2o_dmprinter/time.php', (c) =>
    withFault(c, 'time', async () => {
      const p = await params(c);
      if (!p.device_id || !sameSign(p.sign, timeSign(p.device_id))) return xml(c, dm([['ok', '0'], ['info', '签名错误']]));
      return xml(c, dm([['ok', '1'], ['time', cst(now()).replace(/[- :]/g, '')]]));
    }),
  );

  /** @see seeds/001 §4 支付相关接口 */
  app.on(['GET', 'POST'], '/o2o-dm/op.php', async (c) => {
    const p = await params(c);
    const action = p.action ?? '';
    const op: FaultOp = (['micropay', 'query', 'refund', 'read'] as const).find((a) => a === action) ?? 'any';
    return withFault(c, op, () => {
      const device = state.devices[p.device_id ?? ''];
      if (!device) return xml(c, dm([['ok', '0'], ['info', '设备不存在']]));
      if (!verifySign(p, device.key)) return xml(c, dm([['ok', '0'], ['info', '签名错误']]));
      switch (action) {
        case 'micropay':
          return micropay(c, device, p);
        case 'query':
          return query(c, device, p);
        case 'refund':
          return refund(c, device, p);
        case 'read':
          return read(c, device, p);
        default:
          return xml(c, dm([['ok', '0'], ['info', `未知的操作：${action}`]]));
      }
    });
  });

  /** No signature and no device in the seed's example. @see seeds/001 §4 3.5 补打小票接口 */
  app.get('/o2o-dm/pay_printinfo.php', (c) =>
    withFault(c, 'reprint', () => {
      const q = new URL(c.req.url).searchParams;
      const id = (q.get('dm_id') ?? '').trim().replace(/^dm/i, '');
      const b = /^\d+$/.test(id) ? state.bills[`dm${id}`] : undefined;
      // For a bill it does not know, the seed's server prints an empty voucher dated 1970.
      const text = `\n${voucher(b && b.status === 'paid' ? b : undefined, '¥ ', id.replace(/\D/g, ''))}`;
      return c.body(text, 200, { 'content-type': 'text/plain; charset=utf-8' });
    }),
  );

  // --- back office (sandbox only) ----------------------------------------------------------------

  const admin = sandboxAdmin('weishouyin');
  admin.post('/activation-codes', (c) => c.json({ sandbox: true, code: issueActivationCode() }, 201));
  admin.get('/bills', (c) => c.json({ sandbox: true, bills: Object.values(state.bills).map(billView) }));
  admin.get('/bills/:dmId', (c) => {
    const b = state.bills[c.req.param('dmId')];
    return b ? c.json({ sandbox: true, bill: billView(b) }) : c.json({ sandbox: true, error: '账单不存在 / no such bill' }, 404);
  });
  admin.post('/bills/:dmId/pay', (c) => {
    const b = state.bills[c.req.param('dmId')];
    if (!b) return c.json({ sandbox: true, error: '账单不存在 / no such bill' }, 404);
    if (b.status !== 'paying') return c.json({ sandbox: true, error: `账单状态为 ${b.status}，不是支付中 / not paying` }, 409);
    markPaid(b);
    save();
    return c.json({ sandbox: true, bill: billView(b) });
  });
  const discrepancyShape = { keyField: 'dmId', noExtra: '微收银 has no day list: only the bills we know of are read, so money for a bill we never made cannot show' };
  admin.get('/discrepancies', (c) => c.json({ sandbox: true, discrepancies: discrepancyView() }));
  admin.delete('/discrepancies', (c) => {
    delete state.books;
    save();
    return c.json({ sandbox: true, discrepancies: discrepancyView() });
  });
  admin.post('/discrepancies', async (c) => {
    const body = await readJsonObject(c, discrepancyUsage(discrepancyShape));
    if (!body.ok) return body.response;
    const req = parseDiscrepancies(body.body, discrepancyShape);
    if (!req.ok) return c.json({ sandbox: true, error: req.error }, 400);
    const plan = planDiscrepancies(req.value);
    if (!plan.ok) return c.json({ sandbox: true, error: plan.error }, plan.status);
    plan.apply();
    save();
    return c.json({ sandbox: true, discrepancies: discrepancyView() }, 201);
  });
  addFaultRoutes(admin, faults, { ops: FAULT_OPS, kinds: FAULT_KINDS, unreadableBody: 'refuse' });
  admin.get('/devices', (c) =>
    c.json({
      sandbox: true,
      devices: Object.values(state.devices).map((d) => ({ deviceId: d.deviceId, name: d.name, activatedAt: isoOf(d.activatedAt) })),
    }),
  );
  admin.delete('/devices/:id', (c) => {
    const id = c.req.param('id');
    if (!state.devices[id]) return c.json({ sandbox: true, error: '设备不存在 / no such device' }, 404);
    delete state.devices[id];
    save();
    return c.json({ sandbox: true, deleted: id });
  });
  admin.post('/devices/:id/rekey', (c) => {
    const d = state.devices[c.req.param('id')];
    if (!d) return c.json({ sandbox: true, error: '设备不存在 / no such device' }, 404);
    d.key = randomBytes(20).toString('hex');
    save();
    // The new key is not shown: the device must activate again, as after a change in the back office.
    return c.json({ sandbox: true, rekeyed: d.deviceId });
  });
  app.route('/_admin', admin);

  return { app, state, issueActivationCode };
}

export type WeishouyinSimulator = ReturnType<typeof createWeishouyinSimulator>;
