/**
 * mct1 `data` encryption: AES-256-ECB, PKCS5/PKCS7 padding, ciphertext as hex (bin2hex), never
 * base64. Pure: no I/O, no state. Failures are values, never exceptions.
 *
 * The key is the open_key's UTF-8 bytes. Every open_key the seed shows is 32 ASCII characters, i.e.
 * exactly 32 bytes (AES-256). For any other length we do what the provider's side (PHP
 * `openssl_encrypt($data, 'AES-256-ECB', $key, OPENSSL_RAW_DATA)`) does: a shorter key is padded with
 * NUL bytes to 32, a longer one is cut to its first 32 bytes. So a misconfigured key still
 * interoperates exactly like PHP would; a wrong key shows up as the provider's errcode 5/8044.
 *
 * Pinned to the seed (§2.4's `data` decrypts to {"pmt_type":0} under §2.4's key) and to vectors made
 * with the openssl command line in tests/proxy/providers/mct1/crypto.test.ts.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';

export type HexCase = 'lower' | 'upper';

export type DecryptFailure = 'hex' | 'length' | 'padding' | 'utf8';

export type Decrypted = { ok: true; text: string } | { ok: false; reason: DecryptFailure; message: string };

const AES_KEY_BYTES = 32;
const BLOCK = 16;
const HEX = /^[0-9a-fA-F]*$/;

/**
 * The 32-byte AES key for an open_key: its UTF-8 bytes, NUL-padded or cut to 32 like PHP's openssl.
 * @see seeds/004 §2.3 加密方式 (数据加密密钥为open_key)
 */
export function aesKey(openKey: string): Buffer {
  const raw = Buffer.from(openKey, 'utf8');
  const key = Buffer.alloc(AES_KEY_BYTES); // zero-filled
  raw.copy(key, 0, 0, Math.min(raw.length, AES_KEY_BYTES));
  return key;
}

/**
 * True when the open_key is exactly 32 bytes, i.e. used as is (no PHP-style padding or cutting).
 * @see seeds/004 §5 (8044: 检查密钥长度256位、编码utf-8)
 */
export function isExactKey(openKey: string): boolean {
  return Buffer.byteLength(openKey, 'utf8') === AES_KEY_BYTES;
}

/**
 * Encrypts the JSON text of a request's `data`: AES-256-ECB with PKCS7 padding, then bin2hex.
 * A plaintext that is a whole number of blocks gets a full block of padding (16 × 0x10).
 * @see seeds/004 §2.2 item 8 (先进行aes加密，然后在进行bin2hex), §2.3 加密方式
 */
export function encryptData(json: string, openKey: string, hexCase: HexCase = 'upper'): string {
  const cipher = createCipheriv('aes-256-ecb', aesKey(openKey), null);
  cipher.setAutoPadding(true);
  const hex = Buffer.concat([cipher.update(json, 'utf8'), cipher.final()]).toString('hex');
  return hexCase === 'upper' ? hex.toUpperCase() : hex;
}

/**
 * Decrypts an answer's `data` (hex2bin, then AES-256-ECB, PKCS7 padding checked), either hex case.
 * The plaintext must be valid UTF-8. Never throws.
 * @see seeds/004 §2.2 item 8 (先hex2bin(16进制转2进制)，然后在aes解密)
 */
export function decryptData(hex: string, openKey: string): Decrypted {
  if (typeof hex !== 'string' || hex.length === 0 || hex.length % 2 !== 0 || !HEX.test(hex)) {
    return { ok: false, reason: 'hex', message: '加密数据不是有效的十六进制 / data is not valid hex' };
  }
  const bytes = Buffer.from(hex, 'hex');
  if (bytes.length % BLOCK !== 0) {
    return { ok: false, reason: 'length', message: '加密数据长度不是 16 字节的整数倍 / data is not a whole number of AES blocks' };
  }
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-ecb', aesKey(openKey), null);
    decipher.setAutoPadding(false);
    plain = Buffer.concat([decipher.update(bytes), decipher.final()]);
  } catch {
    return { ok: false, reason: 'padding', message: '数据无法解密 / data cannot be decrypted' };
  }
  // PKCS7 checked here rather than by OpenSSL, so that every malformed padding is one typed failure.
  const pad = plain[plain.length - 1];
  let padOk = pad >= 1 && pad <= BLOCK;
  for (let i = plain.length - pad; padOk && i < plain.length; i++) if (plain[i] !== pad) padOk = false;
  if (!padOk) {
    return { ok: false, reason: 'padding', message: '解密后的填充不正确（密钥错误？） / bad padding after decryption (wrong key?)' };
  }
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(plain.subarray(0, plain.length - pad)) };
  } catch {
    return { ok: false, reason: 'utf8', message: '解密结果不是 UTF-8 文本 / decrypted data is not UTF-8' };
  }
}
