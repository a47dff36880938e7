/**
 * Keyboard-wedge scans outside the scan screen (web/devices/scanner/keyboard.ts): a scanner burst
 * never reaches a field, a person's typing does; Chinese IME keys ('Process'/229) included. The
 * browser is played by this file: a key not prevented is typed into the focused field, and an IME
 * types into it whatever happens to its keydown.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { KeyboardScans, type KeyLike } from '../../web/devices/scanner/keyboard.ts';

beforeAll(() => {
  // Node has no KeyboardEvent: enough of one for the keys given back to non-field targets.
  if (typeof globalThis.KeyboardEvent === 'undefined') {
    class KeyboardEventLite extends Event {
      key: string;
      code: string;
      constructor(type: string, init: KeyboardEventInit = {}) {
        super(type, init);
        this.key = init.key ?? '';
        this.code = init.code ?? '';
      }
    }
    (globalThis as { KeyboardEvent?: unknown }).KeyboardEvent = KeyboardEventLite;
  }
});

/** An <input type=text> as far as the guard and the page use it; `seen` is what the page's oninput read. */
class Field extends EventTarget {
  type = 'text';
  value = '';
  selectionStart = 0;
  selectionEnd = 0;
  readOnly = false;
  disabled = false;
  seen: string[] = [];
  constructor() {
    super();
    this.addEventListener('input', () => this.seen.push(this.value));
  }
  setRangeText(text: string, start: number, end: number) {
    this.value = this.value.slice(0, start) + text + this.value.slice(end);
    this.selectionStart = this.selectionEnd = start + text.length;
  }
  matches(sel: string) {
    return sel.includes('input');
  }
}

/** The page body: keys given back to it arrive as keydown events. */
class Body extends EventTarget {
  keys: string[] = [];
  constructor() {
    super();
    this.addEventListener('keydown', (e) => this.keys.push((e as KeyboardEvent).key));
  }
  matches() {
    return false;
  }
}

type Key = KeyLike & { defaultPrevented: boolean; stopped: boolean };

function keyEvent(target: EventTarget, key: string, t: number, over: Partial<KeyLike> = {}): Key {
  return {
    key,
    code: /^\d$/.test(key) ? `Digit${key}` : /^[a-z]$/i.test(key) ? `Key${key.toUpperCase()}` : key === '.' ? 'Period' : key,
    keyCode: 0,
    timeStamp: t,
    ctrlKey: false,
    altKey: false,
    metaKey: false,
    isTrusted: true,
    target,
    defaultPrevented: false,
    stopped: false,
    preventDefault() {
      this.defaultPrevented = true;
    },
    stopPropagation() {
      this.stopped = true;
    },
    ...over,
  } as Key;
}

/** The browser's trusted `input` event after it (or an IME) changed the field. */
function browserInput(guard: KeyboardScans, f: Field, t: number): void {
  const e = { isTrusted: true, target: f as unknown as EventTarget, timeStamp: t, stopped: false, stopPropagation() { this.stopped = true; } };
  guard.input(e);
  if (!e.stopped) f.seen.push(f.value);
}

/** One key as the browser handles it: the guard first (capture), then the default action unless prevented. */
function press(guard: KeyboardScans, target: EventTarget, key: string, t: number, over: Partial<KeyLike> = {}): Key {
  const e = keyEvent(target, key, t, over);
  guard.key(e);
  if (!e.defaultPrevented && target instanceof Field && key.length === 1 && !target.readOnly) {
    target.setRangeText(key, target.selectionStart, target.selectionEnd);
    browserInput(guard, target, t);
  }
  return e;
}

/** Types `text` then `end`, `gap` ms apart, from time `t0`; returns the terminator's event. */
function type(guard: KeyboardScans, target: EventTarget, text: string, gap: number, end: string | null = 'Enter', t0 = 1000): Key | null {
  let t = t0;
  for (const ch of text) {
    press(guard, target, ch, t);
    vi.advanceTimersByTime(gap);
    t += gap;
  }
  return end ? press(guard, target, end, t) : null;
}

let scans: string[];
let guard: KeyboardScans;
beforeEach(() => {
  vi.useFakeTimers();
  scans = [];
  guard = new KeyboardScans((code) => scans.push(code));
});
afterEach(() => vi.useRealTimers());

describe('a scanner burst outside the scan screen', () => {
  it('becomes a scan and never reaches the focused amount field; its Enter does not press 收款', () => {
    const amount = new Field();
    const enter = type(guard, amount, '6902890227670', 8)!;
    expect(scans).toEqual(['6902890227670']);
    expect(amount.value).toBe('');
    expect(amount.seen).toEqual([]);
    expect(enter.defaultPrevented && enter.stopped).toBe(true);
  });

  it('is read on a page with nothing focused, without a key reaching the page', () => {
    const body = new Body();
    type(guard, body, '130000000000000001', 6);
    expect(scans).toEqual(['130000000000000001']);
    expect(body.keys).toEqual([]);
  });

  it('keeps uppercase letters across Shift, and ends on Tab too', () => {
    const f = new Field();
    let t = 0;
    for (const ch of 'AB12CD34') {
      press(guard, f, 'Shift', (t += 3));
      press(guard, f, ch, (t += 3));
    }
    const tab = press(guard, f, 'Tab', (t += 5));
    expect(scans).toEqual(['AB12CD34']);
    expect(f.value).toBe('');
    expect(tab.defaultPrevented).toBe(true);
  });

  it('is still read when the field is read-only (the amount is the cart total)', () => {
    const locked = new Field();
    locked.value = '5.60';
    locked.readOnly = true;
    type(guard, locked, '6902890227670', 10);
    expect(scans).toEqual(['6902890227670']);
    expect(locked.value).toBe('5.60');
  });
});

describe('a person typing', () => {
  it('arrives in the field, each key at most holdMs late', () => {
    const amount = new Field();
    const enter = type(guard, amount, '12.34', 150)!;
    expect(amount.value).toBe('12.34');
    expect(amount.seen).toEqual(['1', '12', '12.', '12.3', '12.34']);
    expect(scans).toEqual([]);
    expect(enter.defaultPrevented).toBe(false); // Enter collects as usual
  });

  it('typing fast (30 ms apart, as a test robot does) arrives whole before a click on 收款', () => {
    const amount = new Field();
    type(guard, amount, '12.34', 30, null);
    expect(amount.value).toBe(''); // still held: it could be the start of a scan
    guard.key(keyEvent(amount, 'x', 1000, { isTrusted: false })); // our own re-dispatched keys are ignored
    // pointerdown on the button (install() wires it to the same flush):
    const target = new EventTarget();
    guard.install(target);
    target.dispatchEvent(new Event('pointerdown'));
    expect(amount.value).toBe('12.34');
    expect(amount.seen.at(-1)).toBe('12.34');
  });

  it('a short fast burst ended with Enter is typing: delivered before the Enter goes through', () => {
    const amount = new Field();
    const enter = type(guard, amount, '12345', 5)!;
    expect(scans).toEqual([]);
    expect(amount.value).toBe('12345');
    expect(enter.defaultPrevented).toBe(false);
  });

  it('Backspace and other keys go after what was held', () => {
    const f = new Field();
    type(guard, f, '123', 10, null);
    const bs = press(guard, f, 'Backspace', 1030);
    expect(f.value).toBe('123'); // delivered first; the browser then applies the Backspace
    expect(bs.defaultPrevented).toBe(false);
  });

  it('keys typed with nothing focused are given back to the page as keydown (the amount keypad reads them)', () => {
    const body = new Body();
    type(guard, body, '8.5', 200, null);
    vi.advanceTimersByTime(100);
    expect(body.keys).toEqual(['8', '.', '5']);
  });

  it('keys in a date or other non-text input are never held', () => {
    const date = new Field();
    date.type = 'date';
    const e = press(guard, date, '2', 1);
    expect(e.defaultPrevented).toBe(false);
  });
});

describe('a Chinese IME (keys arrive as Process / 229)', () => {
  const ime = (code: string) => ({ keyCode: 229, code });

  it('a scan under the IME is read whole from the physical keys, and no character leaks into the field', () => {
    const amount = new Field();
    amount.value = '1';
    amount.selectionStart = amount.selectionEnd = 1;
    const code = '280000000000000001';
    let t = 5000;
    [...code].forEach((d, i) => {
      t += 7;
      press(guard, amount, 'Process', t, ime(i % 2 ? `Numpad${d}` : `Digit${d}`));
      // The IME has the key whatever the page does with keydown: it types the digit and says so.
      amount.setRangeText(d, amount.selectionStart, amount.selectionEnd);
      browserInput(guard, amount, t + 1);
    });
    const enter = press(guard, amount, 'Process', (t += 7), ime('Enter'));
    expect(scans).toEqual([code]);
    expect(enter.defaultPrevented).toBe(true);
    expect(amount.value).toBe('1'); // put back as it was
    expect(amount.seen).toEqual([]); // the page never saw the IME's text
    // The IME commits its composition just after the Enter (compositionend, then input): put back too.
    amount.setRangeText('ab', 1, 1);
    browserInput(guard, amount, t + 20);
    expect(amount.value).toBe('1');
    expect(amount.seen).toEqual([]);
  });

  it('recovers letters from KeyA… and is not fooled by pinyin the IME shows meanwhile', () => {
    const body = new Body();
    let t = 0;
    for (const c of ['KeyH', 'KeyX', 'Digit1', 'Digit2', 'Digit3', 'Digit4', 'KeyZ']) press(guard, body, 'Process', (t += 9), ime(c));
    press(guard, body, 'Process', (t += 9), ime('Enter'));
    expect(scans).toEqual(['hx1234z']);
    expect(body.keys).toEqual([]);
  });

  it('a person typing under the IME keeps what the IME typed; the page sees it once the run ends', () => {
    const f = new Field();
    press(guard, f, 'Process', 100, ime('Digit3'));
    f.setRangeText('3', 0, 0);
    browserInput(guard, f, 101);
    expect(f.seen).toEqual([]); // held from the page for holdMs
    vi.advanceTimersByTime(60);
    expect(f.value).toBe('3');
    expect(f.seen).toEqual(['3']);
    expect(scans).toEqual([]);
  });
});

describe('settings and the scan screen', () => {
  it('leaves the keys alone while the scan screen has claimed the keyboard', () => {
    const f = new Field();
    const release = guard.claim();
    type(guard, f, '6902890227670', 5);
    expect(f.value).toBe('6902890227670'); // typed by the browser; the scan screen reads it itself
    expect(scans).toEqual([]);
    release();
    release(); // twice is harmless
    type(guard, f, '6902890227670', 5, 'Enter', 9000);
    expect(scans).toEqual(['6902890227670']);
  });

  it('holds nothing when keyboard scans are switched off', () => {
    guard.configure({ enabled: false });
    const f = new Field();
    type(guard, f, '6902890227670', 5);
    expect(scans).toEqual([]);
    expect(f.value).toBe('6902890227670');
  });

  it('uses the thresholds from the settings', () => {
    guard.configure({ minLength: 4, maxAvgGapMs: 20 });
    const f = new Field();
    type(guard, f, '1234', 5);
    expect(scans).toEqual(['1234']);
    type(guard, f, '9876543', 30, 'Enter', 5000); // too slow for 20 ms
    expect(scans).toEqual(['1234']);
    expect(f.value).toBe('9876543');
    expect(guard.options).toMatchObject({ minLength: 4, maxAvgGapMs: 20 });
  });
});
