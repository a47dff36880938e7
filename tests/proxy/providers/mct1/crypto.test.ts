import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { aesKey, decryptData, encryptData, isExactKey } from '../../../../proxy/providers/mct1/crypto.ts';

/** seeds/004 §2.4's example key (also the sandbox store's open_key). */
const KEY = '0828e83720fdbe3685a7b94214af04f9';

/*
 * Independent vectors, produced once with the openssl command line (not with our code):
 *   KEYHEX=$(printf '%s' "$KEY" | od -An -tx1 | tr -d ' \n')
 *   printf '%s' "$PLAINTEXT" | openssl enc -aes-256-ecb -K $KEYHEX | od -An -tx1 | tr -d ' \n'
 * (OpenSSL 3.0.19; openssl's default padding is PKCS#7, i.e. the seed's "PKCS5Padding").
 * For the short/long keys the -K hex was NUL-padded / cut to 32 bytes by hand, which is what PHP's
 * openssl_encrypt does with a key of the wrong length.
 */
const OPENSSL: { plain: string; key: string; hex: string; note: string }[] = [
  { note: '§2.4 example data', plain: '{"pmt_type":0}', key: KEY, hex: '3304a5ec2cdeb4d12ed3338b5c01bf6b' },
  { note: 'paylist request', plain: '{"pmt_type":"2,3"}', key: KEY, hex: '8d4634e1527f1c94d26b17959e603c4f1f3e02fe8d1e13b6d1bb727f32b8bd47' },
  {
    note: 'Chinese (49 UTF-8 bytes)',
    plain: '{"ord_name":"双汇王中王80克","out_no":"A1"}',
    key: KEY,
    hex: 'ecb81170cdafd21454f5fa37062cc64616d91a77b706d761e15e6c94df061a04cf265ff7866c3783eb717cdcc64befa6123b1a374b9995796fc7549ecdb26228',
  },
  {
    note: 'exactly 32 bytes: a whole padding block follows',
    plain: '{"out_no":"ABCDEFGHIJKLMNOPQRS"}',
    key: KEY,
    hex: 'e2ddb5d3663a72cb1f1fe2c05dda930e6c4d082203d53929aee22d61fda00e1e02023ce249c75be725be868940315db1',
  },
  { note: 'empty plaintext: one padding block', plain: '', key: KEY, hex: '02023ce249c75be725be868940315db1' },
  { note: '16-character key, NUL-padded to 32 bytes', plain: '{"pmt_type":"2,3"}', key: '1234567890abcdef', hex: '1b1423d0d72f8d2af03836ab2fc457bb0e85e506464c568924b5e1719149d285' },
  {
    note: '40-character key, cut to its first 32 bytes (= KEY)',
    plain: '{"pmt_type":"2,3"}',
    key: `${KEY}EXTRAEXT`,
    hex: '8d4634e1527f1c94d26b17959e603c4f1f3e02fe8d1e13b6d1bb727f32b8bd47',
  },
];

describe('mct1 AES-256-ECB data', () => {
  it('matches openssl for every vector, both hex cases; decrypts them back', () => {
    for (const v of OPENSSL) {
      expect(encryptData(v.plain, v.key, 'lower'), v.note).toBe(v.hex);
      expect(encryptData(v.plain, v.key, 'upper'), v.note).toBe(v.hex.toUpperCase());
      expect(decryptData(v.hex, v.key), v.note).toEqual({ ok: true, text: v.plain });
      expect(decryptData(v.hex.toUpperCase(), v.key), v.note).toEqual({ ok: true, text: v.plain });
    }
  });

  it('the default hex case is upper (as the seed\'s genuine samples)', () => {
    expect(encryptData('{"pmt_type":0}', KEY)).toBe('3304A5EC2CDEB4D12ED3338B5C01BF6B');
  });

  it('§2.4: the example\'s data is real — it decrypts to {"pmt_type":0} under the example\'s open_key', () => {
    expect(decryptData('3304A5EC2CDEB4D12ED3338B5C01BF6B', KEY)).toEqual({ ok: true, text: '{"pmt_type":0}' });
  });

  it('§2.5: the example answer\'s data is a genuine paylist answer cut short by the document', () => {
    // 35 hex digits: odd, so not decodable as printed...
    const printed = 'BE493732102064876B89862824DF8B0B779';
    expect(decryptData(printed, 'vCfnB1SvPQqUDa7q0AFpqdiGOCICGT92')).toMatchObject({ ok: false, reason: 'hex' });
    // ...but its first block decrypts (no padding: it is not the last block) to the start of a
    // PHP json_encode'd paylist, `[{"pmt_name":"\u`. Checked with openssl too:
    //   printf '%s' '[{"pmt_name":"\u' | openssl enc -aes-256-ecb -K <hex of the key> -nopad
    //   → be493732102064876b89862824df8b0b
    const firstBlock = encryptData('[{"pmt_name":"\\u', 'vCfnB1SvPQqUDa7q0AFpqdiGOCICGT92', 'upper').slice(0, 32);
    expect(firstBlock).toBe(printed.slice(0, 32));
  });

  it('key: UTF-8 bytes, NUL-padded or cut to 32 like PHP', () => {
    expect(aesKey(KEY)).toEqual(Buffer.from(KEY, 'utf8'));
    expect(aesKey('abc')).toEqual(Buffer.concat([Buffer.from('abc'), Buffer.alloc(29)]));
    expect(aesKey('密'.repeat(11)).length).toBe(32); // 33 bytes, cut
    expect(isExactKey(KEY)).toBe(true);
    expect(isExactKey('1234567890abcdef')).toBe(false);
  });

  it('malformed input is a typed failure, never a throw', () => {
    expect(decryptData('', KEY)).toMatchObject({ ok: false, reason: 'hex' });
    expect(decryptData('abc', KEY)).toMatchObject({ ok: false, reason: 'hex' });
    expect(decryptData('zz'.repeat(16), KEY)).toMatchObject({ ok: false, reason: 'hex' });
    expect(decryptData('00'.repeat(15), KEY)).toMatchObject({ ok: false, reason: 'length' });
    expect(decryptData(undefined as unknown as string, KEY)).toMatchObject({ ok: false, reason: 'hex' });
    // Right length, wrong key: the padding does not check out.
    expect(decryptData('3304a5ec2cdeb4d12ed3338b5c01bf6b', 'vCfnB1SvPQqUDa7q0AFpqdiGOCICGT92')).toMatchObject({ ok: false, reason: 'padding' });
    // Valid padding, invalid UTF-8 inside.
    const bad = encryptData('x', KEY, 'lower');
    expect(decryptData(bad, KEY)).toEqual({ ok: true, text: 'x' });
    // One block whose plaintext is 0xff + 15 × 0x0f: valid padding around a byte that is not UTF-8.
    const cipherOfFF = createCipheriv('aes-256-ecb', Buffer.from(KEY), null)
      .setAutoPadding(false)
      .update(Buffer.from([0xff, ...Array(15).fill(15)]))
      .toString('hex');
    expect(decryptData(cipherOfFF, KEY)).toMatchObject({ ok: false, reason: 'utf8' });
  });
});
