/**
 * 微收银 request/response mapping. Pure: no I/O.
 *
 * Answers are XML (`<dm ok="1" ... />`). They are parsed defensively: size-capped, DOCTYPE/ENTITY
 * and characters XML does not allow refused before the parser sees them, parsed with explicit limits
 * and XML's own entities only (../provider-xml.ts), every value kept as a string (no number coercion:
 * "0.01", "dm0123" and "4200000067201804213236197646" must survive exactly), then decoded into typed
 * values.
 * Yuan strings become fen through contract/money.ts only.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { formatYuan, parseYuan } from '../../../contract/money.ts';
import type { CartItem } from '../../../contract/api.ts';
import { forbiddenCharacter, HARDENED_PARSER_OPTIONS } from '../provider-xml.ts';
import type { ProviderError } from '../types.ts';
import { providerError } from './errors.ts';

/** Largest answer we parse. The seed's largest answer is about 4 KiB. */
export const MAX_XML_BYTES = 256 * 1024;

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: ProviderError };

/** `ok` attribute of every answer: 1 success, 0 failure, -1 waiting (pay) or device error (config). */
export type DmStatus = 1 | 0 | -1;

type XmlElement = Record<string, unknown>;

const A = '@_';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: A,
  parseAttributeValue: false,
  parseTagValue: false,
  // printinfo is whitespace-sensitive (line ends are printer line feeds).
  trimValues: false,
  // &amp; &lt; &gt; &quot; &apos; and numeric references to allowed characters (&#10;) only; at most
  // MAX_XML_DEPTH deep. DOCTYPE-declared entities never get this far.
  ...HARDENED_PARSER_OPTIONS,
  isArray: (name, _jpath, _leaf, isAttribute) => !isAttribute && (name === 'dm_code' || name === 'pay'),
});

function bad(message: string, detail?: string): { ok: false; error: ProviderError } {
  return { ok: false, error: providerError('response', message, detail ? { message: detail } : undefined) };
}

/**
 * The seed's config example has `{total}"qrcode_template="...` with no space between two attributes,
 * which a strict validator refuses. Inside a tag a `"`/`'` that closes a value and is directly followed
 * by a name character gets a space. Values cannot contain their own quote, so this is unambiguous.
 */
function spaceAttributes(xml: string): string {
  let out = '';
  let inTag = false;
  let quote = '';
  for (let i = 0; i < xml.length; i++) {
    const ch = xml[i];
    out += ch;
    if (quote) {
      if (ch === quote) {
        quote = '';
        const next = xml[i + 1];
        if (next !== undefined && /[A-Za-z_:]/.test(next)) out += ' ';
      }
    } else if (inTag) {
      if (ch === '"' || ch === "'") quote = ch;
      else if (ch === '>') inTag = false;
    } else if (ch === '<') {
      const next = xml[i + 1];
      // Element tags only; comments, CDATA and processing instructions are left alone.
      inTag = next !== undefined && /[A-Za-z_]/.test(next);
    }
  }
  return out;
}

/**
 * Parses an answer into an object tree, refusing what a hostile or broken server could send.
 * @see seeds/001 §4 (返回结果 参数为xml格式)
 */
export function parseXml(text: string): Decoded<XmlElement> {
  if (typeof text !== 'string') return bad('微收银应答为空 / empty answer');
  if (Buffer.byteLength(text, 'utf8') > MAX_XML_BYTES) {
    return bad(`微收银应答过大（超过 ${MAX_XML_BYTES} 字节） / answer too large`);
  }
  if (/<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST)/i.test(text)) {
    return bad('微收银应答含 DOCTYPE/ENTITY，已拒绝 / XML with DOCTYPE or ENTITY refused');
  }
  const forbidden = forbiddenCharacter(text);
  if (forbidden) return bad('微收银应答含有 XML 不允许的字符 / answer has a character XML does not allow', forbidden);
  const xml = spaceAttributes(text.replace(/^\uFEFF/, ''));
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    return bad('微收银应答不是有效的 XML / malformed XML', `${valid.err.code}: ${valid.err.msg} (line ${valid.err.line})`);
  }
  try {
    return { ok: true, value: parser.parse(xml) as XmlElement };
  } catch (e) {
    return bad('微收银应答无法解析 / unparseable XML', e instanceof Error ? e.message : String(e));
  }
}

function asElement(node: unknown): XmlElement {
  if (node && typeof node === 'object' && !Array.isArray(node)) return node as XmlElement;
  return {};
}

function attr(el: XmlElement, name: string): string | undefined {
  const v = el[A + name];
  return typeof v === 'string' ? v : undefined;
}

/** Text of a leaf child element (`<id>2032288236</id>`). */
function childText(el: XmlElement, name: string): string | undefined {
  const v = el[name];
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const t = (v as XmlElement)['#text'];
    return typeof t === 'string' ? t : '';
  }
  return undefined;
}

function list(node: unknown): XmlElement[] {
  return Array.isArray(node) ? node.map(asElement) : node === undefined ? [] : [asElement(node)];
}

/** Parses and returns the `<dm>` root with its `ok` status. */
function dmRoot(text: string): Decoded<{ dm: XmlElement; status: DmStatus; info: string }> {
  const parsed = parseXml(text);
  if (!parsed.ok) return parsed;
  if (!('dm' in parsed.value)) return bad('微收银应答缺少 <dm> 元素 / answer has no <dm> element');
  const dm = asElement(parsed.value.dm);
  const ok = attr(dm, 'ok')?.trim();
  if (ok !== '1' && ok !== '0' && ok !== '-1') return bad('微收银应答缺少 ok 状态 / answer has no ok status', `ok=${ok ?? ''}`);
  return { ok: true, value: { dm, status: Number(ok) as DmStatus, info: attr(dm, 'info') ?? '' } };
}

/**
 * "2018-04-21 18:58:01" (China time, as the seed prints it) or the time call's "20180710164245"
 * → "2018-04-21T18:58:01+08:00". Anything else → undefined.
 * @see seeds/001 §3 获取时间接口, §4 3.1 刷卡支付 (pay_time)
 */
export function chinaTimeToIso(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const m =
    /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(text.trim()) ??
    /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text.trim());
  if (!m) return undefined;
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}+08:00`;
}

/**
 * A Date as China wall-clock time, "2018-04-22 10:50:24" (the item list header).
 * @see seeds/001 §4 3.1 刷卡支付 (单品上传模式1: "NO. 2018-04-22 10:50:24")
 */
export function chinaTime(date: Date): string {
  const t = new Date(date.getTime() + 8 * 3600_000).toISOString();
  return `${t.slice(0, 10)} ${t.slice(11, 19)}`;
}

function yuanField(
  value: string | undefined,
  field: string,
  opts: { allowNegative?: boolean } = {},
): Decoded<number | undefined> {
  if (value === undefined || value.trim() === '') return { ok: true, value: undefined };
  const parsed = parseYuan(value, opts);
  if (!parsed.ok) return bad(`微收银应答金额无法识别（${field}） / unreadable amount`, `${field}=${value} (${parsed.reason})`);
  return { ok: true, value: parsed.fen };
}

/**
 * Literal `\xNN` (any case) → the character U+00NN (ESC/POS control codes), literal `\r` `\n` `\t`
 * → CR, LF, TAB. Real line ends and all other text (Chinese, ¥/￥) are kept as they are.
 * @see seeds/001 §2 (payremind_template), §4 3.1 (printinfo), §4 3.5 补打小票接口
 */
export function decodePrintinfo(text: string): string {
  return text.replace(/\\(?:[xX]([0-9a-fA-F]{2})|([rnt]))/g, (_m, hex: string | undefined, c: string | undefined) => {
    if (hex) return String.fromCharCode(parseInt(hex, 16));
    return c === 'r' ? '\r' : c === 'n' ? '\n' : '\t';
  });
}

/**
 * The config's `coderegex` as a JavaScript RegExp source. The seed prints `^1[0-5]\d{16}\$` (a
 * PHP-escaped `$`) in one table and `^1[0-5]\d{16}$` in the XML: a trailing `\$` becomes `$`.
 * PHP delimiters (`/.../i`) are removed. Undefined when the result does not compile.
 * @see seeds/001 §2 读取支付配置接口 (coderegex, cancelregex)
 */
export function normaliseCodeRegex(source: string | undefined): string | undefined {
  if (!source) return undefined;
  let s = source.trim();
  const delimited = /^\/(.*)\/[a-zA-Z]*$/.exec(s);
  if (delimited) s = delimited[1];
  s = s.replace(/\\\$$/, '$');
  if (!s) return undefined;
  try {
    new RegExp(s);
    return s;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Decoders
// ---------------------------------------------------------------------------------------------

export type ActivationAnswer =
  | { status: 1; info: string; deviceId: string; key: string }
  | { status: 0 | -1; info: string };

/**
 * `<dm ok="1" device_id="123" key="12345" info="设备已成功注册!" />` or `<dm ok="0" info="初始密钥不存在!" />`.
 * @see seeds/001 §1 设备激活
 */
export function decodeActivation(text: string): Decoded<ActivationAnswer> {
  const root = dmRoot(text);
  if (!root.ok) return root;
  const { dm, status, info } = root.value;
  if (status !== 1) return { ok: true, value: { status, info } };
  const deviceId = attr(dm, 'device_id')?.trim();
  const key = attr(dm, 'key')?.trim();
  if (!deviceId || !key) return bad('激活应答缺少 device_id 或 key / activation answer incomplete');
  return { ok: true, value: { status, info, deviceId, key } };
}

export interface PayMethodConfig {
  /** 支付方式的编号, e.g. "4". */
  type: string;
  /** The `paytype` sent with micropay, e.g. "o2o_dm_code_wxpaysub". */
  code: string;
  name: string;
  /** JavaScript RegExp source, normalised; undefined when the provider's would not compile. */
  codeRegex?: string;
  cancelRegex?: string;
}

export interface PayConfig {
  server: string;
  deviceId: string;
  clientId?: string;
  /** 商户名称-设备名称 */
  clientName: string;
  refundTimeLimit?: string;
  /** Print templates with `\xNN` escapes decoded; `{placeholders}` left for fillTemplate. */
  templates: { payremind: string; payremindPopup: string; qrcode: string; redpack: string };
  qrcodeLogo?: string;
  qrcodeImage?: string;
  micropayTotalRegex?: string;
  /** `wxpayremind_print_count`: copies of the 微信支付凭证 to print (1 when absent). */
  payremindCopies: number;
  /** license_* flags as sent ("1" = licensed). */
  licenses: Record<string, string>;
  methods: PayMethodConfig[];
}

export type ConfigAnswer = { status: 1; info: string; config: PayConfig } | { status: 0 | -1; info: string };

/**
 * The pay config: server, store name, print templates, and one `<dm_code>` per payment method.
 * @see seeds/001 §2 读取支付配置接口
 */
export function decodeConfig(text: string): Decoded<ConfigAnswer> {
  const root = dmRoot(text);
  if (!root.ok) return root;
  const { dm, status, info } = root.value;
  if (status !== 1) return { ok: true, value: { status, info } };
  const server = attr(dm, 'server')?.trim();
  if (!server || !/^https?:\/\/[^\s]+$/i.test(server)) return bad('支付配置缺少有效的 server 地址 / config has no valid server', `server=${server ?? ''}`);
  const licenses: Record<string, string> = {};
  for (const [k, v] of Object.entries(dm)) {
    if (k.startsWith(A + 'license_') && typeof v === 'string') licenses[k.slice(A.length + 'license_'.length)] = v;
  }
  const methods: PayMethodConfig[] = [];
  for (const el of list(dm.dm_code)) {
    const code = attr(el, 'code')?.trim();
    if (!code) continue;
    methods.push({
      type: attr(el, 'type')?.trim() ?? '',
      code,
      name: attr(el, 'name')?.trim() || code,
      codeRegex: normaliseCodeRegex(attr(el, 'coderegex')),
      cancelRegex: normaliseCodeRegex(attr(el, 'cancelregex')),
    });
  }
  // XML attribute-value normalisation (XML 1.0 §3.3.3, which the parser does not do): a line break
  // in an attribute is a space. Line breaks a template means are written `\r\n` and decoded after.
  const tpl = (name: string) => decodePrintinfo((attr(dm, name) ?? '').replace(/\r\n|[\r\n\t]/g, ' '));
  return {
    ok: true,
    value: {
      status,
      info,
      config: {
        server: server.replace(/\/+$/, ''),
        deviceId: attr(dm, 'device_id') ?? '',
        clientId: attr(dm, 'client_id'),
        clientName: attr(dm, 'client_name') ?? '',
        refundTimeLimit: attr(dm, 'refund_timelimit'),
        templates: {
          payremind: tpl('payremind_template'),
          payremindPopup: tpl('payremind_template_popup'),
          qrcode: tpl('qrcode_template'),
          redpack: tpl('redpack_template'),
        },
        qrcodeLogo: attr(dm, 'qrcode_logo'),
        qrcodeImage: attr(dm, 'qrcode_image'),
        micropayTotalRegex: attr(dm, 'micropay_total_regex') || undefined,
        payremindCopies: Number.parseInt(attr(dm, 'wxpayremind_print_count') ?? '', 10) || 1,
        licenses,
        methods,
      },
    },
  };
}

export type TimeAnswer = { status: 1; info: string; time: string } | { status: 0 | -1; info: string };

/**
 * `<dm ok="1" time="20180710164245" />` → time "2018-07-10T16:42:45+08:00".
 * @see seeds/001 §3 获取时间接口
 */
export function decodeTime(text: string): Decoded<TimeAnswer> {
  const root = dmRoot(text);
  if (!root.ok) return root;
  const { dm, status, info } = root.value;
  if (status !== 1) return { ok: true, value: { status, info } };
  const time = chinaTimeToIso(attr(dm, 'time'));
  if (!time) return bad('时间应答无法识别 / unreadable time', `time=${attr(dm, 'time') ?? ''}`);
  return { ok: true, value: { status, info, time } };
}

/** The first `<paylist><pay>` of an answer: the receipt lines. */
export interface PaylistEntry {
  id?: string;
  deviceId?: string;
  company?: string;
  paymode?: string;
  /** `total_fee` as sent: fen for WeChat ("1" for 0.01). Kept as text; not used for money. */
  totalFee?: string;
  time?: string;
  /** Decoded printinfo. */
  printinfo?: string;
}

function paylistEntry(dm: XmlElement): PaylistEntry | undefined {
  const pay = list(asElement(dm.paylist).pay)[0];
  if (!pay) return undefined;
  const printinfo = childText(pay, 'printinfo');
  return {
    id: childText(pay, 'id'),
    deviceId: childText(pay, 'device_id'),
    company: childText(pay, 'company'),
    paymode: childText(pay, 'paymode'),
    totalFee: childText(pay, 'total_fee'),
    time: chinaTimeToIso(childText(pay, 'time')),
    printinfo: printinfo === undefined ? undefined : decodePrintinfo(printinfo),
  };
}

export interface PayAnswer {
  status: DmStatus;
  info: string;
  dmId?: string;
  totalFen?: number;
  /** 支付类型编号 ("4" = 微信 in the seed). */
  payType?: string;
  paidAt?: string;
  /** The wallet's transaction number. */
  payId?: string;
  openid?: string;
  printinfo?: string;
  paylist?: PaylistEntry;
}

/**
 * Answer of micropay and of both query calls (same attributes; paylist when noremind was not sent).
 * @see seeds/001 §4 3.1 刷卡支付, 3.2.1 超时订单查询接口, 3.2.2 查询接口
 */
export function decodePayAnswer(text: string): Decoded<PayAnswer> {
  const root = dmRoot(text);
  if (!root.ok) return root;
  const { dm, status, info } = root.value;
  const total = yuanField(attr(dm, 'total'), 'total');
  if (!total.ok) return total;
  const paylist = paylistEntry(dm);
  return {
    ok: true,
    value: {
      status,
      info,
      dmId: attr(dm, 'dm_id')?.trim() || undefined,
      totalFen: total.value,
      payType: attr(dm, 'pay_type'),
      paidAt: chinaTimeToIso(attr(dm, 'pay_time')),
      payId: attr(dm, 'pay_id')?.trim() || undefined,
      openid: attr(dm, 'openid'),
      printinfo: paylist?.printinfo,
      paylist,
    },
  };
}

export interface RefundAnswer {
  status: DmStatus;
  info: string;
  dmId?: string;
  /** The refunded amount as sent: negative ("-0.01" → -1). */
  totalFen?: number;
  payType?: string;
  /** The refund's time (the seed's `pay_time` of a refund answer is the refund time). */
  refundedAt?: string;
  payId?: string;
  typeId?: string;
  printinfo?: string;
}

/**
 * @see seeds/001 §4 3.3 申请退款
 */
export function decodeRefundAnswer(text: string): Decoded<RefundAnswer> {
  const root = dmRoot(text);
  if (!root.ok) return root;
  const { dm, status, info } = root.value;
  const total = yuanField(attr(dm, 'total'), 'total', { allowNegative: true });
  if (!total.ok) return total;
  return {
    ok: true,
    value: {
      status,
      info,
      dmId: attr(dm, 'dm_id')?.trim() || undefined,
      totalFen: total.value,
      payType: attr(dm, 'pay_type'),
      refundedAt: chinaTimeToIso(attr(dm, 'pay_time')),
      payId: attr(dm, 'pay_id')?.trim() || undefined,
      typeId: attr(dm, 'type_id'),
      printinfo: paylistEntry(dm)?.printinfo,
    },
  };
}

export interface ReadLine {
  payType?: string;
  payName?: string;
  /** Positive for the payment, negative for each refund. */
  totalFen: number;
  at?: string;
  payId?: string;
}

export interface ReadAnswer {
  status: DmStatus;
  info: string;
  dmId?: string;
  /** 微信 / 支付宝 (the read answer's pay_type is the name). */
  payType?: string;
  payTotalFen?: number;
  paidAt?: string;
  /** Sum of the refunds as sent, ≤ 0; 0 when `refund_total` is absent. */
  refundTotalFen: number;
  lines: ReadLine[];
}

/**
 * The bill with one `<pay>` line per payment and per refund.
 * @see seeds/001 §4 3.4 读取账单接口
 */
export function decodeReadAnswer(text: string): Decoded<ReadAnswer> {
  const root = dmRoot(text);
  if (!root.ok) return root;
  const { dm, status, info } = root.value;
  const payTotal = yuanField(attr(dm, 'pay_total'), 'pay_total');
  if (!payTotal.ok) return payTotal;
  const refundTotal = yuanField(attr(dm, 'refund_total'), 'refund_total', { allowNegative: true });
  if (!refundTotal.ok) return refundTotal;
  const lines: ReadLine[] = [];
  for (const el of list(dm.pay)) {
    const fen = yuanField(attr(el, 'pay_total'), 'pay.pay_total', { allowNegative: true });
    if (!fen.ok) return fen;
    if (fen.value === undefined) return bad('账单明细缺少金额 / bill line without amount');
    lines.push({
      payType: attr(el, 'pay_type'),
      payName: attr(el, 'pay_name'),
      totalFen: fen.value,
      at: chinaTimeToIso(attr(el, 'pay_time')),
      payId: attr(el, 'pay_id'),
    });
  }
  return {
    ok: true,
    value: {
      status,
      info,
      dmId: attr(dm, 'dm_id')?.trim() || undefined,
      payType: attr(dm, 'pay_type'),
      payTotalFen: payTotal.value,
      paidAt: chinaTimeToIso(attr(dm, 'pay_time')),
      refundTotalFen: refundTotal.value ?? 0,
      lines,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Encoders (parameter sets without `sign`; the client signs them with sign.ts)
// ---------------------------------------------------------------------------------------------

/**
 * `hostid`: `<host cpu="..." mac="..." />`, base64 of its UTF-8 bytes.
 * @see seeds/001 §1 设备激活 (建议hostid内容格式)
 */
export function encodeHostId(host: { cpu: string; mac: string }): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return Buffer.from(`<host cpu="${esc(host.cpu)}" mac="${esc(host.mac)}" />`, 'utf8').toString('base64');
}

function itemName(name: string): string {
  return name.replace(/\s+/g, ' ').trim() || '商品';
}

/** Quantity in hundredths (integers exact; weighed 0.5 → 50). */
function hundredths(quantity: number): number {
  return Math.round(quantity * 100);
}

/**
 * Items in the seed's "单品上传模式1" layout, CRLF line ends (the appendix's URL-encoded form shows
 * %0D%0A, including after the last line):
 * ```
 * 分店:<branch> NO. 2018-04-22 10:50:24
 * 货号/品名 单价 数量 小计
 * 双汇王中王80克 2.80 1.00 2.80
 * GS1:6902890227670
 * ```
 * `info` is "分店", as in the seed's mode-1 example (mode 2 fixes it to "GS").
 * @see seeds/001 §4 3.1 刷卡支付 (单品上传模式1)
 */
export function encodeItems(items: CartItem[], header: { branch: string; at: Date }): { info: string; infoaddo: string } {
  const lines = [`分店:${itemName(header.branch)} NO. ${chinaTime(header.at)}`, '货号/品名 单价 数量 小计'];
  for (const item of items) {
    const q = hundredths(item.quantity);
    if (!Number.isSafeInteger(item.unitFen) || item.unitFen < 0 || !(q > 0)) {
      throw new RangeError(`invalid cart item: ${JSON.stringify(item)}`);
    }
    // Integer arithmetic: subtotal fen = unitFen × quantity, rounded half up for weighed items.
    const subtotalFen = Math.floor((item.unitFen * q + 50) / 100);
    lines.push(`${itemName(item.name)} ${formatYuan(item.unitFen)} ${formatYuan(q)} ${formatYuan(subtotalFen)}`);
    const barcode = item.barcode?.trim();
    if (barcode && /^[0-9A-Za-z-]{1,64}$/.test(barcode)) lines.push(`GS1:${barcode}`);
  }
  return { info: '分店', infoaddo: lines.map((l) => `${l}\r\n`).join('') };
}

/**
 * @see seeds/001 §4 3.1 刷卡支付
 */
export function encodeMicropay(p: {
  deviceId: string;
  authCode: string;
  payType: string;
  totalFen: number;
  items?: CartItem[];
  branch?: string;
  at?: Date;
  noremind?: boolean;
}): Record<string, string> {
  const params: Record<string, string> = {
    action: 'micropay',
    device_id: p.deviceId,
    authcode: p.authCode,
    paytype: p.payType,
    total: formatYuan(p.totalFen),
  };
  if (p.items && p.items.length > 0) {
    Object.assign(params, encodeItems(p.items, { branch: p.branch ?? '', at: p.at ?? new Date() }));
  }
  if (p.noremind) params.noremind = '';
  return params;
}

/**
 * Query by bill number (查询接口) when known, else by payment code (超时订单查询接口).
 * The seed's tables name the method `pay_type` but its request examples send `paytype`; we send
 * `paytype`, as on the wire in the examples and as in micropay.
 * @see seeds/001 §4 3.2.1 超时订单查询接口, 3.2.2 查询接口
 */
export function encodeQuery(p: {
  deviceId: string;
  dmId?: string;
  authCode?: string;
  payType?: string;
  noremind?: boolean;
}): Record<string, string> {
  const params: Record<string, string> = { action: 'query', device_id: p.deviceId };
  if (p.dmId) params.dm_id = p.dmId;
  else if (p.authCode) params.authcode = p.authCode;
  else throw new TypeError('encodeQuery needs dmId or authCode');
  if (p.payType) params.paytype = p.payType;
  if (p.noremind) params.noremind = '';
  return params;
}

/**
 * @see seeds/001 §4 3.3 申请退款
 */
export function encodeRefund(p: { deviceId: string; dmId: string; refundFen: number }): Record<string, string> {
  return { action: 'refund', device_id: p.deviceId, dm_id: p.dmId, refund: formatYuan(p.refundFen) };
}

/**
 * @see seeds/001 §4 3.4 读取账单接口
 */
export function encodeRead(p: { deviceId: string; dmId: string }): Record<string, string> {
  return { action: 'read', device_id: p.deviceId, dm_id: p.dmId };
}

/**
 * The reprint call takes the bill number's digits ("dm2032288236" → "2032288236"), as in the seed's example.
 * @see seeds/001 §4 3.5 补打小票接口
 */
export function dmDigits(dmId: string): string {
  return dmId.replace(/^dm/i, '');
}

/**
 * Any `<dm ok="..." info="..." />` answer, for calls whose success is not XML (reprint) or to read
 * an error answer.
 * @see seeds/001 §1–§4 (ok=0 表示出错)
 */
export function decodeStatus(text: string): Decoded<{ status: DmStatus; info: string }> {
  const root = dmRoot(text);
  if (!root.ok) return root;
  return { ok: true, value: { status: root.value.status, info: root.value.info } };
}
