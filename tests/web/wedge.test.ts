import { describe, expect, it } from 'vitest';
import { charFromCode, charOf, WedgeDetector, type WedgeKey, type WedgeResult } from '../../web/devices/wedge.ts';

/** Key events for `text` then `end`, `gaps[i]` ms before key i (cycled). */
function keys(text: string, gaps: number[], end: string | null = 'Enter', start = 1000): WedgeKey[] {
  const out: WedgeKey[] = [];
  let t = start;
  [...text].forEach((ch, i) => {
    t += i === 0 ? 0 : gaps[i % gaps.length];
    out.push({ key: ch, code: /\d/.test(ch) ? `Digit${ch}` : `Key${ch.toUpperCase()}`, timeStamp: t });
  });
  if (end) out.push({ key: end, code: end, timeStamp: t + gaps[text.length % gaps.length] });
  return out;
}

function run(d: WedgeDetector, events: WedgeKey[]): WedgeResult[] {
  const results: WedgeResult[] = [];
  for (const e of events) {
    const r = d.feed(e).result;
    if (r) results.push(r);
  }
  return results;
}

describe('WedgeDetector', () => {
  const WECHAT = '134567890123456789'; // 18 digits, WeChat's ^1[0-5]\d{16}$

  it('takes a recorded scanner burst (18 digits 5-15 ms apart + Enter) as a scan', () => {
    // Recorded from a Honeywell 1900 in USB keyboard mode: gaps vary between 5 and 15 ms.
    const gaps = [7, 12, 5, 9, 15, 6, 8, 11, 5, 14, 7, 10, 6, 13, 9, 5, 12, 8, 6];
    const [r] = run(new WedgeDetector(), keys(WECHAT, gaps));
    expect(r).toMatchObject({ kind: 'scan', code: WECHAT, terminator: 'Enter' });
    if (r.kind === 'scan') expect(r.avgGapMs).toBeLessThanOrEqual(15);
  });

  it('does not take recorded human typing (80-250 ms apart) as a scan', () => {
    const gaps = [180, 95, 240, 130, 80, 210, 160, 250, 110, 90, 140, 200, 85, 170, 120, 230, 100, 150, 190];
    const [r] = run(new WedgeDetector(), keys(WECHAT, gaps));
    expect(r).toMatchObject({ kind: 'typed', code: WECHAT, terminator: 'Enter' });
  });

  it('does not take a fast typist (a few quick keys, then pauses) as a scan', () => {
    const gaps = [40, 45, 300, 38, 42, 260, 50, 44, 35, 280, 41, 39, 47, 310, 36, 43, 48, 270, 40];
    const [r] = run(new WedgeDetector(), keys(WECHAT, gaps));
    expect(r.kind).toBe('typed');
  });

  it('recovers the code from IME "Process"/229 events by their physical key', () => {
    // Chinese IME on: every key arrives as key 'Process', keyCode 229.
    const code = '280123456789012345'; // Alipay ^28\d{15,16}$
    let t = 5000;
    const events: WedgeKey[] = [...code].map((ch, i) => ({
      key: 'Process',
      code: i % 3 === 0 ? `Numpad${ch}` : `Digit${ch}`,
      keyCode: 229,
      timeStamp: (t += 8),
    }));
    events.push({ key: 'Process', code: 'Enter', keyCode: 229, timeStamp: (t += 8) });
    const [r] = run(new WedgeDetector(), events);
    expect(r).toMatchObject({ kind: 'scan', code, terminator: 'Enter' });
  });

  it('recovers letters from KeyA… under an IME', () => {
    expect(charOf({ key: 'Process', code: 'KeyA', keyCode: 229 })).toBe('a');
    expect(charOf({ key: 'Process', code: 'Digit5', keyCode: 229 })).toBe('5');
    expect(charOf({ key: 'Unidentified', code: 'Numpad7', keyCode: 229 })).toBe('7');
    expect(charFromCode('ShiftLeft')).toBeNull();
    expect(charOf({ key: 'Shift', code: 'ShiftLeft' })).toBeNull();
    expect(charOf({ key: 'A', code: 'KeyA' })).toBe('A'); // no IME: the key itself
  });

  it('accepts Tab as the terminator', () => {
    const [r] = run(new WedgeDetector(), keys(WECHAT, [6, 9, 7], 'Tab'));
    expect(r).toMatchObject({ kind: 'scan', code: WECHAT, terminator: 'Tab' });
  });

  it('does not take a too-short burst as a scan', () => {
    const [r] = run(new WedgeDetector(), keys('12345', [5, 6, 7]));
    expect(r).toMatchObject({ kind: 'typed', code: '12345' });
  });

  it('honours its thresholds as options', () => {
    const d = new WedgeDetector({ minLength: 4, maxAvgGapMs: 60 });
    const [r] = run(d, keys('12345', [50, 55]));
    expect(r).toMatchObject({ kind: 'scan', code: '12345' });
    const [r2] = run(new WedgeDetector({ terminators: ['Enter'] }), keys(WECHAT, [5], 'Tab'));
    expect(r2).toBeUndefined();
  });

  it('keeps only the burst when stray typing came before the scan', () => {
    const events = [
      { key: '9', code: 'Digit9', timeStamp: 0 },
      { key: '9', code: 'Digit9', timeStamp: 400 },
      ...keys(WECHAT, [8, 6, 10], 'Enter', 3000),
    ];
    const [r] = run(new WedgeDetector(), events);
    expect(r).toMatchObject({ kind: 'scan', code: WECHAT });
  });

  it('treats a long pause before Enter as typing', () => {
    const events = keys(WECHAT, [8], null);
    events.push({ key: 'Enter', code: 'Enter', timeStamp: events[events.length - 1].timeStamp + 900 });
    const [r] = run(new WedgeDetector(), events);
    expect(r.kind).toBe('typed');
  });

  it('reports a bare terminator as empty and consumes the keys it uses', () => {
    const d = new WedgeDetector();
    expect(d.feed({ key: 'Enter', timeStamp: 1 })).toEqual({ consumed: true, result: { kind: 'empty', terminator: 'Enter' } });
    expect(d.feed({ key: 'Shift', code: 'ShiftLeft', timeStamp: 2 }).consumed).toBe(false);
    expect(d.feed({ key: 'v', code: 'KeyV', ctrlKey: true, timeStamp: 3 }).consumed).toBe(false);
    expect(d.feed({ key: '1', code: 'Digit1', timeStamp: 4 }).consumed).toBe(true);
    expect(d.text).toBe('1');
  });

  it('lets a person correct with Backspace, and that is never a scan', () => {
    const d = new WedgeDetector();
    const events = keys('1345678901234567890', [5], null);
    run(d, events);
    d.feed({ key: 'Backspace', code: 'Backspace', timeStamp: 2000 });
    expect(d.text).toBe('134567890123456789');
    const [r] = run(d, [{ key: 'Enter', code: 'Enter', timeStamp: 2005 }]);
    expect(r).toMatchObject({ kind: 'typed', code: '134567890123456789' });
  });

  it('takes a pasted whole code as a scan', () => {
    const d = new WedgeDetector();
    expect(d.paste('  134567890123456789 ')).toEqual({ kind: 'scan', code: '134567890123456789', terminator: null });
    expect(d.paste('134567890123456789\r\n')).toEqual({ kind: 'scan', code: '134567890123456789', terminator: 'Enter' });
    expect(d.paste('123')).toBeNull();
    expect(d.paste('1345 6789 0123')).toBeNull();
  });
});
