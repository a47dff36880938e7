/**
 * The posmini sandbox's state types, its reading of requests and the answers it sends, in JSON
 * (Json.NET style) and DataContract XML (the seed's shapes). Pure, and deliberately independent of
 * codec.ts (its own XML parser setup, its own amount reading, answers built by hand) so that a
 * symmetric bug cannot hide. SANDBOX ONLY.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export type SimFormat = 'json' | 'xml';

export interface SimSalesBill {
  billnum: string;
  totalFen: number;
  createdAt: string;
}

/** paying (errcode 1 / paystate 0) · paid (0 / 1) · failed (-1 / -1). */
export type SimPaymentState = 'paying' | 'paid' | 'failed';

export interface SimPayment {
  autoid: number;
  billnum: string;
  fen: number;
  state: SimPaymentState;
  errmsg: string;
  /** SHA-256 of the payment code: the state file keeps no codes. */
  codeHash: string;
  codeMasked: string;
  /** Queries left before a "password" payment is paid; null = until the back office says so. */
  pollsLeft: number | null;
  createdAt: string;
  paidAt?: string;
}

export interface SimState {
  version: 1;
  nextAutoid: number;
  bills: Record<string, SimSalesBill>;
  payments: Record<string, SimPayment>;
}

// --- namespaces and names (from the seed) -------------------------------------------------------

export const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
export const PARM = 'http://schemas.datacontract.org/2004/07/DigitalScience.DataTransfer.Tour.V5.Parm';
export const ENVELOPE = 'http://schemas.datacontract.org/2004/07/DigitalScience.DataTransfer';
export const RESULT = 'http://schemas.datacontract.org/2004/07/DigitalScience.DataTransfer.Tour.V5.Result';
/**
 * .NET names a generic data contract `CommonOperationResultWithTagOf<T><hash of T's namespace>`:
 * every result type lives in the …Tour.V5.Result namespace, so they share the seed's hash.
 */
const HASH = 'ldpHZqFJ';

// --- small helpers ------------------------------------------------------------------------------

/** "12.34" (any number of integer digits up to 10, at most two decimals, trailing zeros allowed) → fen. */
export function toFen(text: string | undefined): number | undefined {
  const m = /^(\d{1,10})(?:\.(\d{1,2})0*)?$/.exec((text ?? '').trim());
  if (!m) return undefined;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

export function yuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const a = Math.abs(fen);
  return `${sign}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
}

export function mask(code: string): string {
  return code.length <= 4 ? code : '*'.repeat(code.length - 4) + code.slice(-4);
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An IIS/ASP.NET error page answered with status 200 (the `garbage` fault). */
export const ASPNET_GARBAGE =
  '<!DOCTYPE html>\r\n<html>\r\n<head><title>Runtime Error</title></head>\r\n<body><h1>Server Error in \'/\' Application.</h1><h2><i>Runtime Error</i></h2></body>\r\n</html>\r\n';

// --- reading requests ---------------------------------------------------------------------------

export type SimRequest = { ok: true; fields: Record<string, string> } | { ok: false; status: 400 | 415; message: string };

const xmlParser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: true,
  ignoreDeclaration: true,
});

/** The request's format from its Content-Type (what ASP.NET's formatters accept), or undefined. */
export function requestFormat(contentType: string | undefined): SimFormat | undefined {
  const t = (contentType ?? '').toLowerCase();
  if (/\b(application|text)\/json\b/.test(t)) return 'json';
  if (/\b(application|text)\/xml\b/.test(t)) return 'xml';
  return undefined;
}

/**
 * A JSON body as Json.NET would bind it: property names case-insensitive, strings as they are,
 * numbers as their shortest decimal form (exact for the ≤ 15 significant digits an amount has).
 */
function readJson(body: string, names: string[]): SimRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { ok: false, status: 400, message: 'The request is invalid.' };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { ok: false, status: 400, message: 'The request is invalid.' };
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    const name = names.find((n) => n === k.toLowerCase());
    if (!name) continue;
    if (typeof v === 'string') fields[name] = v;
    else if (typeof v === 'number' && Number.isFinite(v)) fields[name] = String(v);
    else if (v !== null) return { ok: false, status: 400, message: 'The request is invalid.' };
  }
  return { ok: true, fields };
}

/**
 * A DataContract body: the root must be `root` in the Parm namespace; elements are read in the
 * contract's order and one out of order is skipped (as DataContractSerializer does).
 */
function readXml(body: string, root: string, order: string[]): SimRequest {
  const invalid = (why: string): SimRequest => ({ ok: false, status: 400, message: `The request is invalid. ${why}` });
  if (/<!\s*(DOCTYPE|ENTITY)/i.test(body)) return invalid('DTD is prohibited in this XML document.');
  if (XMLValidator.validate(body) !== true) return invalid('The XML is not well-formed.');
  let doc: unknown;
  try {
    doc = xmlParser.parse(body);
  } catch {
    return invalid('The XML is not well-formed.');
  }
  const top = (Array.isArray(doc) ? doc : []).find((n) => n && typeof n === 'object' && !('#text' in n)) as Record<string, unknown> | undefined;
  const attrs = (top?.[':@'] ?? {}) as Record<string, string>;
  if (!top || !(root in top) || attrs.xmlns !== PARM) {
    return invalid(`Expecting element '${root}' from namespace '${PARM}'.`);
  }
  const fields: Record<string, string> = {};
  let at = 0;
  for (const child of (top[root] ?? []) as Record<string, unknown>[]) {
    const name = Object.keys(child).find((k) => k !== ':@' && k !== '#text');
    if (!name) continue;
    const idx = order.indexOf(name, at);
    if (idx < 0) continue;
    at = idx + 1;
    const cattrs = (child[':@'] ?? {}) as Record<string, string>;
    if (cattrs['i:nil'] === 'true') continue;
    const inner = child[name] as { '#text'?: string }[];
    fields[name] = inner.map((n) => n['#text'] ?? '').join('');
  }
  return { ok: true, fields };
}

/** @see seeds/003 Request Formats (application/json, text/json, application/xml, text/xml) */
export function readRequest(format: SimFormat | undefined, body: string, root: string, order: string[]): SimRequest {
  if (!format) return { ok: false, status: 415, message: "The request entity's media type is not supported for this resource." };
  return format === 'json' ? readJson(body, order) : readXml(body, root, order);
}

// --- answers ------------------------------------------------------------------------------------

export type TagField = [name: string, kind: 'string' | 'int' | 'yuan', value: string | number];
export type ResultType = 'PosSellPaymentResult' | 'PosSellPayQueryResult' | 'PosSellBillResult';

/**
 * The envelope {errcode, errmsg, tag}: Json.NET's JSON, or DataContract XML with the generic root
 * name, the default namespace and `d2p1:` tag children in alphabetical order (as the seed prints).
 * `tag` null → `"tag":null` / `<tag i:nil="true"/>`.
 * @see seeds/003 Response Formats
 */
export function envelope(format: SimFormat, type: ResultType, errcode: number, errmsg: string, tag: TagField[] | null): string {
  if (format === 'json') {
    const t =
      tag === null
        ? 'null'
        : `{${tag
            .map(([name, kind, v]) => `"${name}":${kind === 'string' ? JSON.stringify(String(v)) : kind === 'yuan' ? yuan(v as number) : String(v)}`)
            .join(',')}}`;
    return `{"errcode":${errcode},"errmsg":${JSON.stringify(errmsg)},"tag":${t}}`;
  }
  const root = `CommonOperationResultWithTagOf${type}${HASH}`;
  const lines = [`<${root} xmlns:i="${XSI}" xmlns="${ENVELOPE}">`, `<errcode>${errcode}</errcode>`, `<errmsg>${esc(errmsg)}</errmsg>`];
  if (tag === null) lines.push('<tag i:nil="true" />');
  else {
    lines.push(`<tag xmlns:d2p1="${RESULT}">`);
    for (const [name, kind, v] of [...tag].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      lines.push(`<d2p1:${name}>${esc(kind === 'yuan' ? yuan(v as number) : String(v))}</d2p1:${name}>`);
    }
    lines.push('</tag>');
  }
  lines.push(`</${root}>`);
  return lines.join('\r\n');
}

/** ASP.NET Web API's error body: `{"Message":"…"}` or `<Error><Message>…</Message></Error>`. */
export function errorBody(format: SimFormat, message: string): string {
  return format === 'json' ? JSON.stringify({ Message: message }) : `<Error><Message>${esc(message)}</Message></Error>`;
}

export function contentTypeOf(format: SimFormat): string {
  return format === 'json' ? 'application/json; charset=utf-8' : 'application/xml; charset=utf-8';
}
