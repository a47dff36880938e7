/**
 * 微收银 terminal client: the `Provider` interface over HTTP.
 * Each call is encode → sign → send → decode → map, the pure steps living in codec.ts and sign.ts.
 *
 * Secrets (device key, activation codes, signatures) never leave this module: messages and call
 * records are redacted (redact.ts).
 */
import { cpus, networkInterfaces } from 'node:os';
import { isValidAmountFen } from '../../../contract/money.ts';
import type {
  Bill,
  CallSink,
  DayBill,
  DayBillRequest,
  PayOutcome,
  PaymentRef,
  PayRequest,
  Provider,
  ProviderError,
  ProviderErrorKind,
  ProviderInfo,
  ProviderBillEntry,
  ProviderMethod,
  ProviderStateStore,
  RefundOutcome,
  Result,
} from '../types.ts';
import { reportCall } from '../call-report.ts';
import { timedFetch, type TimedTransport } from '../http-transport.ts';
import {
  MAX_XML_BYTES,
  decodeActivation,
  decodeConfig,
  decodePayAnswer,
  decodePrintinfo,
  decodeReadAnswer,
  decodeRefundAnswer,
  decodeStatus,
  decodeTime,
  dmDigits,
  encodeHostId,
  encodeMicropay,
  encodeQuery,
  encodeRead,
  encodeRefund,
  type Decoded,
  type PayAnswer,
  type PayConfig,
  type ReadAnswer,
} from './codec.ts';
import { READ_CONCURRENCY, dayRange, inPool, readEntry, unpaidEntry } from './day-bill.ts';
import { fail, isSignInfo } from './errors.ts';
import { payremindReceipt, qrcodeBillFooter } from './receipts.ts';
import { redactParams, redactResponse, scrub } from './redact.ts';
import { configSign, signParams, timeSign } from './sign.ts';

export interface WeishouyinOptions {
  /** Where app_device_register.php and app.php live, e.g. "http://dct.semoor.cn". */
  baseUrl: string;
  /** Single-use device activation code (激活码) from the 微收银 back office. */
  activationCode?: string;
  /** Host description sent at activation, `<host cpu=".." mac=".." />` (base64-encoded by us). Default: this machine. */
  hostId?: string;
  /** Client program version sent with the config read. Default "V1.01". */
  ver?: string;
  /** Device number and key taken by hand from the back office; when both are given, no activation. */
  deviceId?: string;
  key?: string;
  /** Ask for answers without printinfo (`noremind`); receipts then come from payremind_template. */
  noremind?: boolean;
  /** Per request. Default 15000. */
  timeoutMs?: number;
  /** Keeps 'device_id' and 'key' from the activation. */
  store: ProviderStateStore;
  onCall?: CallSink;
  fetch?: typeof fetch;
  /** Asked for a fresh activation code when the configured one is refused or already used. */
  onActivationFailed?: () => Promise<string | undefined>;
  /** Clock for the item list header. Default: now. */
  now?: () => Date;
}

export interface WeishouyinProvider extends Provider {
  /** The day's books, read bill by bill from the known payments (day-bill.ts). */
  dayBill(req: DayBillRequest): Promise<Result<DayBill>>;
  /** The server time (获取时间接口), ISO 8601 with +08:00. */
  time(): Promise<Result<{ time: string }>>;
  /** The last pay config read (templates decoded); no secret in it. */
  payConfig(): Readonly<PayConfig> | undefined;
}

const STORE_DEVICE_ID = 'device_id';
const STORE_KEY = 'key';

interface Credentials {
  deviceId: string;
  key: string;
  fromOptions: boolean;
}

interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  body?: string;
  /** The request as recorded, already redacted. */
  record: string;
}

type HttpAnswer = { ok: true; status: number; text: string } | { ok: false; error: ProviderError };

function defaultHostId(): string {
  const cpu = cpus()[0]?.model?.trim() || 'unknown';
  let mac = '00:00:00:00:00:00';
  for (const list of Object.values(networkInterfaces())) {
    const found = list?.find((i) => !i.internal && i.mac && i.mac !== '00:00:00:00:00:00');
    if (found) {
      mac = found.mac;
      break;
    }
  }
  return encodeHostId({ cpu, mac });
}

/**
 * Creates the 微收银 provider.
 * @see seeds/001 对接流程示意 (激活设备 → 读取支付配置 → 刷卡支付)
 */
export function createWeishouyinProvider(opts: WeishouyinOptions): WeishouyinProvider {
  if (!opts || typeof opts.baseUrl !== 'string' || !/^https?:\/\//i.test(opts.baseUrl)) {
    throw new TypeError('weishouyin: baseUrl must be an http(s) URL');
  }
  if (!opts.store) throw new TypeError('weishouyin: a ProviderStateStore is required');
  const baseUrl = opts.baseUrl.replace(/\/+$/, '');
  const ver = opts.ver ?? 'V1.01';
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const fetchImpl = opts.fetch ?? globalThis.fetch;
  const now = opts.now ?? (() => new Date());
  const store = opts.store;
  /** Answers are decoded in the charset their Content-Type names. */
  const transport: TimedTransport = { fetch: fetchImpl, timeoutMs, maxBytes: MAX_XML_BYTES, charset: 'content-type', whenTooLargeAndLate: 'timeout' };

  let config: PayConfig | undefined;
  let methods: ProviderMethod[] = [];
  let lastMessage: string | undefined = '尚未初始化 / not initialised';
  let inflight: Promise<Result<{ methods: ProviderMethod[] }>> | undefined;
  /** Activation codes tried by this instance: scrubbed from records even after they are gone. */
  const usedCodes: string[] = [];

  function credentials(): Credentials | undefined {
    if (opts.deviceId && opts.key) return { deviceId: opts.deviceId, key: opts.key, fromOptions: true };
    const deviceId = store.get(STORE_DEVICE_ID);
    const key = store.get(STORE_KEY);
    return deviceId && key ? { deviceId, key, fromOptions: false } : undefined;
  }

  function secrets(): string[] {
    const c = credentials();
    return [c?.key, opts.key, opts.activationCode, ...usedCodes].filter((s): s is string => !!s);
  }

  function report(
    op: string,
    outNo: string | undefined,
    req: HttpRequest,
    responseText: string,
    ok: boolean,
    errorKind: ProviderErrorKind | undefined,
    started: number,
    authCode?: string,
  ) {
    const clean = (t: string) => scrub(t, { hide: secrets(), authCodes: [authCode] });
    reportCall(opts.onCall, { provider: 'weishouyin', op, outNo, request: req.record, response: redactResponse(responseText), ok, errorKind, started }, clean);
  }

  async function send(req: HttpRequest): Promise<HttpAnswer> {
    const headers: Record<string, string> =
      req.method === 'POST'
        ? { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8', accept: 'text/xml, */*' }
        : { accept: 'text/xml, text/plain, */*' };
    const answer = await timedFetch(req.url, { method: req.method, headers, body: req.body }, transport);
    if (answer.ok) return answer;
    if (answer.reason === 'timeout') return fail('timeout', `微收银服务器 ${timeoutMs} 毫秒内无应答 / no answer within ${timeoutMs} ms`);
    if (answer.reason === 'too_large') return fail('response', `微收银应答过大（超过 ${MAX_XML_BYTES} 字节） / answer too large`);
    return fail('network', '无法连接微收银服务器或连接中断 / connection failed or dropped', {
      message: scrub(answer.detail, { hide: secrets() }),
    });
  }

  /**
   * One HTTP exchange: send, check the status, decode, record. `judge` says whether a decoded
   * answer counts as a success in the call record (e.g. a declined payment does not).
   */
  async function exchange<T extends object>(
    op: string,
    outNo: string | undefined,
    req: HttpRequest,
    decode: (text: string) => Result<T>,
    opts2: { authCode?: string; judge?: (value: T) => boolean } = {},
  ): Promise<Result<T>> {
    const started = performance.now();
    const answer = await send(req);
    let result: Result<T>;
    let text = '';
    if (!answer.ok) result = answer;
    else {
      text = answer.text;
      if (answer.status < 200 || answer.status > 299) {
        result = fail('response', `微收银服务器返回 HTTP ${answer.status} / server answered HTTP ${answer.status}`, {
          code: String(answer.status),
        });
      } else result = decode(text);
    }
    const good = result.ok && (opts2.judge ? opts2.judge(result) : true);
    const kind: ProviderErrorKind | undefined = result.ok ? (good ? undefined : 'declined') : result.error.kind;
    report(op, outNo, req, text, good, kind, started, opts2.authCode);
    return result;
  }

  function fromDecoded<T extends object>(d: Decoded<T>): Result<{ value: T }> {
    return d.ok ? { ok: true, value: d.value } : d;
  }

  function opRequest(params: Record<string, string>, key: string): HttpRequest {
    if (!config) throw new Error('weishouyin: op request before config');
    const signed = { ...params, sign: signParams(params, key) };
    const url = `${config.server}/o2o-dm/op.php`;
    return {
      method: 'POST',
      url,
      body: new URLSearchParams(signed).toString(),
      record: `POST ${url}\n${redactParams(signed)}`,
    };
  }

  function getRequest(url: string, params: Record<string, string>): HttpRequest {
    const q = new URLSearchParams(params).toString();
    return { method: 'GET', url: `${url}?${q}`, record: `GET ${url}?${redactParams(params)}` };
  }

  // --- activation and config -------------------------------------------------------------

  /** @see seeds/001 §1 设备激活 */
  async function activateWith(code: string): Promise<Result<{ activated: boolean; info: string }>> {
    usedCodes.push(code);
    const hostid = opts.hostId ? Buffer.from(opts.hostId, 'utf8').toString('base64') : defaultHostId();
    const req = getRequest(`${baseUrl}/o2o_dmprinter/app_device_register.php`, { hostid, initkey: code, retkey: '1' });
    const r = await exchange('activate', undefined, req, (t) => fromDecoded(decodeActivation(t)), {
      judge: (v) => v.value.status === 1,
    });
    if (!r.ok) return r;
    const a = r.value;
    if (a.status !== 1) return { ok: true, activated: false, info: a.info };
    store.set(STORE_DEVICE_ID, a.deviceId);
    store.set(STORE_KEY, a.key);
    return { ok: true, activated: true, info: a.info };
  }

  /** Tries the configured code, then one fresh code from `onActivationFailed`. */
  async function activate(): Promise<Result<{ credentials: Credentials }>> {
    const sources = [async () => opts.activationCode, async () => opts.onActivationFailed?.()];
    let refused: string | undefined;
    for (const next of sources) {
      const code = (await next())?.trim();
      if (!code) continue;
      const r = await activateWith(code);
      if (!r.ok) return r;
      if (r.activated) {
        const c = credentials();
        if (c) return { ok: true, credentials: c };
      }
      refused = r.info;
    }
    if (refused !== undefined) {
      return fail('config', `微收银设备激活失败：${refused || '激活码无效'} / activation refused`, { code: '0', message: refused });
    }
    return fail('config', '微收银设备未激活：没有可用的激活码 / not activated: no activation code');
  }

  /** @see seeds/001 §2 读取支付配置接口 */
  async function readConfig(c: Credentials) {
    const req = getRequest(`${baseUrl}/o2o_dmprinter/app.php`, {
      device_id: c.deviceId,
      ver,
      sign: configSign(c.key, c.deviceId, ver),
    });
    return exchange('config', undefined, req, (t) => fromDecoded(decodeConfig(t)), { judge: (v) => v.value.status === 1 });
  }

  function toMethods(cfg: PayConfig): ProviderMethod[] {
    return cfg.methods.map((m) => {
      const method: ProviderMethod = { id: `weishouyin:${m.code}`, code: m.code, name: m.name, kind: 'barcode' };
      if (m.codeRegex) method.codePattern = m.codeRegex;
      return method;
    });
  }

  async function doInit(): Promise<Result<{ methods: ProviderMethod[] }>> {
    let c = credentials();
    if (!c) {
      const a = await activate();
      if (!a.ok) return a;
      c = a.credentials;
    }
    let r = await readConfig(c);
    if (r.ok && r.value.status === -1 && !c.fromOptions) {
      // 设备密钥错误 / device deleted: the seed says to activate again.
      store.delete(STORE_DEVICE_ID);
      store.delete(STORE_KEY);
      const a = await activate();
      if (!a.ok) return a;
      c = a.credentials;
      r = await readConfig(c);
    }
    if (!r.ok) return r;
    const answer = r.value;
    if (answer.status !== 1) {
      const kind: ProviderErrorKind = isSignInfo(answer.info) ? 'sign' : 'config';
      const hint = c.fromOptions ? '请检查配置的设备编号与密钥' : '请重新激活设备';
      return fail(kind, `读取微收银支付配置失败：${answer.info || '设备错误'}，${hint} / config read refused`, {
        code: String(answer.status),
        message: answer.info,
      });
    }
    config = answer.config;
    methods = toMethods(config);
    return { ok: true, methods: [...methods] };
  }

  async function init(): Promise<Result<{ methods: ProviderMethod[] }>> {
    if (!inflight) {
      inflight = doInit()
        .then((r) => {
          lastMessage = r.ok ? undefined : r.error.message;
          // A config already read survives a transient failure (the server was briefly unreachable);
          // a refusal (device deleted, key wrong, activation refused) does not.
          const transient = !r.ok && ['network', 'timeout', 'response'].includes(r.error.kind);
          if (!r.ok && !transient) {
            config = undefined;
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

  function ready(): Result<{ credentials: Credentials; config: PayConfig }> {
    const c = credentials();
    if (!c || !config) return fail('config', '微收银未激活或未读取支付配置 / not activated or config not read');
    return { ok: true, credentials: c, config };
  }

  // --- payments --------------------------------------------------------------------------

  function mapPay(a: PayAnswer, expectedFen: number, knownRef?: string): Result<PayOutcome> {
    const provider = { code: String(a.status), message: a.info };
    if (knownRef && a.dmId && a.dmId !== knownRef) {
      return fail('response', `微收银应答的账单号与请求不符 / bill number mismatch`, provider);
    }
    if (a.status === 1) {
      if (!a.dmId || a.totalFen === undefined) {
        return fail('response', '微收银支付应答缺少账单号或金额 / paid answer incomplete', provider);
      }
      if (a.totalFen !== expectedFen) {
        return fail('response', `微收银应答金额与订单金额不符 / amount mismatch (${a.totalFen} ≠ ${expectedFen} fen)`, provider);
      }
      const out: PayOutcome = { state: 'paid', providerRef: a.dmId, amountFen: a.totalFen, providerCode: '1' };
      if (a.payId) out.tradeNo = a.payId;
      if (a.paidAt) out.paidAt = a.paidAt;
      if (a.printinfo !== undefined) out.printinfo = a.printinfo;
      if (a.info) out.message = a.info;
      return { ok: true, ...out };
    }
    if (a.status === -1) {
      const out: PayOutcome = { state: 'paying', message: a.info || '等待用户输入密码 / waiting for the customer', providerCode: '-1' };
      if (a.dmId ?? knownRef) out.providerRef = a.dmId ?? knownRef;
      return { ok: true, ...out };
    }
    if (isSignInfo(a.info)) return fail('sign', `微收银拒绝了签名：${a.info} / signature refused`, provider);
    const out: PayOutcome = { state: 'failed', message: a.info || '支付失败 / payment failed', providerCode: '0' };
    if (a.dmId ?? knownRef) out.providerRef = a.dmId ?? knownRef;
    return { ok: true, ...out };
  }

  function checkItems(req: PayRequest): ProviderError | undefined {
    for (const item of req.items ?? []) {
      if (
        !item ||
        typeof item.name !== 'string' ||
        !Number.isSafeInteger(item.unitFen) ||
        item.unitFen < 0 ||
        typeof item.quantity !== 'number' ||
        !Number.isFinite(item.quantity) ||
        Math.round(item.quantity * 100) <= 0
      ) {
        return { kind: 'params', message: '商品明细不正确（单价须为整数分，数量须大于 0） / invalid cart item' };
      }
    }
    return undefined;
  }

  /** @see seeds/001 §4 3.1 刷卡支付 */
  async function pay(req: PayRequest): Promise<Result<PayOutcome>> {
    const r = ready();
    if (!r.ok) return r;
    if (!isValidAmountFen(req.amountFen, Number.MAX_SAFE_INTEGER)) {
      return fail('params', '金额须为大于 0 的整数分 / amount must be a positive whole number of fen');
    }
    const authCode = typeof req.authCode === 'string' ? req.authCode.trim() : '';
    if (!/^\d{10,32}$/.test(authCode)) return fail('params', '付款码格式不正确 / malformed payment code');
    const method = r.config.methods.find((m) => m.code === req.method?.code);
    if (!method) return fail('config', `微收银未配置该支付方式：${req.method?.name ?? req.method?.code ?? ''} / method not configured`);
    if (method.codeRegex && !new RegExp(method.codeRegex).test(authCode)) {
      return fail('params', `付款码不是${method.name}的付款码 / payment code does not match the method`);
    }
    const itemError = checkItems(req);
    if (itemError) return { ok: false, error: itemError };
    const params = encodeMicropay({
      deviceId: r.credentials.deviceId,
      authCode,
      payType: method.code,
      totalFen: req.amountFen,
      items: req.items,
      branch: req.outNo,
      at: now(),
      noremind: opts.noremind,
    });
    const res = await exchange('micropay', req.outNo, opRequest(params, r.credentials.key), (t) => fromDecoded(decodePayAnswer(t)), {
      authCode,
      judge: (v) => v.value.status !== 0,
    });
    if (!res.ok) return res;
    return mapPay(res.value, req.amountFen);
  }

  /** @see seeds/001 §4 3.2.2 查询接口 (by dm_id), 3.2.1 超时订单查询接口 (by authcode) */
  async function query(ref: PaymentRef): Promise<Result<PayOutcome>> {
    const r = ready();
    if (!r.ok) return r;
    const authCode = ref.authCode?.trim();
    if (!ref.providerRef && !authCode) return fail('params', '查询需要微收银账单号或付款码 / need dm_id or payment code');
    const params = encodeQuery({
      deviceId: r.credentials.deviceId,
      dmId: ref.providerRef,
      authCode: ref.providerRef ? undefined : authCode,
      payType: ref.method?.code,
      noremind: opts.noremind,
    });
    const res = await exchange('query', ref.outNo, opRequest(params, r.credentials.key), (t) => fromDecoded(decodePayAnswer(t)), {
      authCode,
      judge: (v) => v.value.status !== 0,
    });
    if (!res.ok) return res;
    return mapPay(res.value, ref.amountFen, ref.providerRef);
  }

  /** The seed has no cancel or reverse call. @see seeds/001 接口列表 */
  async function cancel(_ref: PaymentRef): Promise<Result<{ state: 'cancelled' }>> {
    return fail('unsupported', '微收银没有撤销/关单接口，只能查询后退款 / 微收银 has no cancel call');
  }

  function refusal(info: string, what: string): { ok: false; error: ProviderError } {
    const provider = { code: '0', message: info };
    if (isSignInfo(info)) return fail('sign', `微收银拒绝了签名：${info} / signature refused`, provider);
    if (info.includes('不存在')) return fail('not_found', `${what}：${info} / not found`, provider);
    return fail('declined', `${what}：${info || '被拒绝'} / refused`, provider);
  }

  /**
   * Partial refunds are allowed. The seed's refund call carries no refund number, so the provider
   * cannot deduplicate a retried refund: after an unknown outcome, read the bill before retrying.
   * @see seeds/001 §4 3.3 申请退款
   */
  async function refund(ref: PaymentRef, rq: { refundNo: string; amountFen: number }): Promise<Result<RefundOutcome>> {
    const r = ready();
    if (!r.ok) return r;
    if (!ref.providerRef) return fail('params', '退款需要微收银账单号（dm_id） / refund needs the bill number');
    if (!isValidAmountFen(rq.amountFen, Number.MAX_SAFE_INTEGER)) {
      return fail('params', '退款金额须为大于 0 的整数分 / refund must be a positive whole number of fen');
    }
    const params = encodeRefund({ deviceId: r.credentials.deviceId, dmId: ref.providerRef, refundFen: rq.amountFen });
    const res = await exchange('refund', ref.outNo, opRequest(params, r.credentials.key), (t) => fromDecoded(decodeRefundAnswer(t)), {
      authCode: ref.authCode,
      judge: (v) => v.value.status === 1,
    });
    if (!res.ok) return res;
    const a = res.value;
    if (a.status !== 1) return refusal(a.info, '微收银拒绝退款');
    if (a.totalFen === undefined || -a.totalFen !== rq.amountFen) {
      return fail('response', `微收银退款应答金额不符 / refund amount mismatch`, { code: '1', message: a.info });
    }
    const out: RefundOutcome = { state: 'refunded', amountFen: rq.amountFen, providerRef: a.dmId ?? ref.providerRef };
    if (a.refundedAt) out.refundedAt = a.refundedAt;
    if (a.printinfo !== undefined) out.printinfo = a.printinfo;
    if (a.info) out.message = a.info;
    return { ok: true, ...out };
  }

  /** One `read`, answered as it came (ok=0 included). @see seeds/001 §4 3.4 读取账单接口 */
  async function readBill(ref: PaymentRef): Promise<Result<{ value: ReadAnswer }>> {
    const r = ready();
    if (!r.ok) return r;
    if (!ref.providerRef) return fail('params', '读取账单需要微收银账单号（dm_id） / need the bill number');
    const params = encodeRead({ deviceId: r.credentials.deviceId, dmId: ref.providerRef });
    return exchange('read', ref.outNo, opRequest(params, r.credentials.key), (t) => fromDecoded(decodeReadAnswer(t)), {
      authCode: ref.authCode,
      judge: (v) => v.value.status === 1,
    });
  }

  /** @see seeds/001 §4 3.4 读取账单接口 */
  async function bill(ref: PaymentRef): Promise<Result<Bill>> {
    const res = await readBill(ref);
    if (!res.ok) return res;
    const a = res.value;
    if (a.status !== 1) return refusal(a.info, '读取微收银账单失败');
    if (a.payTotalFen === undefined) return fail('response', '微收银账单缺少金额 / bill without amount');
    const out: Bill = {
      providerRef: a.dmId ?? ref.providerRef!,
      amountFen: a.payTotalFen,
      refundedFen: 0 - a.refundTotalFen,
      lines: a.lines.map((l) => {
        const line: Bill['lines'][number] = { amountFen: l.totalFen };
        if (l.at) line.at = l.at;
        if (l.payId) line.tradeNo = l.payId;
        if (l.payName) line.methodName = l.payName;
        return line;
      }),
    };
    if (a.paidAt) out.paidAt = a.paidAt;
    return { ok: true, ...out };
  }

  /**
   * The day's books, read bill by bill (the seed has no day list): every known payment with a dm_id,
   * four at a time. See day-bill.ts for what the entries mean.
   * @see seeds/001 §4 3.4 读取账单接口
   */
  async function dayBill(req: DayBillRequest): Promise<Result<DayBill>> {
    const r = ready();
    if (!r.ok) return r;
    const day = dayRange(req?.day);
    if (!day) return fail('params', '对账日期须为 YYYY-MM-DD / the day must be YYYY-MM-DD');
    const refs: PaymentRef[] = [];
    const seen = new Set<string>();
    for (const ref of Array.isArray(req.known) ? req.known : []) {
      if (!ref?.providerRef || seen.has(ref.providerRef)) continue;
      seen.add(ref.providerRef);
      refs.push(ref);
    }
    const read = await inPool(refs, READ_CONCURRENCY, async (ref): Promise<Result<{ value: ProviderBillEntry | undefined }>> => {
      const res = await readBill(ref);
      if (!res.ok) return res;
      const a = res.value;
      if (a.status === 1) {
        if (a.payTotalFen === undefined) return fail('response', `微收银账单 ${ref.providerRef} 缺少金额 / bill without amount`);
        if (a.dmId && a.dmId !== ref.providerRef) return fail('response', '微收银应答的账单号与请求不符 / bill number mismatch');
        return { ok: true, value: readEntry(a, ref, day) };
      }
      if (a.info.includes('不存在')) return { ok: true, value: undefined };
      if (a.info.includes('未支付')) return { ok: true, value: unpaidEntry(ref) };
      return refusal(a.info, `读取微收银账单 ${ref.providerRef} 失败`);
    });
    if (!read.ok) return read;
    return { ok: true, entries: read.values.filter((e): e is ProviderBillEntry => !!e), complete: false };
  }

  /** @see seeds/001 §4 3.5 补打小票接口 */
  async function reprint(ref: PaymentRef): Promise<Result<{ printinfo: string }>> {
    const r = ready();
    if (!r.ok) return r;
    if (!ref.providerRef) return fail('params', '补打小票需要微收银账单号（dm_id） / need the bill number');
    const url = `${r.config.server}/o2o-dm/pay_printinfo.php?reprint&dm_id=${encodeURIComponent(dmDigits(ref.providerRef))}&custom_series=0`;
    const req: HttpRequest = { method: 'GET', url, record: `GET ${url}` };
    return exchange('reprint', ref.outNo, req, (text): Result<{ printinfo: string }> => {
      if (/^\s*</.test(text)) {
        const s = decodeStatus(text);
        if (!s.ok) return s;
        return refusal(s.value.info, '微收银补打小票失败');
      }
      // For a bill it does not know, the seed's server prints an empty receipt dated 1970-01-01 08:00:00.
      if (!text.trim() || text.includes('1970-01-01 08:00:00')) {
        return fail('not_found', '微收银没有这张账单的小票 / no receipt for this bill');
      }
      return { ok: true, printinfo: decodePrintinfo(text) };
    });
  }

  /** @see seeds/001 §3 获取时间接口 */
  async function time(): Promise<Result<{ time: string }>> {
    const c = credentials();
    if (!c) return fail('config', '微收银未激活 / not activated');
    const server = config?.server ?? baseUrl;
    const req = getRequest(`${server}/o2o_dmprinter/time.php`, { device_id: c.deviceId, sign: timeSign(c.deviceId) });
    return exchange(
      'time',
      undefined,
      req,
      (text): Result<{ time: string }> => {
        const d = decodeTime(text);
        if (!d.ok) return d;
        if (d.value.status !== 1) return refusal(d.value.info, '读取微收银时间失败');
        return { ok: true, time: d.value.time };
      },
    );
  }

  function info(): ProviderInfo {
    const out: ProviderInfo = { ready: !!config && !!credentials() };
    if (!out.ready && lastMessage) out.message = lastMessage;
    if (config?.clientName) out.storeName = config.clientName;
    return out;
  }

  return {
    id: 'weishouyin',
    init,
    info,
    methods: () => [...methods],
    pay,
    query,
    cancel,
    refund,
    bill,
    dayBill,
    reprint,
    time,
    payConfig: () => config,
    paidReceipt: (facts) => payremindReceipt(config, facts),
    billFooter: (facts) => qrcodeBillFooter(config, facts),
  };
}
