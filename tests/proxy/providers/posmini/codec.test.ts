import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  MAX_ANSWER_BYTES,
  decodeBillAnswer,
  decodeEnvelope,
  decodePayAnswer,
  decodeQueryAnswer,
  encodeBillGet,
  encodePay,
  encodeQuery,
  errorBodyMessage,
  parseJsonText,
  type Decoded,
} from '../../../../proxy/providers/posmini/codec.ts';
import { maskAuthCode, recordRequest, recordResponse, scrub } from '../../../../proxy/providers/posmini/redact.ts';

/** The seed's samples, byte for byte (tests/fixtures/posmini/README.md). */
const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../../../fixtures/posmini', name), 'utf8');

function value<T>(d: Decoded<T>): T {
  if (!d.ok) throw new Error(`expected ok, got ${d.error.kind}: ${d.error.message} ${d.error.provider?.message ?? ''}`);
  return d.value;
}
function refused<T>(d: Decoded<T>): string {
  if (d.ok) throw new Error('expected a refusal');
  expect(d.error.kind).toBe('response');
  return `${d.error.message} ${d.error.provider?.message ?? ''}`;
}

const ENV_NS = 'http://schemas.datacontract.org/2004/07/DigitalScience.DataTransfer';
const TAG_NS = 'http://schemas.datacontract.org/2004/07/DigitalScience.DataTransfer.Tour.V5.Result';
const xmlAnswer = (inner: string, root = 'CommonOperationResultWithTagOfPosSellPaymentResultldpHZqFJ') =>
  `<${root} xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="${ENV_NS}">${inner}</${root}>`;

describe('posmini codec: the seed\'s sample answers', () => {
  it('JSON, as printed', () => {
    expect(value(decodePayAnswer(fixture('pay-answer.json')))).toEqual({
      format: 'json',
      errcode: 1,
      errmsg: 'sample string 2',
      billNo: 'sample string 1',
      autoid: '2',
      billPayState: 'sample string 3',
    });
  });

  it('XML, as printed (root with the .NET hash suffix, d2p1: children)', () => {
    expect(value(decodePayAnswer(fixture('pay-answer.xml')))).toEqual({
      format: 'xml',
      errcode: 1,
      errmsg: 'sample string 2',
      billNo: 'sample string 1',
      autoid: '2',
      billPayState: 'sample string 3',
    });
  });

  it('any root starting with CommonOperationResultWithTag; any other is refused', () => {
    const inner = '<errcode>0</errcode><errmsg/><tag xmlns:d2p1="' + TAG_NS + '"><d2p1:billnum>B1</d2p1:billnum></tag>';
    expect(value(decodePayAnswer(xmlAnswer(inner, 'CommonOperationResultWithTagOfPosSellPaymentResultAbCdEfGh')))).toMatchObject({ errcode: 0, errmsg: '', billNo: 'B1' });
    expect(value(decodePayAnswer(xmlAnswer(inner, 'CommonOperationResultWithTag')))).toMatchObject({ errcode: 0 });
    expect(refused(decodePayAnswer(xmlAnswer(inner, 'OperationResult')))).toContain('CommonOperationResultWithTag');
    expect(refused(decodePayAnswer(`<?xml version="1.0" encoding="utf-8"?><Error><Message>x</Message></Error>`))).toContain('<Error>');
  });
});

describe('posmini codec: answers', () => {
  it('tag nil / null / absent; errmsg nil; an XML declaration and a BOM', () => {
    expect(value(decodePayAnswer(xmlAnswer('<errcode>-1</errcode><errmsg i:nil="true"/><tag i:nil="true"/>')))).toEqual({ format: 'xml', errcode: -1, errmsg: '' });
    expect(value(decodePayAnswer('{"errcode":-1,"errmsg":"售货单不存在","tag":null}'))).toEqual({ format: 'json', errcode: -1, errmsg: '售货单不存在' });
    expect(value(decodePayAnswer('\uFEFF{"errcode":"0","errmsg":null}'))).toEqual({ format: 'json', errcode: 0, errmsg: '' });
    expect(value(decodePayAnswer(`<?xml version="1.0" encoding="utf-8"?>\r\n${xmlAnswer('<errcode>0</errcode><errmsg>ok</errmsg>')}`))).toMatchObject({ errcode: 0, errmsg: 'ok' });
  });

  it('JSON property names case-insensitively (Json.NET may send ErrCode/Tag/AutoId)', () => {
    expect(value(decodePayAnswer('{"ErrCode":0,"ErrMsg":"成功","Tag":{"BillNum":"B1","AutoId":7,"BillPayState":"3"}}'))).toEqual({
      format: 'json',
      errcode: 0,
      errmsg: '成功',
      billNo: 'B1',
      autoid: '7',
      billPayState: '3',
    });
  });

  it('numbers are read as their literal text: big autoids keep every digit', () => {
    expect(value(parseJsonText('{"a":12.30,"b":-1,"c":"x\\"1.5","d":[1e2,0.29],"e":1234567890123456789}'))).toEqual({
      a: '12.30',
      b: '-1',
      c: 'x"1.5',
      d: ['1e2', '0.29'],
      e: '1234567890123456789',
    });
    expect(value(decodePayAnswer('{"errcode":0,"errmsg":"","tag":{"autoid":1234567890123456789}}')).autoid).toBe('1234567890123456789');
    expect(refused(parseJsonText('{"a":01}'))).toContain('JSON');
    expect(refused(parseJsonText('{"a":1'))).toContain('JSON');
  });

  it('yuan → fen exactly (no float): 0.29, 4.35, 12.34, 3.0, 1234567.89', () => {
    // The float way is wrong for two of these: 0.29 * 100 = 28.999999999999996, 4.35 * 100 = 434.99999999999994.
    expect(0.29 * 100).not.toBe(29);
    expect(4.35 * 100).not.toBe(435);
    const cases: [string, number][] = [['0.29', 29], ['4.35', 435], ['12.34', 1234], ['3.0', 300], ['1234567.89', 123456789], ['0.1', 10]];
    for (const [text, fen] of cases) {
      const json = `{"errcode":0,"errmsg":"","tag":{"billnum":"B","autoid":1,"billpaystate":"2","paystate":"1","paymentvalue":${text},"billtotal":${text},"billpaid":${text}}}`;
      expect(value(decodeQueryAnswer(json)), text).toMatchObject({ paymentFen: fen, billTotalFen: fen, billPaidFen: fen });
      const xml = xmlAnswer(`<errcode>0</errcode><errmsg/><tag xmlns:d2p1="${TAG_NS}"><d2p1:billtotal>${text}</d2p1:billtotal><d2p1:billpaid>0</d2p1:billpaid></tag>`, 'CommonOperationResultWithTagOfPosSellBillResultldpHZqFJ');
      expect(value(decodeBillAnswer(xml)), text).toMatchObject({ billTotalFen: fen, billPaidFen: 0 });
    }
    expect(refused(decodeQueryAnswer('{"errcode":0,"errmsg":"","tag":{"paymentvalue":0.295}}'))).toContain('paymentvalue');
    expect(refused(decodeQueryAnswer('{"errcode":0,"errmsg":"","tag":{"paymentvalue":-1.00}}'))).toContain('paymentvalue');
    expect(refused(decodeQueryAnswer('{"errcode":0,"errmsg":"","tag":{"paymentvalue":1e2}}'))).toContain('paymentvalue');
  });

  it('query: paystate 0 / 1 / -1 only', () => {
    for (const s of ['0', '1', '-1']) expect(value(decodeQueryAnswer(`{"errcode":0,"errmsg":"","tag":{"paystate":${s}}}`)).payState).toBe(s);
    expect(refused(decodeQueryAnswer('{"errcode":0,"errmsg":"","tag":{"paystate":"2"}}'))).toContain('paystate');
  });

  it('refuses what a broken or hostile server could send', () => {
    expect(refused(decodePayAnswer(''))).toContain('empty');
    expect(refused(decodePayAnswer('<html><body>502 Bad Gateway</body></html>'))).toContain('CommonOperationResultWithTag');
    expect(refused(decodePayAnswer('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + xmlAnswer('<errcode>0</errcode><errmsg>&e;</errmsg>')))).toContain('DOCTYPE');
    expect(refused(decodePayAnswer(xmlAnswer('<errcode>0</errcode><errmsg>cut')))).toContain('XML');
    expect(refused(decodePayAnswer(' '.repeat(10) + '<' + 'a'.repeat(MAX_ANSWER_BYTES)))).toContain('too large');
    expect(refused(decodePayAnswer('{"errmsg":"x"}'))).toContain('errcode');
    expect(refused(decodePayAnswer('{"errcode":"zero"}'))).toContain('errcode');
    expect(refused(decodePayAnswer('[1,2]'))).toContain('JSON');
    expect(refused(decodePayAnswer('{"errcode":0,"tag":"x"}'))).toContain('tag');
    expect(refused(decodePayAnswer('{"errcode":0,"tag":{"autoid":"12a"}}'))).toContain('autoid');
    expect(refused(decodePayAnswer(xmlAnswer('<errcode>0</errcode><errcode>1</errcode>')))).toContain('repeated');
    expect(refused(decodePayAnswer('<Root>' + xmlAnswer('<errcode>0</errcode>') + '</Root>'))).toContain('CommonOperationResultWithTag');
  });

  it('ASP.NET error bodies: their Message', () => {
    expect(errorBodyMessage('{"Message":"Authorization has been denied for this request."}')).toBe('Authorization has been denied for this request.');
    expect(errorBodyMessage('<Error><Message>The request is invalid.</Message></Error>')).toBe('The request is invalid.');
    expect(errorBodyMessage('<html>502</html>')).toBeUndefined();
    expect(errorBodyMessage('')).toBeUndefined();
  });
});

describe('posmini codec: requests', () => {
  it('JSON pay: the seed\'s field order, paymentvalue as an exact number literal', () => {
    const sample = JSON.parse(fixture('pay-request.json')) as Record<string, unknown>;
    const body = encodePay({ billNo: 'sample string 1', wechatbarcode: 'sample string 2', amountFen: 300 }, 'json');
    expect(body).toBe('{"billnum":"sample string 1","wechatbarcode":"sample string 2","paymentvalue":3.00}');
    expect(Object.keys(JSON.parse(body))).toEqual(Object.keys(sample));
    expect(JSON.parse(body)).toEqual(sample);
    expect(encodePay({ billNo: 'B"1', wechatbarcode: 'x', amountFen: 29 }, 'json')).toBe('{"billnum":"B\\"1","wechatbarcode":"x","paymentvalue":0.29}');
    expect(encodePay({ billNo: 'B', wechatbarcode: 'x', amountFen: 435 }, 'json')).toContain('"paymentvalue":4.35}');
    expect(encodePay({ billNo: 'B', wechatbarcode: 'x', amountFen: 1234 }, 'json')).toContain('"paymentvalue":12.34}');
    expect(() => encodePay({ billNo: 'B', wechatbarcode: 'x', amountFen: 12.5 }, 'json')).toThrow(TypeError);
  });

  it('XML pay: the seed\'s root, namespaces and element order', () => {
    const body = encodePay({ billNo: 'sample string 1', wechatbarcode: 'sample string 2', amountFen: 300 }, 'xml');
    // The seed prints `3` and blanks between elements; we write 3.00 and no blanks.
    expect(body).toBe(fixture('pay-request.xml').trim().replace(/> </g, '><').replace('<paymentvalue>3<', '<paymentvalue>3.00<'));
    expect(encodePay({ billNo: 'A&B<1>', wechatbarcode: 'ab+/=', amountFen: 1234 }, 'xml')).toContain(
      '<billnum>A&amp;B&lt;1&gt;</billnum><paymentvalue>12.34</paymentvalue><wechatbarcode>ab+/=</wechatbarcode>',
    );
  });

  it('assumed query and bill read', () => {
    expect(encodeQuery({ billNo: 'B1', autoid: '1001' }, 'json')).toBe('{"billnum":"B1","autoid":1001}');
    expect(encodeQuery({ billNo: 'B1', wechatbarcode: 'abc=' }, 'json')).toBe('{"billnum":"B1","wechatbarcode":"abc="}');
    expect(encodeQuery({ billNo: 'B1', autoid: '1001' }, 'xml')).toMatch(
      /^<PosSellPayQueryParm xmlns:i="http:\/\/www\.w3\.org\/2001\/XMLSchema-instance" xmlns="http:\/\/schemas\.datacontract\.org\/2004\/07\/DigitalScience\.DataTransfer\.Tour\.V5\.Parm"><autoid>1001<\/autoid><billnum>B1<\/billnum><\/PosSellPayQueryParm>$/,
    );
    expect(() => encodeQuery({ billNo: 'B1', autoid: '1 OR 1=1' }, 'json')).toThrow(TypeError);
    expect(encodeBillGet('B1', 'json')).toBe('{"billnum":"B1"}');
    expect(encodeBillGet('B1', 'xml')).toContain('<PosSellBillGetParm xmlns:i=');
    expect(encodeBillGet('B1', 'xml')).toContain('><billnum>B1</billnum></PosSellBillGetParm>');
  });

  it('envelope reads either format whatever we asked for', () => {
    expect(value(decodeEnvelope('{"errcode":0}')).format).toBe('json');
    expect(value(decodeEnvelope(xmlAnswer('<errcode>0</errcode>'))).format).toBe('xml');
  });
});

describe('posmini redaction helpers', () => {
  it('masks codes, scrubs secrets (longest first), records the ciphertext as ***', () => {
    expect(maskAuthCode('130000000000000001')).toBe('**************0001');
    expect(scrub('key ABCDEF0123 and ABCDEF; code 130000000000000001', { hide: ['ABCDEF', 'ABCDEF0123', 'ab'], authCodes: ['130000000000000001'] })).toBe(
      'key *** and ***; code **************0001',
    );
    const rec = recordRequest('http://h/api', 'application/json', '{"wechatbarcode":"***"}', '130000000000000001');
    expect(rec).toBe('POST http://h/api\ncontent-type: application/json\n{"wechatbarcode":"***"}\n(wechatbarcode = 3DES(**************0001))');
    expect(recordResponse(200, 'x'.repeat(9000))).toMatch(/^HTTP 200\nx{8192}…\(9000 chars\)$/);
  });
});
