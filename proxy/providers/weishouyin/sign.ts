/**
 * 微收银 signatures (SHA-1). Pure: no I/O, no state.
 * Pinned to the seed's worked example in tests/proxy/providers/weishouyin/sign.test.ts.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** The fixed key of the time call, printed in the seed. Not a secret: every device uses it. */
export const TIME_SIGN_KEY = 'jdakjfakjfiariuq54n9fkjak9q9j4ro0o';

function sha1Hex(text: string): string {
  return createHash('sha1').update(text, 'utf8').digest('hex');
}

/** Byte order of the UTF-8 names, like PHP's ksort on ASCII keys. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * The string that is hashed: every parameter except `sign`, sorted by name, `k=v` joined by `&`
 * with raw (not URL-encoded) values, empty values included, then `&key=<key>`.
 * @see seeds/001 附录 支付接口sign字段计算
 */
export function signingString(params: Record<string, string>, key: string): string {
  const pairs = Object.keys(params)
    .filter((name) => name !== 'sign')
    .sort(byteOrder)
    .map((name) => `${name}=${params[name]}`);
  pairs.push(`key=${key}`);
  return pairs.join('&');
}

/**
 * Signature of an op.php request (micropay, query, refund, read): SHA-1, upper-case hex.
 * @see seeds/001 附录 支付接口sign字段计算
 */
export function signParams(params: Record<string, string>, key: string): string {
  return sha1Hex(signingString(params, key)).toUpperCase();
}

/**
 * Signature of the pay-config read: sha1(`<secretkey>?device_id=<id>&ver=<ver>`), lower-case hex.
 * @see seeds/001 §2 读取支付配置接口 (签名计算方式)
 */
export function configSign(key: string, deviceId: string, ver: string): string {
  return sha1Hex(`${key}?device_id=${deviceId}&ver=${ver}`);
}

/**
 * Signature of the time call, with the seed's fixed key: sha1(`device_id=<id>&key=<fixed>`).
 * @see seeds/001 §3 获取时间接口
 */
export function timeSign(deviceId: string): string {
  return sha1Hex(`device_id=${deviceId}&key=${TIME_SIGN_KEY}`);
}

/**
 * Compares two hex signatures case-insensitively in constant time (for equal lengths).
 * @see seeds/001 附录 支付接口sign字段计算
 */
export function sameSign(given: string | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given.toLowerCase(), 'utf8');
  const b = Buffer.from(expected.toLowerCase(), 'utf8');
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}

/**
 * True when `params.sign` is the signature of the other parameters under `key`.
 * Case-insensitive (the seed prints both cases), constant-time.
 * @see seeds/001 附录 支付接口sign字段计算
 */
export function verifySign(params: Record<string, string>, key: string): boolean {
  return sameSign(params.sign, signParams(params, key));
}
