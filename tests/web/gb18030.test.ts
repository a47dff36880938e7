import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { charWidth, encodeGb18030, gbTable, spread, textWidth, wrapText } from '../../web/devices/printer/gb18030.ts';

const gb = new TextDecoder('gb18030');
const roundTrip = (s: string) => gb.decode(encodeGb18030(s));

describe('GB18030 encoder (table from TextDecoder)', () => {
  it('round-trips Chinese text, full-width punctuation and ASCII', () => {
    for (const s of [
      '付款回执',
      '微信支付 支付宝 收银台 谢谢惠顾，欢迎再次光临！',
      '商户名称：演示商店（测试）',
      '订单号: dm20261123000001 金额 12.34',
      '￥1,234.56',
      'ASCII only: 0-9 a-z A-Z ~!@#$%^&*()_+{}|:"<>?',
      '繁體字也可以：臺灣 銀行', // GBK has traditional characters too
      '€ ° ± × ÷ · — … ‘’ “” 《》 【】',
    ]) {
      expect(roundTrip(s)).toBe(s);
    }
  });

  it('encodes ASCII (commands included) as single bytes, Chinese as two', () => {
    expect([...encodeGb18030('\x1b@A')]).toEqual([0x1b, 0x40, 0x41]);
    expect([...encodeGb18030('付款')]).toEqual([0xb8, 0xb6, 0xbf, 0xee]);
    expect([...encodeGb18030('￥')]).toEqual([0xa3, 0xa4]);
  });

  it('prints ¥ (U+00A5, not in GBK) as ￥ (U+FFE5)', () => {
    expect(roundTrip('¥12.34')).toBe('￥12.34');
    expect([...encodeGb18030('¥')]).toEqual([0xa3, 0xa4]);
  });

  it('turns characters GBK does not have into ?, one per character (emoji are two UTF-16 units)', () => {
    expect(roundTrip('a😀b')).toBe('a?b');
    expect(roundTrip('\u0e01')).toBe('?'); // Thai
  });

  it('agrees with iconv-lite on every GB2312 character', () => {
    // GB18030-2022 gave 18 characters (vertical forms U+FE10–FE19, U+9FB4–9FBB) the two-byte codes
    // that were private-use before; Chromium and Node decode by 2022, iconv-lite by 2005.
    const changed2022 = /[\ufe10-\ufe19\u9fb4-\u9fbb]/;
    const t = gbTable();
    let checked = 0;
    for (let lead = 0xa1; lead <= 0xf7; lead++) {
      for (let trail = 0xa1; trail <= 0xfe; trail++) {
        const ch = gb.decode(Uint8Array.of(lead, trail));
        if (ch.length !== 1 || ch === '\ufffd' || (ch.charCodeAt(0) >= 0xe000 && ch.charCodeAt(0) <= 0xf8ff)) continue; // unassigned → PUA
        if (changed2022.test(ch)) continue;
        expect(t[ch.charCodeAt(0)], ch).toBe((lead << 8) | trail);
        expect([...iconv.encode(ch, 'gb18030')]).toEqual([lead, trail]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(7000); // 6763 hanzi + symbols
  });

  it('maps each of the 23 940 two-byte sequences; U+3000 to its first, A1A1', () => {
    const t = gbTable();
    let n = 0;
    for (let i = 0; i < t.length; i++) if (t[i] !== 0) n++;
    expect(n).toBe(23_939); // U+3000 is decoded from two sequences
    expect(t[0x3000]).toBe(0xa1a1);
  });
});

describe('display width and wrapping', () => {
  it('counts a Chinese character as two columns and ASCII as one', () => {
    expect(charWidth('中')).toBe(2);
    expect(charWidth('a')).toBe(1);
    expect(charWidth('￥')).toBe(2);
    expect(charWidth('¥')).toBe(2); // printed as ￥
    expect(textWidth('金额 12.34')).toBe(4 + 1 + 5);
  });

  it('wraps Chinese at 16 characters on 58 mm paper (32 columns)', () => {
    const lines = wrapText('一二三四五六七八九十'.repeat(4), 32);
    expect(lines.map(textWidth)).toEqual([32, 32, 16]);
    expect(lines.join('')).toBe('一二三四五六七八九十'.repeat(4));
  });

  it('never splits a Chinese character across the edge (odd columns left)', () => {
    const lines = wrapText('a' + '中'.repeat(16), 32);
    expect(lines).toEqual(['a' + '中'.repeat(15), '中']);
  });

  it('keeps Latin words whole, keeps line breaks, and honours 48 columns', () => {
    const lines = wrapText('Thank you for shopping with us today, see you again soon', 32);
    for (const l of lines) expect(textWidth(l)).toBeLessThanOrEqual(32);
    expect(lines).toEqual(['Thank you for shopping with us', 'today, see you again soon']);
    expect(wrapText('第一行\n第二行', 32)).toEqual(['第一行', '第二行']);
    expect(wrapText('中'.repeat(30), 48).map(textWidth)).toEqual([48, 12]);
  });

  it('spreads a label and an amount over the line', () => {
    expect(spread('合计', '￥12.34', 32)).toBe('合计' + ' '.repeat(32 - 4 - 7) + '￥12.34');
    expect(textWidth(spread('合计', '￥12.34', 32))).toBe(32);
  });
});
