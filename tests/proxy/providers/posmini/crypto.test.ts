import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DES,
  decryptCode,
  desKey,
  encryptCode,
  resolveDes,
  sessionKey,
  type DesKeyForm,
  type DesOptions,
  type PasswordEncoding,
} from '../../../../proxy/providers/posmini/crypto.ts';

/*
 * Independent vectors, produced once with the command line (OpenSSL 3.0.19, coreutils, iconv), not
 * with our code. For a password PW, an encoding E and a payment code CODE:
 *
 *   K32=$(printf '%s' "$PW" | md5sum | cut -c1-32 | tr a-f A-F)                       # E = utf8
 *   K32=$(printf '%s' "$PW" | iconv -f UTF-8 -t UTF-16LE | md5sum | cut -c1-32 | tr a-f A-F)  # E = utf16le
 *   # key hex24: the ASCII bytes of the first 24 characters, 3-key TDES ECB
 *   printf '%s' "$CODE" | openssl enc -des-ede3 -K $(printf '%s' "${K32:0:24}" | od -An -tx1 | tr -d ' \n') -nosalt | base64 -w0
 *   # key raw16: the 16 bytes K32 is the hex of, 2-key TDES ECB
 *   printf '%s' "$CODE" | openssl enc -des-ede -K $K32 -nosalt | base64 -w0
 *   # hex output: the same bytes through  od -An -tx1 | tr -d ' \n' | tr a-f A-F
 *
 * openssl enc pads PKCS#7 by default (= .NET PaddingMode.PKCS7); -des-ede3 / -des-ede are ECB.
 */
const VECTORS: { password: string; enc: PasswordEncoding; key: DesKeyForm; code: string; session: string; base64: string; hex: string }[] = [
  { password: 'pm-sandbox-8866', enc: 'utf8', key: 'hex24', code: '130000000000000001', session: '1957129A0794E586D4B6F4AFD3C4EADC', base64: 'e40kdEkwEGUAcXEjovjXMA3p1hQclkqm', hex: '7B8D24744930106500717123A2F8D7300DE9D6141C964AA6' },
  { password: 'pm-sandbox-8866', enc: 'utf8', key: 'raw16', code: '130000000000000001', session: '1957129A0794E586D4B6F4AFD3C4EADC', base64: 'smCPhZoZFfiMkrz/hnmJqSo6rRusalVE', hex: 'B2608F859A1915F88C92BCFF867989A92A3AAD1BAC6A5544' },
  { password: 'pm-sandbox-8866', enc: 'utf16le', key: 'hex24', code: '130000000000000001', session: '914A33C1A8CD704CAEDF796276A1993D', base64: 'MbTpkWJBRzfNbhq3xiquekEirNchNDDJ', hex: '31B4E99162414737CD6E1AB7C62AAE7A4122ACD7213430C9' },
  { password: 'pm-sandbox-8866', enc: 'utf16le', key: 'raw16', code: '130000000000000001', session: '914A33C1A8CD704CAEDF796276A1993D', base64: 'xVdyXsJnyXx6JzFMRlDIH5lEZodBd27f', hex: 'C557725EC267C97C7A27314C4650C81F9944668741776EDF' },
  { password: '收银员密码1', enc: 'utf8', key: 'hex24', code: '130000000000000001', session: 'F5D2D4E44EA443875125E0472CE6872B', base64: 'GW1QnMpvysH864ViZOVF5vd2vg9+58n5', hex: '196D509CCA6FCAC1FCEB856264E545E6F776BE0F7EE7C9F9' },
  { password: '收银员密码1', enc: 'utf8', key: 'raw16', code: '130000000000000001', session: 'F5D2D4E44EA443875125E0472CE6872B', base64: 'eUsoRO5+GEEVxpF9JNwuJwmGJFAgmRg2', hex: '794B2844EE7E184115C6917D24DC2E270986245020991836' },
  { password: '收银员密码1', enc: 'utf16le', key: 'hex24', code: '130000000000000001', session: 'EC942ADA5CBEE88A6DB10066794B5D25', base64: 'LKeBFFsSXdLQoZPfXEXyPr5mvGjuL28P', hex: '2CA781145B125DD2D0A193DF5C45F23EBE66BC68EE2F6F0F' },
  { password: '收银员密码1', enc: 'utf16le', key: 'raw16', code: '130000000000000001', session: 'EC942ADA5CBEE88A6DB10066794B5D25', base64: 'g5InmYJ0HwAoc988d73E5elrOO6E96P5', hex: '8392279982741F002873DF3C77BDC4E5E96B38EE84F7A3F9' },
  // 18 digits vs 17: same first block (ECB), different padding block.
  { password: 'pm-sandbox-8866', enc: 'utf8', key: 'hex24', code: '134604005619969099', session: '1957129A0794E586D4B6F4AFD3C4EADC', base64: 'fL1vA1K9Xr0TiWPKpnJtxq2iJGGPin2X', hex: '7CBD6F0352BD5EBD138963CAA6726DC6ADA224618F8A7D97' },
  { password: 'pm-sandbox-8866', enc: 'utf8', key: 'hex24', code: '13460400561996909', session: '1957129A0794E586D4B6F4AFD3C4EADC', base64: 'fL1vA1K9Xr0TiWPKpnJtxsLN2LdJzGSH', hex: '7CBD6F0352BD5EBD138963CAA6726DC6C2CDD8B749CC6487' },
  // MD5("123456") is the well-known E10ADC3949BA59ABBE56E057F20F883E.
  { password: '123456', enc: 'utf8', key: 'hex24', code: '288924276181755765', session: 'E10ADC3949BA59ABBE56E057F20F883E', base64: 'jEiapskSY2HN8zGRkxP+ZRlVTPHP2uVc', hex: '8C489AA6C9126361CDF331919313FE6519554CF1CFDAE55C' },
];

const variant = (key: DesKeyForm, enc: PasswordEncoding, output: DesOptions['output']): DesOptions => ({ key, passwordEncoding: enc, mode: 'ecb', output });

describe('posmini Triple-DES of the payment code', () => {
  it('session key = UPPER(MD5(password)) in both encodings', () => {
    for (const v of VECTORS) expect(sessionKey(v.password, v.enc), `${v.password}/${v.enc}`).toBe(v.session);
    expect(sessionKey('123456')).toBe('E10ADC3949BA59ABBE56E057F20F883E');
  });

  it('every variant matches openssl, base64 and hex; decrypts back', () => {
    for (const v of VECTORS) {
      const note = `${v.password}/${v.enc}/${v.key}/${v.code}`;
      expect(encryptCode(v.code, v.password, variant(v.key, v.enc, 'base64')), note).toBe(v.base64);
      expect(encryptCode(v.code, v.password, variant(v.key, v.enc, 'hex')), note).toBe(v.hex);
      expect(decryptCode(v.base64, v.password, variant(v.key, v.enc, 'base64')), note).toEqual({ ok: true, text: v.code });
      expect(decryptCode(v.hex, v.password, variant(v.key, v.enc, 'hex')), note).toEqual({ ok: true, text: v.code });
      expect(decryptCode(v.hex.toLowerCase(), v.password, variant(v.key, v.enc, 'hex')), note).toEqual({ ok: true, text: v.code });
    }
  });

  it('key forms: hex24 = ASCII of the first 24 characters (des-ede3), raw16 = the MD5 bytes (des-ede)', () => {
    const s = '1957129A0794E586D4B6F4AFD3C4EADC';
    expect(desKey(s, 'hex24')).toEqual({ cipher: 'des-ede3', key: Buffer.from('1957129A0794E586D4B6F4AF', 'ascii') });
    expect(desKey(s, 'raw16')).toEqual({ cipher: 'des-ede', key: Buffer.from(s, 'hex') });
    expect(() => desKey('abc', 'hex24')).toThrow(TypeError);
  });

  it('the default is hex24 + utf8 + ecb + base64', () => {
    expect(DEFAULT_DES).toEqual({ key: 'hex24', passwordEncoding: 'utf8', mode: 'ecb', output: 'base64' });
    expect(encryptCode('130000000000000001', 'pm-sandbox-8866')).toBe('e40kdEkwEGUAcXEjovjXMA3p1hQclkqm');
    expect(resolveDes(undefined)).toEqual(DEFAULT_DES);
    expect(resolveDes({ key: 'raw16' })).toEqual({ ...DEFAULT_DES, key: 'raw16' });
    expect(() => resolveDes({ key: 'hex32' as DesKeyForm })).toThrow(TypeError);
    expect(() => resolveDes({ mode: 'cbc' as 'ecb' })).toThrow(TypeError);
    expect(() => resolveDes({ output: 'b64' as 'base64' })).toThrow(TypeError);
    expect(() => resolveDes({ passwordEncoding: 'latin1' as 'utf8' })).toThrow(TypeError);
  });

  it('any other variant cannot read a ciphertext: a typed failure, never a throw', () => {
    const base = VECTORS[0];
    const others: DesOptions[] = [variant('raw16', 'utf8', 'base64'), variant('hex24', 'utf16le', 'base64'), variant('raw16', 'utf16le', 'base64')];
    for (const des of others) expect(decryptCode(base.base64, base.password, des).ok, JSON.stringify(des)).toBe(false);
    expect(decryptCode(base.base64, 'another-password', DEFAULT_DES).ok).toBe(false);
    // Output form mismatch: base64 read as hex, hex read as base64 (36 bytes: not whole blocks).
    expect(decryptCode(base.base64, base.password, variant('hex24', 'utf8', 'hex'))).toMatchObject({ ok: false, reason: 'format' });
    expect(decryptCode(base.hex, base.password, DEFAULT_DES)).toMatchObject({ ok: false, reason: 'length' });
    expect(decryptCode('', base.password)).toMatchObject({ ok: false, reason: 'format' });
    expect(decryptCode('not base64!', base.password)).toMatchObject({ ok: false, reason: 'format' });
    expect(decryptCode('AAAA', base.password)).toMatchObject({ ok: false, reason: 'length' });
    expect(decryptCode(undefined as unknown as string, base.password)).toMatchObject({ ok: false, reason: 'format' });
  });

  it('a code fits the seed\'s 256 characters many times over', () => {
    expect(encryptCode('1'.repeat(32), 'x', variant('hex24', 'utf8', 'hex')).length).toBeLessThanOrEqual(256);
  });
});
