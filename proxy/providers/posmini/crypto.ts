/**
 * posmini payment-code encryption: Triple-DES of the scanned code under the session key
 * UPPER(MD5(login password)). Pure: no I/O, no state.
 *
 * The seed fixes only "TripDes" and the key text; the rest is configurable (`DesOptions`, the
 * default argued in client.ts). Every variant is pinned to vectors made with the openssl command
 * line in tests/proxy/providers/posmini/crypto.test.ts.
 * @see seeds/003 Body Parameters (wechatbarcode: 使用会话用的KEY(UPPER(MD5(登陆密码))对扫描到的内容进行TripDes加密)
 */
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';

/**
 * How the 32-character session key becomes a Triple-DES key (.NET accepts only 16 or 24 bytes):
 * - `hex24`: the ASCII bytes of its first 24 characters → 3-key TDES (openssl `des-ede3`);
 * - `raw16`: the 16 MD5 bytes it is the hex of → 2-key TDES (openssl `des-ede`).
 */
export type DesKeyForm = 'hex24' | 'raw16';
/** The password's bytes before MD5: UTF-8 (= ASCII for ASCII passwords) or UTF-16LE (.NET Encoding.Unicode). */
export type PasswordEncoding = 'utf8' | 'utf16le';
/** The ciphertext as sent: standard base64 with padding, or upper-case hex (.NET BitConverter). */
export type DesOutput = 'base64' | 'hex';

export interface DesOptions {
  key: DesKeyForm;
  passwordEncoding: PasswordEncoding;
  /** ECB only: the seed mentions no IV, and no IV travels with the code. Padding is PKCS#7. */
  mode: 'ecb';
  output: DesOutput;
}

/** hex24 + utf8 + ecb + base64: see the argument in client.ts's header. */
export const DEFAULT_DES: Readonly<DesOptions> = Object.freeze({ key: 'hex24', passwordEncoding: 'utf8', mode: 'ecb', output: 'base64' });

/**
 * Fills in and checks a partial variant (from configuration). Throws on an unknown value: a
 * misconfigured key form is a programming/config mistake, found at start-up.
 * @see seeds/003 Body Parameters (wechatbarcode: …TripDes加密 — the details are ours, see client.ts item 3)
 */
export function resolveDes(partial: Partial<DesOptions> | undefined): DesOptions {
  const des: DesOptions = { ...DEFAULT_DES, ...(partial ?? {}) };
  if (des.key !== 'hex24' && des.key !== 'raw16') throw new TypeError(`posmini: des.key must be 'hex24' or 'raw16'`);
  if (des.passwordEncoding !== 'utf8' && des.passwordEncoding !== 'utf16le') {
    throw new TypeError(`posmini: des.passwordEncoding must be 'utf8' or 'utf16le'`);
  }
  if (des.mode !== 'ecb') throw new TypeError(`posmini: des.mode must be 'ecb'`);
  if (des.output !== 'base64' && des.output !== 'hex') throw new TypeError(`posmini: des.output must be 'base64' or 'hex'`);
  return des;
}

/**
 * The session key: UPPER(MD5(password)), 32 hex characters.
 * @see seeds/003 Body Parameters (wechatbarcode: 会话用的KEY(UPPER(MD5(登陆密码)))
 */
export function sessionKey(password: string, encoding: PasswordEncoding = 'utf8'): string {
  return createHash('md5').update(Buffer.from(password, encoding)).digest('hex').toUpperCase();
}

/**
 * The Triple-DES key bytes and the openssl/Node cipher name for a session key.
 * @see seeds/003 Body Parameters (wechatbarcode)
 */
export function desKey(session: string, form: DesKeyForm): { cipher: 'des-ede3' | 'des-ede'; key: Buffer } {
  if (!/^[0-9A-Fa-f]{32}$/.test(session)) throw new TypeError('posmini: the session key must be 32 hex characters');
  if (form === 'raw16') return { cipher: 'des-ede', key: Buffer.from(session, 'hex') };
  return { cipher: 'des-ede3', key: Buffer.from(session.slice(0, 24), 'ascii') };
}

/**
 * The `wechatbarcode` value: the code's UTF-8 bytes, PKCS#7-padded, Triple-DES ECB, base64 or hex.
 * @see seeds/003 Body Parameters (wechatbarcode: 用户付款码的密文, Max length 256)
 */
export function encryptCode(code: string, password: string, des: DesOptions = DEFAULT_DES): string {
  const { cipher, key } = desKey(sessionKey(password, des.passwordEncoding), des.key);
  const c = createCipheriv(cipher, key, null);
  const bytes = Buffer.concat([c.update(code, 'utf8'), c.final()]);
  return des.output === 'hex' ? bytes.toString('hex').toUpperCase() : bytes.toString('base64');
}

export type Decrypted = { ok: true; text: string } | { ok: false; reason: 'format' | 'length' | 'padding' | 'utf8' };

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const HEX = /^(?:[0-9A-Fa-f]{2})*$/;

/**
 * Reverses `encryptCode`. A ciphertext in the wrong output form, of the wrong length, whose padding
 * does not check out (wrong key: almost always) or whose plaintext is not UTF-8 is a typed failure.
 * @see seeds/003 Body Parameters (wechatbarcode)
 */
export function decryptCode(text: string, password: string, des: DesOptions = DEFAULT_DES): Decrypted {
  if (typeof text !== 'string' || !text) return { ok: false, reason: 'format' };
  const t = text.trim();
  if (!(des.output === 'hex' ? HEX : BASE64).test(t)) return { ok: false, reason: 'format' };
  const bytes = Buffer.from(t, des.output === 'hex' ? 'hex' : 'base64');
  if (bytes.length === 0 || bytes.length % 8 !== 0) return { ok: false, reason: 'length' };
  const { cipher, key } = desKey(sessionKey(password, des.passwordEncoding), des.key);
  let plain: Buffer;
  try {
    const d = createDecipheriv(cipher, key, null);
    plain = Buffer.concat([d.update(bytes), d.final()]);
  } catch {
    return { ok: false, reason: 'padding' };
  }
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(plain) };
  } catch {
    return { ok: false, reason: 'utf8' };
  }
}
