/**
 * Keyboard-wedge barcode scanner detection.
 *
 * A wedge scanner "types" the code as a fast burst of key events ending in a suffix key
 * (Enter, sometimes Tab). People type the same keys tens of times slower. This module is
 * pure logic over `{key, code, keyCode, timeStamp}` objects, so recorded events can be
 * replayed in unit tests; the page feeds it real KeyboardEvents.
 *
 * With a Chinese IME switched on, Chrome reports every key as key 'Process' / keyCode 229
 * and the character only comes later, from the IME (letters even become pinyin). The
 * physical key in `code` is still right, so the character is recovered from it.
 */

export interface WedgeKey {
  key: string;
  /** KeyboardEvent.code: the physical key, e.g. 'Digit5', 'Numpad5', 'KeyA'. */
  code?: string;
  /** Legacy KeyboardEvent.keyCode; 229 means "being processed by an IME". */
  keyCode?: number;
  /** Milliseconds (KeyboardEvent.timeStamp). */
  timeStamp: number;
  ctrlKey?: boolean;
  altKey?: boolean;
  metaKey?: boolean;
}

export interface WedgeOptions {
  /** The shortest burst that can be a scan (payment codes are 16-24 characters). */
  minLength?: number;
  /** The largest average gap between keys in a scan, terminator included. */
  maxAvgGapMs?: number;
  /** A single gap larger than this ends a burst (anything before it is typing). */
  maxGapMs?: number;
  /** Keys that end a code. */
  terminators?: readonly string[];
}

export type Terminator = 'Enter' | 'Tab';

export type WedgeResult =
  /** A scanner burst: submit it. */
  | { kind: 'scan'; code: string; terminator: Terminator; avgGapMs: number }
  /** Typed by a person and ended with Enter/Tab: show it and ask for confirmation. */
  | { kind: 'typed'; code: string; terminator: Terminator; avgGapMs: number }
  /** A terminator with nothing before it. */
  | { kind: 'empty'; terminator: Terminator };

export interface WedgeFeed {
  /** The key belongs to the code being captured (the page should preventDefault it). */
  consumed: boolean;
  result?: WedgeResult;
}

export const WEDGE_DEFAULTS: Required<WedgeOptions> = {
  minLength: 6,
  maxAvgGapMs: 35,
  maxGapMs: 100,
  terminators: ['Enter', 'Tab'],
};

const IME_KEYCODE = 229;

/**
 * The character a key event stands for, or null for non-character keys.
 * 'Process'/229 events are mapped from the physical key: 'Digit5'/'Numpad5' → '5', 'KeyA' → 'a'.
 */
export function charOf(ev: Pick<WedgeKey, 'key' | 'code' | 'keyCode'>): string | null {
  if (ev.key === 'Process' || ev.keyCode === IME_KEYCODE || ev.key === 'Unidentified') {
    return charFromCode(ev.code);
  }
  return ev.key.length === 1 ? ev.key : null;
}

/** 'Digit5' → '5', 'Numpad5' → '5', 'KeyA' → 'a', 'NumpadDecimal'/'Period' → '.'. */
export function charFromCode(code: string | undefined): string | null {
  if (!code) return null;
  let m = /^(?:Digit|Numpad)(\d)$/.exec(code);
  if (m) return m[1];
  m = /^Key([A-Z])$/.exec(code);
  if (m) return m[1].toLowerCase();
  if (code === 'NumpadDecimal' || code === 'Period') return '.';
  if (code === 'Minus' || code === 'NumpadSubtract') return '-';
  return null;
}

/** Enter/Tab, also when an IME reports them as 'Process'. */
export function terminatorOf(ev: Pick<WedgeKey, 'key' | 'code' | 'keyCode'>, terminators: readonly string[]): Terminator | null {
  let name = ev.key;
  if (ev.key === 'Process' || ev.keyCode === IME_KEYCODE) name = ev.code === 'NumpadEnter' ? 'Enter' : (ev.code ?? '');
  if (name === 'NumpadEnter') name = 'Enter';
  return (name === 'Enter' || name === 'Tab') && terminators.includes(name) ? name : null;
}

interface Stroke {
  ch: string;
  t: number;
}

export class WedgeDetector {
  readonly #opts: Required<WedgeOptions>;
  #strokes: Stroke[] = [];

  constructor(options: WedgeOptions = {}) {
    this.#opts = { ...WEDGE_DEFAULTS, ...options };
  }

  /** The characters captured since the last terminator. */
  get text(): string {
    return this.#strokes.map((s) => s.ch).join('');
  }

  reset(): void {
    this.#strokes = [];
  }

  feed(ev: WedgeKey): WedgeFeed {
    // Shortcuts (Ctrl+V, Ctrl+R…) are the browser's, not the scanner's.
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return { consumed: false };

    const terminator = terminatorOf(ev, this.#opts.terminators);
    if (terminator) return { consumed: true, result: this.#finish(terminator, ev.timeStamp) };

    if (ev.key === 'Backspace') {
      // Only people correct themselves; the burst timing restarts.
      this.#strokes.pop();
      this.#strokes = this.#strokes.map((s) => ({ ...s, t: -Infinity }));
      return { consumed: true };
    }

    const ch = charOf(ev);
    if (ch === null || ch.trim() === '') return { consumed: false }; // Shift, arrows, space…
    this.#strokes.push({ ch, t: ev.timeStamp });
    return { consumed: true };
  }

  /**
   * A whole code pasted (or dropped, or filled in by automation) at once counts as a scan:
   * no person typed it. Surrounding whitespace is dropped; a trailing line break or tab is
   * the terminator. Returns null when the text does not look like one code.
   */
  paste(text: string): { kind: 'scan'; code: string; terminator: Terminator | null } | null {
    const code = text.trim();
    if (code.length < this.#opts.minLength || /\s/.test(code)) return null;
    const tail = /[\r\n\t]+$/.exec(text)?.[0] ?? '';
    const terminator: Terminator | null = /[\r\n]/.test(tail) ? 'Enter' : tail.includes('\t') ? 'Tab' : null;
    this.reset();
    return { kind: 'scan', code, terminator };
  }

  #finish(terminator: Terminator, t: number): WedgeResult {
    const strokes = this.#strokes;
    this.#strokes = [];
    if (strokes.length === 0) return { kind: 'empty', terminator };

    // The burst is the trailing run of keys with no long pause, up to the terminator.
    const times = [...strokes.map((s) => s.t), t];
    let start = strokes.length - 1;
    if (times[strokes.length] - times[start] > this.#opts.maxGapMs) start = strokes.length; // pause before Enter
    while (start > 0 && times[start] - times[start - 1] <= this.#opts.maxGapMs) start--;

    const burst = strokes.slice(start);
    const span = t - (burst[0]?.t ?? t);
    const avgGapMs = burst.length > 0 ? span / burst.length : Infinity; // n keys + terminator = n gaps
    if (burst.length >= this.#opts.minLength && avgGapMs <= this.#opts.maxAvgGapMs) {
      return { kind: 'scan', code: burst.map((s) => s.ch).join(''), terminator, avgGapMs };
    }
    const all = strokes.map((s) => s.ch).join('');
    const allGap = strokes.length > 0 && Number.isFinite(strokes[0].t) ? (t - strokes[0].t) / strokes.length : Infinity;
    return { kind: 'typed', code: all, terminator, avgGapMs: allGap };
  }
}
