import { describe, expect, it } from 'vitest';
import { previewText, renderEscPos } from '../../web/devices/escpos-preview.ts';
import { CUT, DRAWER_KICK, endsWithCut, testPage, withCut } from '../../web/devices/printer/escpos.ts';
import { encodeGb18030, textWidth } from '../../web/devices/printer/gb18030.ts';

const ESC = 0x1b;
const GS = 0x1d;
const FS = 0x1c;

describe('ESC/POS built in the browser', () => {
  it('kicks the drawer with ESC p 0 25 250', () => {
    expect([...DRAWER_KICK]).toEqual([ESC, 0x70, 0x00, 25, 250]);
  });

  it('sees the cut at the end of a receipt: GS V (ours) and ESC i (微收银), feeds after it allowed', () => {
    const own = Uint8Array.from([ESC, 0x40, FS, 0x26, ...encodeGb18030('付款凭证\n'), ESC, 0x64, 3, GS, 0x56, 1]);
    expect(endsWithCut(own)).toBe(true);
    const wsy = Uint8Array.from([ESC, 0x40, ...encodeGb18030('付款回执\n'), ESC, 0x40, 0x0d, 0x0a, 0x0a, ESC, 0x69]);
    expect(endsWithCut(wsy)).toBe(true);
    expect(endsWithCut(Uint8Array.from([...wsy, 0x0a, 0x0a]))).toBe(true);
  });

  it('adds a feed and GS V 1 when the bytes end without a cut', () => {
    const text = Uint8Array.from([ESC, 0x40, ...encodeGb18030('没有切纸\n')]);
    const cut = withCut(text);
    expect([...cut.slice(-3)]).toEqual([...CUT]);
    expect(endsWithCut(cut)).toBe(true);
    // A cut in the middle followed by text is not a final cut.
    expect(endsWithCut(Uint8Array.from([GS, 0x56, 1, ...encodeGb18030('后面还有字\n')]))).toBe(false);
    const already = Uint8Array.from([...text, GS, 0x56, 0x01]);
    expect(withCut(already)).toBe(already);
  });

  it('builds a Chinese test page: GB18030 in Chinese mode, wrapped to 32 columns, ending in a cut', () => {
    const bytes = testPage({ columns: 32, link: '串口 9600 8N1', now: new Date('2026-11-23T02:00:00Z') });
    expect([...bytes.slice(0, 4)]).toEqual([ESC, 0x40, FS, 0x26]);
    expect(new TextDecoder('gb18030').decode(bytes)).toContain('打印测试页');
    const preview = renderEscPos(bytes, { columns: 32 });
    const text = previewText(preview);
    expect(text).toContain('打印测试页');
    expect(text).toContain('2026-11-23 10:00:00');
    expect(text).toContain('￥12.34'); // ¥ printed as ￥
    expect(text).toContain('￥1,234.56');
    expect(text).not.toContain('¥');
    for (const l of preview.lines) if (l.kind === 'text' && l.width === 1) expect(textWidth(l.text)).toBeLessThanOrEqual(32);
    expect(preview.lines.at(-1)).toMatchObject({ kind: 'cut', partial: true });
  });
});
