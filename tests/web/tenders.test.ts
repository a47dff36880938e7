import { describe, expect, it } from 'vitest';
import type { PayMethodInfo } from '../../contract/api.ts';
import { cashQuestion, qrPrompt, tenderButtons, walletName } from '../../web/checkout/tenders.ts';

const WSY: PayMethodInfo[] = [
  { id: 'weishouyin:o2o_dm_code_wxpaysub', provider: 'weishouyin', name: '微信', kind: 'barcode', codePattern: '^1[0-5]\\d{16}$' },
  { id: 'weishouyin:o2o_dm_code_alipay', provider: 'weishouyin', name: '支付宝', kind: 'barcode', codePattern: '^28\\d{15,16}$' },
];
const MCT1: PayMethodInfo[] = [
  { id: 'mct1:Weixin', provider: 'mct1', name: '微信', kind: 'barcode', codePattern: '^1[0-5]\\d{16}$' },
  { id: 'mct1:Cash', provider: 'mct1', name: '现金', kind: 'cash' },
  { id: 'mct1:Weixin:qr', provider: 'mct1', name: '微信 扫码', kind: 'qr' },
  { id: 'mct1:Diy:会员卡', provider: 'mct1', name: '会员卡', kind: 'cash' },
  { id: 'mct1:Alipay:qr', provider: 'mct1', name: '支付宝 扫码', kind: 'qr' },
];

describe('tenderButtons', () => {
  it('none when the proxy lists only barcode methods (or nothing)', () => {
    expect(tenderButtons(WSY)).toEqual([]);
    expect(tenderButtons([])).toEqual([]);
  });

  it('one button per qr and per cash method the proxy returned, QR codes first, with the test ids', () => {
    const b = tenderButtons([...WSY, ...MCT1]);
    expect(b.map((x) => [x.testid, x.kind, x.method.id])).toEqual([
      ['qr-mct1:Weixin:qr', 'qr', 'mct1:Weixin:qr'],
      ['qr-mct1:Alipay:qr', 'qr', 'mct1:Alipay:qr'],
      ['cash-mct1:Cash', 'cash', 'mct1:Cash'],
      ['cash-mct1:Diy:会员卡', 'cash', 'mct1:Diy:会员卡'],
    ]);
    expect(b.map((x) => `${x.zh} / ${x.en}`)).toEqual([
      '顾客扫码 · 微信 / Customer scans (WeChat)',
      '顾客扫码 · 支付宝 / Customer scans (Alipay)',
      '现金 / Cash',
      '会员卡 / Store tender',
    ]);
  });

  it('lists a method once even if the proxy repeated it', () => {
    expect(tenderButtons([MCT1[1], MCT1[1]])).toHaveLength(1);
  });
});

describe('walletName / qrPrompt / cashQuestion', () => {
  it('names the wallet from the id or the name, else uses the provider’s name without 扫码', () => {
    expect(walletName('mct1:Weixin:qr', '微信 扫码')).toEqual({ zh: '微信', en: 'WeChat' });
    expect(walletName('mct1:Alipay:qr')).toEqual({ zh: '支付宝', en: 'Alipay' });
    expect(walletName('weishouyin:wx')).toEqual({ zh: '微信', en: 'WeChat' });
    expect(walletName('x:Other:qr', '翼支付 扫码')).toEqual({ zh: '翼支付', en: '翼支付' });
  });

  it('asks the customer to scan with the method’s wallet', () => {
    expect(qrPrompt('mct1:Weixin:qr', '微信 扫码')).toEqual({ zh: '请顾客用微信扫码支付', en: 'Ask the customer to scan with WeChat' });
    expect(qrPrompt('mct1:Alipay:qr', '支付宝 扫码').zh).toBe('请顾客用支付宝扫码支付');
  });

  it('asks the cashier whether the cash is in the drawer, with the amount', () => {
    expect(cashQuestion(MCT1[1], '12.34')).toEqual({ zh: '确认已收现金 ¥12.34？', en: 'Cash received?' });
    expect(cashQuestion(MCT1[3], '5.00')).toEqual({ zh: '确认已收会员卡 ¥5.00？', en: '会员卡 received?' });
  });
});
