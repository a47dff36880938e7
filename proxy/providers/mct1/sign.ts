/**
 * mct1 signatures: md5(sha1(sorted `k=v` joined by `&`, open_key included)), lower-case hex.
 * Pure: no I/O, no state. Comparisons are constant-time.
 *
 * Pinned to the seed's §2.4 worked example in tests/proxy/providers/mct1/sign.test.ts. (§2.5's printed
 * example cannot be reproduced: its `data` was cut short by the document; see that test.)
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** SHA-1, lower-case hex (signatures; shop_pass). @see seeds/004 §2.2 item 4 (密码必须经过sha1加密), §2.4 */
export function sha1Hex(text: string): string {
  return createHash('sha1').update(text, 'utf8').digest('hex');
}

function md5Hex(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

/** Byte order of the UTF-8 names ("按ascii码A-z排序", like PHP's ksort on ASCII names). */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * A value as PHP would concatenate it after json_decode: numbers in decimal, `true` → "1",
 * `false`/`null` → "", strings as they are (Chinese kept, not URL-encoded).
 * @see seeds/004 §2.4 item 3, §2.5 (把接口返回的json数据转换成数组)
 */
export function phpString(value: unknown): string {
  if (value === null || value === undefined || value === false) return '';
  if (value === true) return '1';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  return JSON.stringify(value);
}

/**
 * The string that is hashed: every parameter except `sign`, plus `open_key`, sorted by name, `k=v`
 * with raw values, joined by `&`.
 * @see seeds/004 §2.4 数据请求签名生成规则, §2.5 数据返回签名验证规则
 */
export function signingString(params: Record<string, unknown>, openKey: string): string {
  const all: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) if (k !== 'sign') all[k] = phpString(v);
  all.open_key = openKey;
  return Object.keys(all)
    .sort(byteOrder)
    .map((k) => `${k}=${all[k]}`)
    .join('&');
}

/**
 * md5(sha1(signing string)), both lower-case hex.
 * @see seeds/004 §2.4 (先进行sha1加密（小写），再进行md5加密（小写）)
 */
export function signParams(params: Record<string, unknown>, openKey: string): string {
  return md5Hex(sha1Hex(signingString(params, openKey)));
}

/**
 * Signature of a request: over open_id, timestamp and data (every posted field but `sign`).
 * @see seeds/004 §2.4 数据请求签名生成规则
 */
export function requestSign(p: { open_id: string; timestamp: string; data: string }, openKey: string): string {
  return signParams(p, openKey);
}

/**
 * Compares two hex signatures in constant time, case-insensitively (lengths leak, contents do not).
 * @see seeds/004 §2.5 (把处理好的签名字符串和接口返回的sign进行对比)
 */
export function sameSign(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given.toLowerCase(), 'utf8');
  const b = Buffer.from(expected.toLowerCase(), 'utf8');
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}

/**
 * Verifies an answer: the parsed JSON object (every field but `sign`, values as decoded, so
 * "\u6210\u529f" counts as 成功) plus open_key. The seed verifies only answers that carry `data`:
 * for those without, this returns 'unsigned' (nothing to verify, and nothing secret in them).
 * @see seeds/004 §2.5 数据返回签名验证规则 (只有返回的数据里有data节点时才需要验证签名)
 */
export function verifyAnswer(answer: Record<string, unknown>, openKey: string): 'valid' | 'invalid' | 'unsigned' {
  if (!('data' in answer) || answer.data === null || answer.data === undefined) return 'unsigned';
  return sameSign(answer.sign, signParams(answer, openKey)) ? 'valid' : 'invalid';
}

/** The fields of a notify callback that are signed. @see seeds/004 §4.8.1.1 通知参数 */
export const CALLBACK_FIELDS = ['ord_no', 'timestamp', 'rand_str', 'out_no', 'status'] as const;

/**
 * Signature of a notify callback: the documented fields present (ord_no, timestamp, rand_str,
 * out_no, status), sign dropped, open_key added, sorted, sha1 then md5. Fields of our own that may be
 * in the notify URL are not signed by the provider and are left out.
 * @see seeds/004 §4.8.1.1 (sign: 验签方式请参照2.5数据返回签名验证规则)
 */
export function callbackSign(params: Record<string, string | undefined>, openKey: string): string {
  const signed: Record<string, string> = {};
  for (const k of CALLBACK_FIELDS) if (typeof params[k] === 'string') signed[k] = params[k] as string;
  return signParams(signed, openKey);
}

/** @see seeds/004 §4.8.1.1 通知参数 */
export function verifyCallback(params: Record<string, string | undefined>, openKey: string): boolean {
  return sameSign(params.sign, callbackSign(params, openKey));
}
