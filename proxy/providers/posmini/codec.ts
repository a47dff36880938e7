/**
 * posmini request/response mapping, JSON and XML. Pure: no I/O.
 *
 * Requests are written by hand in the seed's shapes: JSON with `paymentvalue` as a number literal
 * made by formatYuan (no float arithmetic), or DataContract XML with the seed's root, namespace and
 * element order. Answers are read defensively: size-capped; XML refused with DOCTYPE/ENTITY or a
 * character XML does not allow before the parser sees it, parsed with explicit limits and XML's own
 * entities only (../provider-xml.ts), namespace prefixes stripped (`d2p1:autoid` → `autoid`); JSON read
 * with every number kept as its literal text. Values stay strings until decoded into typed values;
 * yuan becomes fen through contract/money.ts only.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { formatYuan, parseYuan } from '../../../contract/money.ts';
import { forbiddenCharacter, HARDENED_PARSER_OPTIONS } from '../provider-xml.ts';
import { fail, type Failure } from './errors.ts';

/** The seed's one API. @see seeds/003 POST api/Pos/MiniProgram/Busi/Sell/Pay/WithWechat/Barcode */
export const PAY_PATH = 'api/Pos/MiniProgram/Busi/Sell/Pay/WithWechat/Barcode';
/** ASSUMPTION (not in the seed): the "other API" errcode 1 asks for. See client.ts. */
export const QUERY_PATH = 'api/Pos/MiniProgram/Busi/Sell/Pay/Query';
/** ASSUMPTION (not in the seed): reads a sales bill's total and what is paid. See client.ts. */
export const BILL_PATH = 'api/Pos/MiniProgram/Busi/Sell/Bill/Get';

/** Request parameter namespace. @see seeds/003 Request Formats (application/xml) */
export const PARM_NS = 'http://schemas.datacontract.org/2004/07/DigitalScience.DataTransfer.Tour.V5.Parm';
/** Answer envelope namespace. @see seeds/003 Response Formats (application/xml) */
export const RESULT_NS = 'http://schemas.datacontract.org/2004/07/DigitalScience.DataTransfer';
/** Namespace of the `tag` children (`d2p1:`). @see seeds/003 Response Formats (application/xml) */
export const TAG_NS = 'http://schemas.datacontract.org/2004/07/DigitalScience.DataTransfer.Tour.V5.Result';
export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';

/** Largest answer we read. The seed's answers are a few hundred bytes. */
export const MAX_ANSWER_BYTES = 256 * 1024;
/** billnum: Required, Max length 20. @see seeds/003 Body Parameters */
export const MAX_BILLNUM = 20;
/** wechatbarcode: Required, Max length 256. @see seeds/003 Body Parameters */
export const MAX_WECHATBARCODE = 256;
/** The bill state that means "this bill is fully paid". @see seeds/003 (tag.billpaystate="3"表示这个单收款都完成了) */
export const BILL_PAID_STATE = '3';

export type Format = 'json' | 'xml';
export type Decoded<T> = { ok: true; value: T } | Failure;

function bad(message: string, detail?: string): Failure {
  return fail('response', 'posmini_malformed_answer', message, detail ? { message: detail } : undefined);
}

function ok<T>(value: T): Decoded<T> {
  return { ok: true, value };
}

// --- requests -----------------------------------------------------------------------------------

/** Text content of an XML element (DataContract escapes &, < and >; CR as &#xD;). @see seeds/003 Request Formats (application/xml) */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#xD;');
}

/** `application/json; charset=utf-8` or `application/xml; charset=utf-8`. @see seeds/003 Request Formats */
export function contentType(format: Format): string {
  return format === 'xml' ? 'application/xml; charset=utf-8' : 'application/json; charset=utf-8';
}

/**
 * A DataContract request: root in the Parm namespace with the xsi prefix declared, elements in the
 * order given (DataContractSerializer's: alphabetical), absent values left out.
 * @see seeds/003 Request Formats (application/xml, text/xml)
 */
function xmlRequest(root: string, elements: [string, string | undefined][]): string {
  const body = elements
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`)
    .join('');
  return `<${root} xmlns:i="${XSI_NS}" xmlns="${PARM_NS}">${body}</${root}>`;
}

/** A JSON request: strings through JSON.stringify, amounts as their formatYuan number literal. @see seeds/003 Request Formats (application/json) */
function jsonRequest(fields: [string, { text: string } | { yuan: number } | undefined][]): string {
  const parts = fields
    .filter((f): f is [string, { text: string } | { yuan: number }] => f[1] !== undefined)
    .map(([name, v]) => `${JSON.stringify(name)}:${'yuan' in v ? formatYuan(v.yuan) : JSON.stringify(v.text)}`);
  return `{${parts.join(',')}}`;
}

export interface PayParams {
  billNo: string;
  /** The encrypted payment code (or `***` for the call record). */
  wechatbarcode: string;
  amountFen: number;
}

/**
 * PosSellPayWithWechatBarcodeParm: JSON in the seed's sample order (billnum, wechatbarcode,
 * paymentvalue), XML in its element order (billnum, paymentvalue, wechatbarcode).
 * `paymentvalue` is "12.34": the exact decimal, never a float computation.
 * @see seeds/003 Body Parameters, Request Formats
 */
export function encodePay(p: PayParams, format: Format): string {
  if (format === 'xml') {
    return xmlRequest('PosSellPayWithWechatBarcodeParm', [
      ['billnum', p.billNo],
      ['paymentvalue', formatYuan(p.amountFen)],
      ['wechatbarcode', p.wechatbarcode],
    ]);
  }
  return jsonRequest([
    ['billnum', { text: p.billNo }],
    ['wechatbarcode', { text: p.wechatbarcode }],
    ['paymentvalue', { yuan: p.amountFen }],
  ]);
}

export interface QueryParams {
  billNo: string;
  /** The payment's autoid, when the pay answer gave one. */
  autoid?: string;
  /** Otherwise the encrypted payment code: (billnum, code) names the payment. */
  wechatbarcode?: string;
}

/**
 * ASSUMPTION (the seed names no query API): PosSellPayQueryParm {autoid?, billnum, wechatbarcode?},
 * autoid as a number in JSON.
 * @see seeds/003 (如果errocde=1，则需要查询一个付款的情况(调用其他API))
 */
export function encodeQuery(p: QueryParams, format: Format): string {
  if (p.autoid !== undefined && !/^\d{1,19}$/.test(p.autoid)) throw new TypeError('posmini: autoid must be digits');
  if (format === 'xml') {
    return xmlRequest('PosSellPayQueryParm', [
      ['autoid', p.autoid],
      ['billnum', p.billNo],
      ['wechatbarcode', p.wechatbarcode],
    ]);
  }
  const parts = [`"billnum":${JSON.stringify(p.billNo)}`];
  if (p.autoid !== undefined) parts.push(`"autoid":${p.autoid}`);
  if (p.wechatbarcode !== undefined) parts.push(`"wechatbarcode":${JSON.stringify(p.wechatbarcode)}`);
  return `{${parts.join(',')}}`;
}

/**
 * ASSUMPTION (not in the seed): PosSellBillGetParm {billnum}.
 * @see seeds/003 (billnum: 被支付的售货单的单号)
 */
export function encodeBillGet(billNo: string, format: Format): string {
  if (format === 'xml') return xmlRequest('PosSellBillGetParm', [['billnum', billNo]]);
  return jsonRequest([['billnum', { text: billNo }]]);
}

// --- parsing ------------------------------------------------------------------------------------

/**
 * JSON with every number kept as its literal text (`12.30` → "12.30", `2` → "2"), so that amounts
 * are never floats and large ids keep their digits. Strings, nesting and errors are JSON.parse's.
 * @see seeds/003 Response Formats (application/json)
 */
export function parseJsonText(text: string): Decoded<unknown> {
  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"') {
      // Copy the string as it is, escapes included.
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (ch === '-' || (ch >= '0' && ch <= '9')) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      if (!m) return bad('应答不是有效的 JSON / answer is not JSON', `bad number at ${i}`);
      out += `"${m[0]}"`;
      i += m[0].length;
    } else {
      out += ch;
      i += 1;
    }
  }
  try {
    return ok(JSON.parse(out));
  } catch (e) {
    return bad('应答不是有效的 JSON / answer is not JSON', e instanceof Error ? e.message : String(e));
  }
}

type XmlNode = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  // `d2p1:autoid` → `autoid`, `i:nil` → `nil`; xmlns declarations are dropped.
  removeNSPrefix: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // &amp; &lt; &gt; &quot; &apos; and numeric references to allowed characters (&#xD;) only; at most
  // MAX_XML_DEPTH deep. DOCTYPE-declared entities never get this far.
  ...HARDENED_PARSER_OPTIONS,
});

/**
 * An XML answer as an object tree, refusing what a hostile or broken server could send: too large,
 * DOCTYPE/ENTITY (no entity expansion, no external entities), a character XML does not allow (raw or
 * by reference), deeper than MAX_XML_DEPTH, not well-formed.
 * @see seeds/003 Response Formats (application/xml, text/xml)
 */
export function parseXml(text: string): Decoded<XmlNode> {
  if (typeof text !== 'string' || !text.trim()) return bad('应答为空 / empty answer');
  if (Buffer.byteLength(text, 'utf8') > MAX_ANSWER_BYTES) return bad(`应答过大（超过 ${MAX_ANSWER_BYTES} 字节） / answer too large`);
  if (/<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST)/i.test(text)) {
    return bad('应答含 DOCTYPE/ENTITY，已拒绝 / XML with DOCTYPE or ENTITY refused');
  }
  const forbidden = forbiddenCharacter(text);
  if (forbidden) return bad('应答含有 XML 不允许的字符 / answer has a character XML does not allow', forbidden);
  const xml = text.replace(/^\uFEFF/, '');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) return bad('应答不是有效的 XML / malformed XML', `${valid.err.code}: ${valid.err.msg} (line ${valid.err.line})`);
  try {
    return ok(parser.parse(xml) as XmlNode);
  } catch (e) {
    return bad('应答无法解析 / unparseable XML', e instanceof Error ? e.message : String(e));
  }
}

function isObj(v: unknown): v is XmlNode {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** A leaf value as text: XML text, `i:nil="true"` → undefined, JSON string/number-text, null → undefined. */
function leaf(v: unknown): string | undefined | Failure {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return bad('应答字段重复 / repeated field in the answer');
  if (isObj(v)) {
    if (v['@_nil'] === 'true') return undefined;
    const t = v['#text'];
    if (typeof t === 'string') return t;
    // An element with attributes only, or nested elements: no text.
    return Object.keys(v).some((k) => !k.startsWith('@_')) ? bad('应答字段不是文本 / field is not text') : '';
  }
  return bad('应答字段类型不正确 / field of unexpected type');
}

function isFailure(v: unknown): v is Failure {
  return isObj(v) && v.ok === false;
}

/** An object's leaves, by lower-case name (JSON.NET binds case-insensitively; we read the same way). */
function leaves(node: XmlNode): Decoded<Map<string, string>> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(node)) {
    if (k.startsWith('@_')) continue;
    const text = leaf(v);
    if (isFailure(text)) return text;
    if (text !== undefined) out.set(k.toLowerCase(), text.trim());
  }
  return ok(out);
}

/** The envelope every answer has: errcode, errmsg and the `tag` object's fields. */
export interface Envelope {
  format: Format;
  errcode: number;
  errmsg: string;
  /** `tag`'s fields by lower-case name; undefined when tag is null, nil or absent. */
  tag?: Map<string, string>;
}

/**
 * CommonOperationResultWithTag<…>: `{errcode, errmsg, tag}` (JSON) or the DataContract XML whose
 * root is `CommonOperationResultWithTagOf<Type><hash>` (the seed's `…PosSellPaymentResultldpHZqFJ`:
 * any root starting with CommonOperationResultWithTag is accepted). The format is read from the
 * answer itself.
 * @see seeds/003 Response Information, Response Formats
 */
export function decodeEnvelope(text: string): Decoded<Envelope> {
  if (typeof text !== 'string' || !text.trim()) return bad('应答为空 / empty answer');
  if (Buffer.byteLength(text, 'utf8') > MAX_ANSWER_BYTES) return bad(`应答过大（超过 ${MAX_ANSWER_BYTES} 字节） / answer too large`);
  const body = text.replace(/^\uFEFF/, '').trimStart();
  let format: Format;
  let fields: XmlNode;
  if (body.startsWith('<')) {
    const parsed = parseXml(body);
    if (!parsed.ok) return parsed;
    const roots = Object.keys(parsed.value).filter((k) => !k.startsWith('@_') && !k.startsWith('#'));
    if (roots.length !== 1) return bad('应答 XML 根元素不唯一 / answer XML has no single root');
    const root = roots[0];
    if (!root.startsWith('CommonOperationResultWithTag')) {
      return bad(`应答 XML 根元素不是 CommonOperationResultWithTag / unexpected root <${root.slice(0, 80)}>`);
    }
    const node = parsed.value[root];
    if (!isObj(node)) return bad('应答 XML 根元素为空 / empty answer root');
    format = 'xml';
    fields = node;
  } else {
    const parsed = parseJsonText(body);
    if (!parsed.ok) return parsed;
    if (!isObj(parsed.value)) return bad('应答不是 JSON 对象 / answer is not a JSON object');
    format = 'json';
    fields = parsed.value;
  }
  const lower = new Map<string, unknown>();
  for (const [k, v] of Object.entries(fields)) if (!k.startsWith('@_')) lower.set(k.toLowerCase(), v);
  const code = leaf(lower.get('errcode'));
  if (isFailure(code)) return code;
  if (code === undefined || !/^-?\d{1,9}$/.test(code.trim())) return bad('应答缺少 errcode / answer without errcode', `errcode=${String(code ?? '')}`);
  const msg = leaf(lower.get('errmsg'));
  if (isFailure(msg)) return msg;
  const env: Envelope = { format, errcode: Number(code.trim()), errmsg: (msg ?? '').trim() };
  const tag = lower.get('tag');
  if (isObj(tag) && tag['@_nil'] !== 'true') {
    const t = leaves(tag);
    if (!t.ok) return t;
    env.tag = t.value;
  } else if (tag !== undefined && tag !== null && tag !== '' && !isObj(tag)) {
    return bad('应答的 tag 不是对象 / tag is not an object');
  }
  return ok(env);
}

/**
 * The `Message` of an ASP.NET Web API error body (`{"Message":"…"}` or `<Error><Message>…`), cut
 * to 200 characters; undefined when there is none. (The seed's framework: "Request Formats …
 * application/bson" is ASP.NET Web API's help page, whose errors look like this.)
 * @see seeds/003 Request Information
 */
export function errorBodyMessage(text: string): string | undefined {
  if (typeof text !== 'string' || !text.trim() || text.length > MAX_ANSWER_BYTES) return undefined;
  const body = text.trim();
  let message: unknown;
  if (body.startsWith('{')) {
    try {
      const v = JSON.parse(body) as Record<string, unknown>;
      message = v.Message ?? v.message;
    } catch {
      return undefined;
    }
  } else if (body.startsWith('<')) {
    const parsed = parseXml(body);
    if (!parsed.ok) return undefined;
    const error = parsed.value.Error;
    message = isObj(error) ? leaf(error.Message) : undefined;
  }
  return typeof message === 'string' && message.trim() ? [...message.trim()].slice(0, 200).join('') : undefined;
}

// --- field readers ------------------------------------------------------------------------------

/** autoid: a whole number (the seed's sample: 2), kept as its digits. @see seeds/003 Response Information (tag.autoid) */
function autoidOf(tag: Map<string, string> | undefined): Decoded<string | undefined> {
  const v = tag?.get('autoid');
  if (v === undefined || v === '') return ok(undefined);
  if (!/^\d{1,19}$/.test(v)) return bad('应答的 autoid 不是整数 / autoid is not a whole number', `autoid=${v.slice(0, 40)}`);
  return ok(v.replace(/^0+(?=\d)/, ''));
}

function textOf(tag: Map<string, string> | undefined, name: string): string | undefined {
  const v = tag?.get(name);
  return v === undefined || v === '' ? undefined : v;
}

/** A decimal yuan field → fen, exactly (contract/money.ts). @see seeds/003 Body Parameters (paymentvalue: decimal number) */
function yuanOf(tag: Map<string, string> | undefined, name: string): Decoded<number | undefined> {
  const v = textOf(tag, name);
  if (v === undefined) return ok(undefined);
  const parsed = parseYuan(v);
  if (!parsed.ok) return bad(`应答金额无法识别（${name}） / unreadable amount`, `${name}=${v.slice(0, 40)} (${parsed.reason})`);
  return ok(parsed.fen);
}

// --- answers ------------------------------------------------------------------------------------

/** errcode 0 paid and applied to the bill · 1 unknown, query it · -1 failed. @see seeds/003 Resource Description */
export interface PayAnswer {
  format: Format;
  errcode: number;
  errmsg: string;
  billNo?: string;
  autoid?: string;
  /** The bill's state after this payment: "3" = fully paid. */
  billPayState?: string;
}

/**
 * PosSellPaymentResult: {billnum, autoid, billpaystate}.
 * @see seeds/003 Response Information (CommonOperationResultWithTagOfPosSellPaymentResult)
 */
export function decodePayAnswer(text: string): Decoded<PayAnswer> {
  const env = decodeEnvelope(text);
  if (!env.ok) return env;
  return payFields(env.value);
}

/** The PosSellPaymentResult fields of an envelope. @see seeds/003 Response Information */
function payFields({ format, errcode, errmsg, tag }: Envelope): Decoded<PayAnswer> {
  const autoid = autoidOf(tag);
  if (!autoid.ok) return autoid;
  const out: PayAnswer = { format, errcode, errmsg };
  const billNo = textOf(tag, 'billnum');
  if (billNo !== undefined) out.billNo = billNo;
  if (autoid.value !== undefined) out.autoid = autoid.value;
  const state = textOf(tag, 'billpaystate');
  if (state !== undefined) out.billPayState = state;
  return ok(out);
}

/** ASSUMPTION: a payment's own state in the query answer: 0 paying · 1 paid · -1 failed. */
export type PayState = '0' | '1' | '-1';

export interface QueryAnswer extends PayAnswer {
  payState?: PayState;
  paymentFen?: number;
  billTotalFen?: number;
  billPaidFen?: number;
}

/**
 * ASSUMPTION (see client.ts): the query answer, the same envelope with
 * tag {autoid, billnum, billpaid, billpaystate, billtotal, paymentvalue, paystate}.
 * @see seeds/003 (如果errocde=1，则需要查询一个付款的情况(调用其他API))
 */
export function decodeQueryAnswer(text: string): Decoded<QueryAnswer> {
  const env = decodeEnvelope(text);
  if (!env.ok) return env;
  const pay = payFields(env.value);
  if (!pay.ok) return pay;
  const t = env.value.tag;
  const out: QueryAnswer = { ...pay.value };
  const payState = textOf(t, 'paystate');
  if (payState !== undefined) {
    if (payState !== '0' && payState !== '1' && payState !== '-1') return bad('应答的 paystate 无法识别 / unknown paystate', `paystate=${payState.slice(0, 20)}`);
    out.payState = payState;
  }
  for (const [name, key] of [
    ['paymentvalue', 'paymentFen'],
    ['billtotal', 'billTotalFen'],
    ['billpaid', 'billPaidFen'],
  ] as const) {
    const fen = yuanOf(t, name);
    if (!fen.ok) return fen;
    if (fen.value !== undefined) out[key] = fen.value;
  }
  return ok(out);
}

export interface BillAnswer {
  format: Format;
  errcode: number;
  errmsg: string;
  billNo?: string;
  billTotalFen?: number;
  billPaidFen?: number;
  billPayState?: string;
}

/**
 * ASSUMPTION (see client.ts): the bill read answer, tag {billnum, billpaid, billpaystate, billtotal}.
 * @see seeds/003 (billnum: 被支付的售货单的单号; tag.billpaystate)
 */
export function decodeBillAnswer(text: string): Decoded<BillAnswer> {
  const env = decodeEnvelope(text);
  if (!env.ok) return env;
  const { format, errcode, errmsg, tag } = env.value;
  const out: BillAnswer = { format, errcode, errmsg };
  const billNo = textOf(tag, 'billnum');
  if (billNo !== undefined) out.billNo = billNo;
  const state = textOf(tag, 'billpaystate');
  if (state !== undefined) out.billPayState = state;
  const total = yuanOf(tag, 'billtotal');
  if (!total.ok) return total;
  if (total.value !== undefined) out.billTotalFen = total.value;
  const paid = yuanOf(tag, 'billpaid');
  if (!paid.ok) return paid;
  if (paid.value !== undefined) out.billPaidFen = paid.value;
  return ok(out);
}
