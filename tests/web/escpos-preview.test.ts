import { describe, expect, it } from 'vitest';
import { previewText, renderEscPos, type TextLine } from '../../web/devices/escpos-preview.ts';

const ESC = 0x1b;
const GS = 0x1d;
const FS = 0x1c;
const LF = 0x0a;

/** GB18030 bytes of the few characters used here (each checked by decoding, below). */
const GB: Record<string, number[]> = {
  付: [0xb8, 0xb6],
  款: [0xbf, 0xee],
  回: [0xbb, 0xd8],
  执: [0xd6, 0xb4],
  金: [0xbd, 0xf0],
  额: [0xb6, 0xee],
  '￥': [0xa3, 0xa4],
  谢: [0xd0, 0xbb],
};

/** Bytes from a mix of numbers (commands) and strings (ASCII, or characters from GB). */
function bytes(...parts: (number | string)[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') out.push(p);
    else for (const ch of p) out.push(...(GB[ch] ?? [ch.charCodeAt(0)]));
  }
  return Uint8Array.from(out);
}

const textLines = (lines: ReturnType<typeof renderEscPos>['lines']) =>
  lines.filter((l): l is TextLine => l.kind === 'text');

describe('GB18030 table used by these tests', () => {
  it('decodes back to the same characters (Node has TextDecoder gb18030)', () => {
    const d = new TextDecoder('gb18030');
    for (const [ch, b] of Object.entries(GB)) expect(d.decode(Uint8Array.from(b))).toBe(ch);
  });
});

describe('renderEscPos', () => {
  it('renders a hand-built receipt: init, Chinese mode, centred double-size title', () => {
    const receipt = bytes(
      ESC, 0x40, // ESC @
      FS, 0x26, // FS & : Chinese mode
      ESC, 0x61, 0x01, // centre
      GS, 0x21, 0x11, // double width, double height
      '付款回执', LF,
      ESC, 0x40, // back to normal, left
      '金额: ', ESC, 0x45, 0x01, '￥0.01', ESC, 0x45, 0x00, LF,
      ESC, 0x61, 0x02, ESC, 0x4d, 0x01, 'Thanks', LF,
      ESC, 0x69, // cut
    );
    const { lines, columns } = renderEscPos(receipt);
    expect(columns).toBe(32);
    expect(lines).toHaveLength(4);

    const [title, amount, thanks, cut] = lines;
    expect(title).toMatchObject({ kind: 'text', text: '付款回执', align: 'center', width: 2, height: 2, bold: false });
    expect(amount).toMatchObject({ kind: 'text', text: '金额: ￥0.01', align: 'left', width: 1, height: 1, bold: false });
    if (amount.kind !== 'text') throw new Error('not text');
    expect(amount.spans.map((s) => [s.text, s.bold])).toEqual([
      ['金额: ', false],
      ['￥0.01', true],
    ]);
    expect(thanks).toMatchObject({ kind: 'text', text: 'Thanks', align: 'right' });
    if (thanks.kind === 'text') expect(thanks.spans[0].font).toBe('B');
    expect(cut).toEqual({ kind: 'cut', partial: false });
    expect(previewText(renderEscPos(receipt))).toBe(['付款回执', '金额: ￥0.01', '      Thanks'.trim(), '-'.repeat(32)].join('\n'));
  });

  it('reads GS ! n as width (high nibble) and height (low nibble)', () => {
    const [a, b, c] = textLines(
      renderEscPos(bytes(GS, 0x21, 0x10, 'W', LF, GS, 0x21, 0x01, 'H', LF, GS, 0x21, 0x00, 'n', LF)).lines,
    );
    expect([a.width, a.height]).toEqual([2, 1]);
    expect([b.width, b.height]).toEqual([1, 2]);
    expect([c.width, c.height]).toEqual([1, 1]);
  });

  it('applies ESC a at the start of a line (a mid-line change is for the next line)', () => {
    const lines = textLines(renderEscPos(bytes(ESC, 0x61, 0x31, 'AB', ESC, 0x61, 0x02, 'CD', LF, 'EF', LF)).lines);
    expect(lines.map((l) => [l.text, l.align])).toEqual([
      ['ABCD', 'center'],
      ['EF', 'right'],
    ]);
  });

  it('decodes double-byte text only in Chinese mode (FS & / FS .)', () => {
    const chinese = textLines(renderEscPos(bytes(FS, 0x26, '付款', LF), { chinese: false }).lines);
    expect(chinese[0].text).toBe('付款');
    const single = textLines(renderEscPos(bytes(FS, 0x2e, ESC, 0x74, 0x00, 0x9c, 'x', LF)).lines);
    expect(single[0].text).toBe('£x'); // PC437 0x9C
    const latin = textLines(renderEscPos(bytes(FS, 0x2e, ESC, 0x74, 16, 0xe9, LF)).lines);
    expect(latin[0].text).toBe('é'); // WPC1252
  });

  it('keeps Chinese mode across ESC @ (微收银 receipts rely on it)', () => {
    const lines = textLines(renderEscPos(bytes(ESC, 0x40, FS, 0x26, '付', ESC, 0x40, '款', LF), { chinese: false }).lines);
    expect(lines.map((l) => l.text)).toEqual(['付', '款']);
  });

  it('handles ESC E, ESC M, ESC 3, CR LF and GS V cuts', () => {
    const { lines } = renderEscPos(
      bytes(ESC, 0x45, 1, 'bold', 0x0d, LF, ESC, 0x45, 0, ESC, 0x33, 0x10, 'tight', LF, ESC, 0x32, 'x', LF, GS, 0x56, 0x42, 0x00, GS, 0x56, 0x00),
    );
    expect(lines).toMatchObject([
      { kind: 'text', text: 'bold', bold: true },
      { kind: 'text', text: 'tight', bold: false, spacing: 0x10 },
      { kind: 'text', text: 'x', spacing: null },
      { kind: 'cut', partial: true },
      { kind: 'cut', partial: false },
    ]);
  });

  it('wraps at the paper width, counting a Chinese character as two columns', () => {
    const text = textLines(renderEscPos(bytes('付'.repeat(20), LF)).lines);
    expect(text.map((l) => l.text)).toEqual(['付'.repeat(16), '付'.repeat(4)]);
    const wide = textLines(renderEscPos(bytes(GS, 0x21, 0x11, 'A'.repeat(20), LF)).lines);
    expect(wide.map((l) => l.text.length)).toEqual([16, 4]);
    const eighty = textLines(renderEscPos(bytes('A'.repeat(40), LF), { columns: 48 }).lines);
    expect(eighty).toHaveLength(1);
  });

  it('skips commands it does not print (drawer, QR, barcodes) without printing their bytes', () => {
    const qrData = 'https://x.y/1';
    const len = qrData.length + 3;
    const { lines } = renderEscPos(
      bytes(
        ESC, 0x70, 0, 25, 250, // cash drawer
        ESC, 0x7b, 1, // upside-down
        GS, 0x28, 0x6b, len, 0, 49, 80, 48, qrData, // QR: store
        GS, 0x28, 0x6b, 3, 0, 49, 81, 48, // QR: print
        GS, 0x6b, 73, 4, '1234', // barcode CODE128
        'ok', LF,
      ),
    );
    expect(lines).toEqual([
      { kind: 'qr', align: 'left', data: qrData },
      { kind: 'barcode', align: 'left', data: '1234' },
      expect.objectContaining({ kind: 'text', text: 'ok' }),
    ]);
  });

  it('renders the seed 微收银 printinfo shape (ESC @ FS & ESC t 0 ESC a 1 GS ! 0x10 …)', () => {
    const r = renderEscPos(
      bytes(ESC, 0x40, FS, 0x26, LF, ESC, 0x74, 0x00, LF, ESC, 0x61, 0x01, GS, 0x21, 0x10, '付款回执', LF, ESC, 0x40, GS, 0x21, 0x01, '金额: 0.01', LF, ESC, 0x40, ESC, 0x69),
    );
    const t = textLines(r.lines).filter((l) => l.text !== '');
    expect(t[0]).toMatchObject({ text: '付款回执', align: 'center', width: 2, height: 1 });
    expect(t[1]).toMatchObject({ text: '金额: 0.01', align: 'left', width: 1, height: 2 });
    expect(r.lines.at(-1)).toEqual({ kind: 'cut', partial: false });
  });

  it('accepts an ArrayBuffer and an empty input', () => {
    expect(renderEscPos(new ArrayBuffer(0)).lines).toEqual([]);
    expect(textLines(renderEscPos(bytes('hi').buffer as ArrayBuffer).lines)[0].text).toBe('hi');
  });
});
