import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  MAX_XML_BYTES,
  chinaTimeToIso,
  decodeActivation,
  decodeConfig,
  decodePayAnswer,
  decodePrintinfo,
  decodeReadAnswer,
  decodeRefundAnswer,
  decodeStatus,
  decodeTime,
  dmDigits,
  encodeHostId,
  encodeItems,
  encodeMicropay,
  encodeQuery,
  encodeRead,
  encodeRefund,
  normaliseCodeRegex,
  parseXml,
  type Decoded,
} from '../../../../proxy/providers/weishouyin/codec.ts';
import { maskAuthCode, redactParams, redactResponse, scrub } from '../../../../proxy/providers/weishouyin/redact.ts';

/** The seed's sample answers (see tests/fixtures/weishouyin/README.md for the few repairs). */
const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../../../fixtures/weishouyin', name), 'utf8');

function value<T>(d: Decoded<T>): T {
  if (!d.ok) throw new Error(`expected ok, got ${d.error.kind}: ${d.error.message} ${d.error.provider?.message ?? ''}`);
  return d.value;
}

describe('weishouyin codec: the seed sample answers', () => {
  it('activation (§1)', () => {
    expect(value(decodeActivation(fixture('activation-ok.xml')))).toEqual({
      status: 1,
      info: '设备已成功注册!',
      deviceId: '123',
      key: '12345',
    });
    expect(value(decodeActivation(fixture('activation-refused.xml')))).toEqual({ status: 0, info: '初始密钥不存在!' });
  });

  it('pay config (§2), as printed', () => {
    expect(value(decodeConfig(fixture('config-key-error.xml')))).toEqual({ status: -1, info: '设备密钥错误' });
    const answer = value(decodeConfig(fixture('config.xml')));
    if (answer.status !== 1) throw new Error('expected ok=1');
    const cfg = answer.config;
    expect(cfg.server).toBe('http://dct.semoor.cn');
    expect(cfg.deviceId).toBe('215117');
    expect(cfg.clientId).toBe('156326');
    expect(cfg.clientName).toBe('测试读取配置文件接口 - 001');
    expect(cfg.refundTimeLimit).toBe('0');
    expect(cfg.licenses).toMatchObject({ micropay: '1', printer: '1', com: '1', network: '1', wxpayremind: '1' });
    expect(cfg.qrcodeLogo).toBe('201503/31002052/logo150.png');
    expect(cfg.methods).toEqual([
      { type: '4', code: 'o2o_dm_code_wxpaysub', name: '微信', codeRegex: '^1[0-5]\\d{16}$', cancelRegex: '^dm\\d+$' },
      { type: '30', code: 'o2o_dm_code_alipay_isv_beta', name: '支付宝', codeRegex: '^28\\d{15,16}$', cancelRegex: '^dm\\d+$' },
    ]);
    const wx = new RegExp(cfg.methods[0].codeRegex!);
    const ali = new RegExp(cfg.methods[1].codeRegex!);
    // Payment codes printed in the seed's own examples.
    expect(wx.test('134604005619969099')).toBe(true);
    expect(ali.test('287662437041841781')).toBe(true);
    expect(ali.test('288924276181755765')).toBe(true);
    expect(wx.test('287662437041841781')).toBe(false);
    expect(new RegExp(cfg.methods[0].cancelRegex!).test('dm2032288236')).toBe(true);
    // Templates are decoded: ESC @ bytes, ¥ and placeholders kept.
    expect(cfg.templates.payremind.startsWith('\x1b\x40\x1d\x21\x11\x1b\x4d\x02微信支付凭证')).toBe(true);
    expect(cfg.templates.payremind).toContain('{id}');
    expect(cfg.templates.payremind).toContain('¥');
    expect(cfg.templates.payremind).not.toMatch(/\\x/i);
    expect(cfg.templates.qrcode.startsWith('\r\n\x1b\x7b\x01')).toBe(true);
    expect(cfg.templates.payremindPopup).toContain('{tableno}');
    expect(cfg.templates.redpack).toBe('');
  });

  it('time (§3)', () => {
    expect(value(decodeTime(fixture('time-ok.xml')))).toEqual({ status: 1, info: '', time: '2018-07-10T16:42:45+08:00' });
    expect(value(decodeTime(fixture('time-sign-error.xml')))).toEqual({ status: 0, info: '签名错误' });
  });

  it('micropay with printinfo (§4 3.1)', () => {
    const a = value(decodePayAnswer(fixture('micropay.xml')));
    expect(a).toMatchObject({
      status: 1,
      info: '支付成功',
      dmId: 'dm2032288236',
      totalFen: 1,
      payType: '4',
      paidAt: '2018-04-21T18:58:01+08:00',
      // 28 digits: no number coercion anywhere.
      payId: '4200000067201804213236197646',
      openid: 'o01mvsyv8t9tkTYgaAewu8HrM-w',
    });
    expect(a.paylist).toMatchObject({ id: '2032288236', deviceId: '215117', company: '测试读取配置文件接口', paymode: '微信', totalFee: '1' });
    expect(a.printinfo!.startsWith('\x1b\x40\x1c\x26\n\n\x1b\x74\x00\n\x1b\x61\x01\x1d\x21\x10付款回执\n')).toBe(true);
    expect(a.printinfo).toContain('流水号: 4200000067201804213236197646\n');
    expect(a.printinfo).toContain('签名:\n\r\n\n');
    expect(a.printinfo!.endsWith('\x1bi')).toBe(true);
  });

  it('micropay with noremind (§4 3.1): no printinfo', () => {
    const a = value(decodePayAnswer(fixture('micropay-noremind.xml')));
    expect(a).toMatchObject({ status: 1, dmId: 'dm2034340137', totalFen: 1, payId: '4200000063201804223337652055', paidAt: '2018-04-22T10:15:38+08:00' });
    expect(a.printinfo).toBeUndefined();
  });

  it('both query answers (§4 3.2.1, 3.2.2)', () => {
    const byCode = value(decodePayAnswer(fixture('query-authcode.xml')));
    expect(byCode).toMatchObject({ status: 1, info: '支付成功【支付金额:0.01元】', dmId: 'dm2034159025', totalFen: 1 });
    expect(byCode.printinfo).toContain('消费金额: \x1d\x21\x11￥0.01\n');
    expect(value(decodePayAnswer(fixture('query-authcode-noremind.xml')))).toMatchObject({ dmId: 'dm2034159025', payId: '4200000075201804223264255306' });
    expect(value(decodePayAnswer(fixture('query-dmid.xml')))).toMatchObject({ dmId: 'dm2032288236', payId: '4200000067201804213236197646' });
    expect(value(decodePayAnswer(fixture('query-dmid-noremind.xml')))).toMatchObject({
      dmId: 'dm2034085636',
      paidAt: '2018-04-22T09:29:39+08:00',
      payId: '4200000067201804223595471958',
    });
  });

  it('refund (§4 3.3): negative total', () => {
    const a = value(decodeRefundAnswer(fixture('refund.xml')));
    expect(a).toMatchObject({
      status: 1,
      info: '退款成功',
      dmId: 'dm2032288236',
      totalFen: -1,
      refundedAt: '2018-04-21T19:47:15+08:00',
      payId: '4200000067201804213236197646',
      typeId: '2',
    });
    expect(a.printinfo).toContain('\x1d\x21\x10退款凭证\n');
    expect(a.printinfo).toContain('退款金额: \x1d\x21\x01¥ -0.01\n');
  });

  it('read bill (§4 3.4): after payment, after one and two refunds', () => {
    const paid = value(decodeReadAnswer(fixture('read-paid.xml')));
    expect(paid).toMatchObject({ status: 1, dmId: 'dm2032972220', payType: '微信', payTotalFen: 2, refundTotalFen: 0, paidAt: '2018-04-21T20:29:21+08:00' });
    expect(paid.lines).toEqual([
      { payType: '4', payName: '微信', totalFen: 2, at: '2018-04-21T20:29:21+08:00', payId: '4200000067201804213014837189' },
    ]);
    const one = value(decodeReadAnswer(fixture('read-refund1.xml')));
    expect(one.refundTotalFen).toBe(-1);
    expect(one.lines.map((l) => l.totalFen)).toEqual([2, -1]);
    expect(one.lines[1]).toMatchObject({ at: '2018-04-21T20:38:55+08:00', payId: 'dm20329722201524314334' });
    const two = value(decodeReadAnswer(fixture('read-refund2.xml')));
    expect(two.refundTotalFen).toBe(-2);
    expect(two.lines.map((l) => l.totalFen)).toEqual([2, -1, -1]);
    // refund_total is the sum of the refund lines; what is left to refund is pay_total + refund_total.
    expect(two.lines.filter((l) => l.totalFen < 0).reduce((s, l) => s + l.totalFen, 0)).toBe(two.refundTotalFen);
    expect(two.payTotalFen! + two.refundTotalFen).toBe(0);
  });

  it('refuses the read sample exactly as printed (wrapped attribute, no </dm>)', () => {
    const d = decodeReadAnswer(fixture('read-refund1.as-printed.xml'));
    expect(d.ok).toBe(false);
    if (!d.ok) expect(d.error.kind).toBe('response');
  });
});

describe('weishouyin codec: amounts', () => {
  const read = (attrs: string, lines = '') => decodeReadAnswer(`<dm ok="1" dm_id="dm1" ${attrs}>${lines}</dm>`);
  it('converts yuan strings to fen exactly', () => {
    expect(value(read('pay_total="0.01"')).payTotalFen).toBe(1);
    expect(value(read('pay_total="0.1"')).payTotalFen).toBe(10);
    expect(value(read('pay_total="12"')).payTotalFen).toBe(1200);
    expect(value(read('pay_total="1.230"')).payTotalFen).toBe(123);
    expect(value(read('pay_total="0.29" refund_total="-0.01"')).refundTotalFen).toBe(-1);
    // 0.1 + 0.2 style float traps do not exist here.
    const v = value(read('pay_total="0.30" refund_total="-0.30"', '<pay pay_total="0.1" /><pay pay_total="-0.2" /><pay pay_total="-0.1" />'));
    expect(v.lines.map((l) => l.totalFen)).toEqual([10, -20, -10]);
    expect(value(decodeRefundAnswer('<dm ok="1" total="-0.01" />')).totalFen).toBe(-1);
  });
  it('refuses amounts that are not whole fen or not numbers', () => {
    for (const bad of ['0.001', 'abc', '1e3', '0x10', '1,00']) {
      const d = read(`pay_total="${bad}"`);
      expect(d.ok, bad).toBe(false);
      if (!d.ok) expect(d.error.kind).toBe('response');
    }
    // A negative payment total is not a refund.
    expect(decodePayAnswer('<dm ok="1" total="-0.01" dm_id="dm1" />').ok).toBe(false);
  });
});

describe('weishouyin codec: printinfo and templates', () => {
  it('decodes \\xNN (any case) to characters, \\r \\n \\t to controls, keeps Chinese and real newlines', () => {
    const d = decodePrintinfo('\\x1b\\x40中文 ¥1\\X1B\\x61\\x01\nline2\\r\\n\\tend');
    expect(d).toBe('\x1b@中文 ¥1\x1ba\x01\nline2\r\n\tend');
    expect([...Buffer.from(decodePrintinfo('\\x1b\\x40'), 'latin1')]).toEqual([0x1b, 0x40]);
    expect(decodePrintinfo('\\x0d\\x0a')).toBe('\r\n');
    // Not an escape: left alone. An escaped backslash is not re-read.
    expect(decodePrintinfo('a\\qb \\x4')).toBe('a\\qb \\x4');
    expect(decodePrintinfo('\\x5cx41')).toBe('\\x41');
  });
});

describe('weishouyin codec: hostile and broken XML', () => {
  it('refuses DOCTYPE / ENTITY before parsing (billion laughs)', () => {
    const lol = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><dm ok="1" info="&lol3;" />`;
    for (const text of [lol, '<!ENTITY x "y"><dm ok="1" />', '<!doctype dm><dm ok="1" />', '<!DOCTYPE dm SYSTEM "file:///etc/passwd"><dm ok="1">&xxe;</dm>']) {
      const d = decodeStatus(text);
      expect(d.ok).toBe(false);
      if (!d.ok) {
        expect(d.error.kind).toBe('response');
        expect(d.error.message).toContain('DOCTYPE');
      }
    }
  });

  it('refuses oversize answers', () => {
    const big = `<dm ok="1" info="${'x'.repeat(MAX_XML_BYTES)}" />`;
    const d = decodeStatus(big);
    expect(d.ok).toBe(false);
    if (!d.ok) expect(d.error.message).toContain('过大');
  });

  it('malformed, truncated, foreign or status-less answers are response errors', () => {
    for (const text of [
      '<dm ok="1" info="支付成功" dm_id="dm',
      '<dm ok="1"><paylist></dm>',
      '<html><body>502 Bad Gateway</body></html>',
      'garbage',
      '',
      '<dm info="no status" />',
      '<dm ok="2" />',
    ]) {
      const d = decodePayAnswer(text);
      expect(d.ok, text).toBe(false);
      if (!d.ok) expect(d.error.kind).toBe('response');
    }
  });

  it('decodes standard and numeric entities, and keeps every value a string', () => {
    const p = parseXml('<dm ok="1" a="&amp;&lt;&#10;&#x41;" n="007" f="0.10"><x>0012</x></dm>');
    expect(p.ok).toBe(true);
    if (p.ok) expect(p.value.dm).toMatchObject({ '@_a': '&<\nA', '@_n': '007', '@_f': '0.10', x: '0012' });
  });

  it('tolerates the missing space between attributes that the seed config shows', () => {
    expect(value(decodeStatus('<dm ok="0"info="x" />'))).toEqual({ status: 0, info: 'x' });
    // A quote inside a value is not touched.
    const p = parseXml(`<dm ok="1" a='say "hi"' b="it's" />`);
    expect(p.ok && p.value.dm).toMatchObject({ '@_a': 'say "hi"', '@_b': "it's" });
  });
});

describe('weishouyin codec: encoders and helpers', () => {
  it('items in the seed layout "单品上传模式1", CRLF', () => {
    const at = new Date('2018-04-22T10:50:24+08:00');
    const item = { name: '双汇王中王80克', unitFen: 280, quantity: 1, barcode: '6902890227670' };
    const { info, infoaddo } = encodeItems([item, item, item], { branch: '020409012', at });
    expect(info).toBe('分店');
    expect(infoaddo).toBe(
      '分店:020409012 NO. 2018-04-22 10:50:24\r\n' +
        '货号/品名 单价 数量 小计\r\n' +
        '双汇王中王80克 2.80 1.00 2.80\r\nGS1:6902890227670\r\n'.repeat(3),
    );
    const more = encodeItems(
      [
        { name: ' 可乐\n330ml ', unitFen: 350, quantity: 2 },
        { name: '散装苹果', unitFen: 999, quantity: 0.5, barcode: 'bad\ncode' },
      ],
      { branch: 'o-1', at },
    ).infoaddo;
    expect(more.split('\r\n').slice(2)).toEqual(['可乐 330ml 3.50 2.00 7.00', '散装苹果 9.99 0.50 5.00', '']);
  });

  it('micropay, query, refund and read parameter sets', () => {
    expect(encodeMicropay({ deviceId: '215117', authCode: '288924276181755765', payType: 'alipay', totalFen: 1 })).toEqual({
      action: 'micropay',
      device_id: '215117',
      authcode: '288924276181755765',
      paytype: 'alipay',
      total: '0.01',
    });
    const withItems = encodeMicropay({
      deviceId: '1',
      authCode: '130000000000000001',
      payType: 'x',
      totalFen: 12345,
      items: [{ name: 'a', unitFen: 1, quantity: 1 }],
      branch: 'b',
      at: new Date(0),
      noremind: true,
    });
    expect(withItems).toMatchObject({ total: '123.45', info: '分店', noremind: '' });
    expect(withItems.infoaddo.startsWith('分店:b NO. 1970-01-01 08:00:00\r\n')).toBe(true);
    expect(encodeQuery({ deviceId: '215117', dmId: 'dm2032288236', authCode: '1', payType: 'o2o_dm_code_wxpaysub' })).toEqual({
      action: 'query',
      device_id: '215117',
      dm_id: 'dm2032288236',
      paytype: 'o2o_dm_code_wxpaysub',
    });
    expect(encodeQuery({ deviceId: '215117', authCode: '134604005619969099' })).toEqual({
      action: 'query',
      device_id: '215117',
      authcode: '134604005619969099',
    });
    expect(() => encodeQuery({ deviceId: '1' })).toThrow();
    expect(encodeRefund({ deviceId: '215117', dmId: 'dm2032288236', refundFen: 1 })).toEqual({
      action: 'refund',
      device_id: '215117',
      dm_id: 'dm2032288236',
      refund: '0.01',
    });
    expect(encodeRead({ deviceId: '215117', dmId: 'dm2032972220' })).toEqual({ action: 'read', device_id: '215117', dm_id: 'dm2032972220' });
    expect(dmDigits('dm2032288236')).toBe('2032288236');
  });

  it('hostid is base64 of the <host> element', () => {
    expect(Buffer.from(encodeHostId({ cpu: 'ARM "v8"', mac: '00:11:22:33:44:55' }), 'base64').toString('utf8')).toBe(
      '<host cpu="ARM &quot;v8&quot;" mac="00:11:22:33:44:55" />',
    );
  });

  it('normalises the coderegex the seed prints with a PHP-escaped $', () => {
    expect(normaliseCodeRegex('^1[0-5]\\d{16}\\$')).toBe('^1[0-5]\\d{16}$');
    expect(normaliseCodeRegex('^dm\\d+\\$')).toBe('^dm\\d+$');
    expect(normaliseCodeRegex('^28\\d{15,16}$')).toBe('^28\\d{15,16}$');
    expect(normaliseCodeRegex('/^28\\d+$/i')).toBe('^28\\d+$');
    expect(normaliseCodeRegex('^([')).toBeUndefined();
    expect(normaliseCodeRegex('')).toBeUndefined();
    expect(new RegExp(normaliseCodeRegex('^1[0-5]\\d{16}\\$')!).test('134604005619969099')).toBe(true);
  });

  it('China times to ISO', () => {
    expect(chinaTimeToIso('2018-04-21 18:58:01')).toBe('2018-04-21T18:58:01+08:00');
    expect(chinaTimeToIso('20180710164245')).toBe('2018-07-10T16:42:45+08:00');
    expect(chinaTimeToIso('')).toBeUndefined();
    expect(chinaTimeToIso('yesterday')).toBeUndefined();
  });
});

describe('weishouyin redaction', () => {
  it('masks payment codes and hides secrets', () => {
    expect(maskAuthCode('288924276181755765')).toBe('**************5765');
    const rec = redactParams({
      action: 'micropay',
      authcode: '280240688407987306',
      infoaddo: '[被扫支付]授权码:280240688407987306\r\n',
      sign: 'ABCDEF',
      key: 'k',
      initkey: '24901320180424',
    });
    expect(rec).not.toContain('280240688407987306');
    expect(rec).toContain('authcode=**************7306');
    expect(rec).toContain('sign=***');
    expect(rec).toContain('key=***');
    expect(rec).toContain('initkey=***');
    expect(redactResponse('<dm ok="1" device_id="1" key="abc123" info="x" />')).toBe('<dm ok="1" device_id="1" key="***" info="x" />');
    // A long answer (a receipt) is recorded cut to 8 KiB, its length noted; a key past the cut is gone with it.
    const long = `<dm ok="1" key="k-secret-1" printinfo="${'票'.repeat(20_000)}" key="k-secret-2" />`;
    const recorded = redactResponse(long);
    expect(recorded.length).toBeLessThan(8 * 1024 + 40);
    expect(recorded).toMatch(new RegExp(`…\\(${long.length - 'k-secret-1k-secret-2'.length + 6} chars\\)$`));
    expect(recorded).not.toContain('k-secret');
    expect(scrub('a secret-key b 1234567890123', { hide: ['secret-key'], authCodes: ['1234567890123'] })).toBe('a *** b *********0123');
  });
});
