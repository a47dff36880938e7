/**
 * 微收银's print templates filled as the provider fills them: the seed's own config template,
 * filled with the figures of the seed's own query answer, must print the same lines as the
 * printinfo the provider sent in that answer.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeConfig, decodePayAnswer, type PayConfig } from '../../../../proxy/providers/weishouyin/codec.ts';
import { fillTemplate, payremindReceipt, qrcodeBillFooter } from '../../../../proxy/providers/weishouyin/receipts.ts';
import { qrCommand, receiptText } from '../../../../proxy/receipt/escpos.ts';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../../../fixtures/weishouyin', name), 'utf8');

function seedConfig(): PayConfig {
  const d = decodeConfig(fixture('config.xml'));
  if (!d.ok || d.value.status !== 1) throw new Error('config fixture did not decode');
  return d.value.config;
}

/** What a reader sees on the paper: non-blank lines, spaces collapsed. */
function printedLines(text: string): string[] {
  return receiptText(text)
    .split('\n')
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .filter(Boolean);
}

describe('微收银 payremind_template (微信支付凭证)', () => {
  it("prints the seed's template like the provider's own printinfo for the same payment (seed 001 §4 3.2.2)", () => {
    const answer = decodePayAnswer(fixture('query-dmid.xml'));
    if (!answer.ok) throw new Error(answer.error.message);
    const printinfo = answer.value.printinfo!;
    expect(printinfo).toContain('微信支付凭证');

    const ours = payremindReceipt(seedConfig(), {
      outNo: '',
      providerRef: 'dm2032288236',
      amountFen: 1,
      paidAt: '2018-04-21T18:58:01+08:00',
    })!;
    expect(printedLines(ours)).toEqual(printedLines(printinfo));
    expect(printedLines(ours)).toEqual(['微信支付凭证', '-----', '凭 证 号: 2032288236', '付款时间: 2018-04-21 18:58:01', '消费金额: ￥0.01', '-----', '客户签字:']);
    // Full-width yen (GBK has no U+00A5), and the cut the template ends with.
    expect(ours).not.toContain('¥');
    expect(ours.endsWith('\x1bi')).toBe(true);
  });

  it('keeps the lines whose placeholders have values (账单号, 操作员) and prints the configured number of copies', () => {
    const config = { ...seedConfig(), payremindCopies: 2 };
    const text = payremindReceipt(config, { outNo: 'P20261123A1', providerRef: 'dm77', amountFen: 12345, paidAt: '2026-11-23T01:02:03Z', staff: '1号收银台' })!;
    const lines = printedLines(text);
    expect(lines.filter((l) => l === '微信支付凭证')).toHaveLength(2);
    expect(lines).toContain('账 单 号: P20261123A1');
    expect(lines).toContain('操 作 员: 1号收银台');
    expect(lines).toContain('付款时间: 2026-11-23 09:02:03');
    expect(lines).toContain('消费金额: ￥123.45');
    expect(lines.some((l) => l.startsWith('就餐桌台'))).toBe(false);
  });

  it('ends a line of text before ESC @, which would clear it from the printer buffer unprinted', () => {
    expect(fillTemplate('\x1b@A: {a}\x1b@\x1b@B', { a: '1' })).toBe('\x1b@A: 1\r\n\x1b@\x1b@B');
    // A command's letter is not text: ESC M 2 then ESC @ needs no line break.
    expect(fillTemplate('\x1bM\x02\x1b@x', {})).toBe('\x1bM\x02\x1b@x');
    expect(fillTemplate('a\n\x1b@b', {})).toBe('a\n\x1b@b');
  });

  it("fills only the map's own keys and drops a piece whose placeholders are all empty", () => {
    expect(fillTemplate('{constructor}{toString}x', {})).toBe('');
    expect(fillTemplate('x{constructor}', { a: '1' })).toBe('');
    expect(fillTemplate('\x1b@单号: {no}\x1b@金额: {total}', { total: '1.00' })).toBe('\x1b@金额: 1.00');
  });

  it('has no receipt without a template', () => {
    const config = { ...seedConfig(), templates: { ...seedConfig().templates, payremind: '' } };
    expect(payremindReceipt(config, { outNo: 'A', amountFen: 1 })).toBeUndefined();
    expect(payremindReceipt(undefined, { outNo: 'A', amountFen: 1 })).toBeUndefined();
  });
});

describe('微收银 qrcode_template (bill footer)', () => {
  it("fills the seed's template: total, bill number, time, and a GS ( k QR of the bill number where the seed lost a brace", () => {
    const footer = qrcodeBillFooter(seedConfig(), { billNo: 'YJ20261123090203', amountFen: 8800, at: new Date('2026-11-23T01:02:03Z') })!;
    expect(footer).toContain(qrCommand('YJ20261123090203'));
    expect(footer).not.toContain('qrcode}');
    expect(footer).not.toContain('logo150.png');
    const text = receiptText(footer).replace(/\s+/g, ' ');
    expect(text).toContain('感谢您的光临');
    expect(text).toContain('￥ 88.00'.replace(' ', ''));
    expect(text).toContain('微信扫一扫, 支付享抢优惠');
    expect(text).toContain('账单编号:YJ20261123090203');
    expect(text).toContain('消费时间:2026-11-23 09:02:03');
  });
});
