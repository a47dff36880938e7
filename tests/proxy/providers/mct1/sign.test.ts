import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  callbackSign,
  phpString,
  requestSign,
  sameSign,
  sha1Hex,
  signParams,
  signingString,
  verifyAnswer,
  verifyCallback,
} from '../../../../proxy/providers/mct1/sign.ts';

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

describe('mct1 request signature (seeds/004 §2.4)', () => {
  // The worked example: verified by hand with `printf '%s' … | openssl sha1`, then md5 of that.
  const params = { open_id: '87f46f5db1b65f0ac195285f49ee6958', timestamp: '1497957842', data: '3304A5EC2CDEB4D12ED3338B5C01BF6B' };
  const KEY = '0828e83720fdbe3685a7b94214af04f9';

  it('reproduces the sorted string, the sha1 and the md5', () => {
    expect(signingString(params, KEY)).toBe(
      'data=3304A5EC2CDEB4D12ED3338B5C01BF6B&open_id=87f46f5db1b65f0ac195285f49ee6958&open_key=0828e83720fdbe3685a7b94214af04f9&timestamp=1497957842',
    );
    expect(sha1Hex(signingString(params, KEY))).toBe('013030c4532c00c14ad8b9e47f3382f9ea4a8ed1');
    expect(requestSign(params, KEY)).toBe('915be5aff09f2686870e1d17e93b3542');
    // `sign` itself never takes part.
    expect(signParams({ ...params, sign: 'whatever' }, KEY)).toBe('915be5aff09f2686870e1d17e93b3542');
  });

  it('raw values: Chinese kept, nothing URL-encoded; names in byte order', () => {
    expect(signingString({ b: '成功 a&b=c', A: '1', a: '' }, 'K')).toBe('A=1&a=&b=成功 a&b=c&open_key=K');
    expect(phpString(0)).toBe('0');
    expect(phpString(null)).toBe('');
    expect(phpString(true)).toBe('1');
    expect(phpString(false)).toBe('');
  });

  it('compares in constant time, case-insensitively; wrong types and lengths are false', () => {
    expect(sameSign('915BE5AFF09F2686870E1D17E93B3542', '915be5aff09f2686870e1d17e93b3542')).toBe(true);
    expect(sameSign('915be5aff09f2686870e1d17e93b354', '915be5aff09f2686870e1d17e93b3542')).toBe(false);
    expect(sameSign(undefined, '915be5aff09f2686870e1d17e93b3542')).toBe(false);
    expect(sameSign(42, '42')).toBe(false);
  });
});

describe('mct1 answer verification (seeds/004 §2.5)', () => {
  const fixture = readFileSync(join(import.meta.dirname, '../../../fixtures/mct1/envelope-2.5.json'), 'utf8');
  const KEY = 'vCfnB1SvPQqUDa7q0AFpqdiGOCICGT92';
  const SIGN = '406571b4852680d8463e653f669fe449';

  /*
   * Why the printed example does not reproduce:
   * - The JSON shows msg "\u6210\u529f" (成功) and timestamp 1461642890; the "验证签名所需字符串"
   *   shows msg=ok and timestamp=1461644997: two different answers were pasted together.
   * - The data "BE493732102064876B89862824DF8B0B779" has 35 hex digits. Its first 32 digits are one
   *   AES block which decrypts under this open_key to `[{"pmt_name":"\u` (crypto.test.ts): the start
   *   of a genuine paylist answer. The rest was cut off by the document, and the signature covers
   *   the whole data, so no combination can reproduce it.
   * Tried, none matches 406571b4…: msg ∈ {ok, 成功, the raw "\u6210\u529f", OK, ""} × timestamp ∈
   * {1461642890, 1461644997} × data as printed / lower-case / cut to 34 digits × with and without
   * open_key × sha1→md5, md5 only, sha1 only, md5 of the upper-case sha1.
   */
  it('the printed signing string follows the rule, but no combination reproduces the printed sign', () => {
    const printed = 'data=BE493732102064876B89862824DF8B0B779&errcode=0&msg=ok&open_key=vCfnB1SvPQqUDa7q0AFpqdiGOCICGT92&timestamp=1461644997';
    expect(signingString({ errcode: 0, msg: 'ok', timestamp: 1461644997, data: 'BE493732102064876B89862824DF8B0B779' }, KEY)).toBe(printed);
    const tried: string[] = [];
    for (const msg of ['ok', '成功', '\\u6210\\u529f', 'OK', ''])
      for (const timestamp of [1461642890, 1461644997])
        for (const data of ['BE493732102064876B89862824DF8B0B779', 'be493732102064876b89862824df8b0b779', 'BE493732102064876B89862824DF8B0B77'])
          for (const withKey of [true, false]) {
            const s = withKey
              ? signingString({ errcode: 0, msg, timestamp, data }, KEY)
              : `data=${data}&errcode=0&msg=${msg}&timestamp=${timestamp}`;
            const sha = sha1Hex(s);
            tried.push(md5(sha), md5(s), sha, md5(sha.toUpperCase()));
          }
    expect(tried.length).toBe(240);
    expect(tried).not.toContain(SIGN);
  });

  it('what does hold: the JSON parses, the rule is applied to its decoded values, and it is refused', () => {
    const answer = JSON.parse(fixture) as Record<string, unknown>;
    expect(answer).toEqual({ errcode: 0, msg: '成功', timestamp: 1461642890, data: 'BE493732102064876B89862824DF8B0B779', sign: SIGN });
    // Verification uses the decoded msg (成功, "请保持中文"), never the \u escapes of the raw text.
    expect(signingString(answer, KEY)).toBe('data=BE493732102064876B89862824DF8B0B779&errcode=0&msg=成功&open_key=vCfnB1SvPQqUDa7q0AFpqdiGOCICGT92&timestamp=1461642890');
    expect(verifyAnswer(answer, KEY)).toBe('invalid');
  });

  it('an answer we sign ourselves verifies; any change breaks it; no data → unsigned', () => {
    const answer: Record<string, unknown> = { errcode: 0, msg: '订单退款成功', timestamp: 1461642890, data: 'ABCD' };
    answer.sign = signParams(answer, KEY);
    expect(verifyAnswer(answer, KEY)).toBe('valid');
    expect(verifyAnswer({ ...answer, sign: String(answer.sign).toUpperCase() }, KEY)).toBe('valid');
    expect(verifyAnswer({ ...answer, msg: 'ok' }, KEY)).toBe('invalid');
    expect(verifyAnswer({ ...answer, timestamp: 1461642891 }, KEY)).toBe('invalid');
    expect(verifyAnswer({ ...answer, extra: '1' }, KEY)).toBe('invalid');
    expect(verifyAnswer(answer, 'other')).toBe('invalid');
    const { sign: _s, ...unsigned } = answer;
    expect(verifyAnswer(unsigned, KEY)).toBe('invalid');
    expect(verifyAnswer({ errcode: 8002, msg: '订单不存在', timestamp: 1 }, KEY)).toBe('unsigned');
  });
});

describe('mct1 callback signature (seeds/004 §4.8.1.1, "验签方式请参照2.5")', () => {
  const KEY = '0828e83720fdbe3685a7b94214af04f9';
  const fields = { ord_no: '9149870539009977236294766', timestamp: '1498705391', rand_str: 'abcDEF123', out_no: '1214987053965760', status: '1' };

  it('signs the documented fields + open_key, sorted; extra parameters of our own URL are ignored', () => {
    const expected = md5(sha1Hex(`open_key=${KEY}&ord_no=${fields.ord_no}&out_no=${fields.out_no}&rand_str=abcDEF123&status=1&timestamp=1498705391`));
    expect(callbackSign(fields, KEY)).toBe(expected);
    expect(verifyCallback({ ...fields, sign: expected }, KEY)).toBe(true);
    expect(verifyCallback({ ...fields, sign: expected, provider: 'mct1' }, KEY)).toBe(true);
    expect(verifyCallback({ ...fields, status: '4', sign: expected }, KEY)).toBe(false);
    expect(verifyCallback({ ...fields }, KEY)).toBe(false);
  });

  it('the seed\'s example URL has no ord_no: the fields present are signed', () => {
    const noOrd = { timestamp: '1234567890', out_no: '123456', status: '1', rand_str: 'RAND_STR' };
    const s = callbackSign(noOrd, KEY);
    expect(s).toBe(md5(sha1Hex(`open_key=${KEY}&out_no=123456&rand_str=RAND_STR&status=1&timestamp=1234567890`)));
    // Its printed sign is the placeholder "SIGN".
    expect(verifyCallback({ ...noOrd, sign: 'SIGN' }, KEY)).toBe(false);
  });
});
