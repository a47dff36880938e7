/**
 * Keyboard-wedge scans on every screen. A scanner in keyboard mode types into whatever has the
 * focus: on the amount screen its digits would land in the amount field and its Enter would press
 * 收款. So printable keys are held back (preventDefault) for `holdMs`; a key that follows within
 * that time joins the run. A terminator ending a run that WedgeDetector calls a scan makes it a
 * scan, and nothing of it reaches the page. Anything else (the time running out, another key, a
 * click) delivers the held keys where they were going — inserted into the field they were typed
 * in, or dispatched again as keydown — so a person's typing arrives, at most `holdMs` later.
 *
 * Under a Chinese IME, keys arrive as 'Process'/229 once the IME has taken them, and typing into a
 * field cannot be held back. Their characters come from `event.code` (wedge.ts); the field is
 * remembered as it was, the IME's `input` events are kept from the page during the run, and a scan
 * puts the field back — also against the IME's own commit just after the Enter.
 *
 * The scan screen reads its keys itself (manual entry, paste): it claims the keyboard meanwhile.
 */
import { charOf, terminatorOf, WedgeDetector, type WedgeOptions } from '../wedge.ts';

export interface KeyboardScanOptions extends WedgeOptions {
  /** Off: keys are never held and keyboard scans are read on the scan screen only. */
  enabled?: boolean;
  /** How long a key is held back waiting for the next one. */
  holdMs?: number;
}

/** As much of a KeyboardEvent as is read here (tests use plain objects). */
export type KeyLike = Pick<
  KeyboardEvent,
  'key' | 'code' | 'keyCode' | 'timeStamp' | 'ctrlKey' | 'altKey' | 'metaKey' | 'isTrusted' | 'target' | 'preventDefault' | 'stopPropagation'
>;
export type InputLike = Pick<Event, 'isTrusted' | 'target' | 'timeStamp' | 'stopPropagation'>;

type Field = HTMLInputElement | HTMLTextAreaElement;

/** A field that takes typed text (where held keys can be inserted). */
function textField(t: unknown): Field | null {
  const f = t as Field | null;
  return f && typeof f.setRangeText === 'function' && /^(text|search|tel|url|password|textarea)$/.test(f.type) ? f : null;
}

const MODIFIER = /^(Shift|Control|Alt|AltGraph|Meta|CapsLock|NumLock)$/;

interface Held {
  ch: string;
  key: string;
  code: string;
  target: EventTarget | null;
}

export class KeyboardScans {
  readonly #emit: (code: string) => void;
  #detector = new WedgeDetector();
  #opts: Required<Pick<KeyboardScanOptions, 'enabled' | 'holdMs'>> & KeyboardScanOptions = { enabled: true, holdMs: 50 };
  #held: Held[] = [];
  /** Fields an IME typed into during the run, with their value before it. */
  #ime = new Map<Field, string>();
  /** After a scan: those fields, kept as they were against the IME's late commit until `#quietUntil`. */
  #quiet = new Map<Field, string>();
  #quietUntil = 0;
  #last = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #claims = 0;

  constructor(emit: (code: string) => void) {
    this.#emit = emit;
  }

  /** The thresholds in use (the scan screen's own detector takes them too). */
  get options(): KeyboardScanOptions {
    return this.#opts;
  }

  configure(opts: KeyboardScanOptions): void {
    this.#end(false);
    this.#opts = { ...this.#opts, ...opts };
    this.#detector = new WedgeDetector(opts);
  }

  /** Listens on the window (capture phase: before any field or handler of the page). */
  install(target: EventTarget = window): void {
    target.addEventListener('keydown', (e) => this.key(e as KeyboardEvent), true);
    target.addEventListener('input', (e) => this.input(e), true);
    target.addEventListener('pointerdown', () => this.#end(false), true);
  }

  /** The scan screen reads the keys itself while it is shown; call the result to give them back. */
  claim(): () => void {
    this.#end(false);
    this.#claims++;
    let done = false;
    return () => {
      if (!done) this.#claims--;
      done = true;
    };
  }

  key(e: KeyLike): void {
    // Our own re-dispatched keys, a claimed keyboard, shift and friends: not ours to judge.
    if (!e.isTrusted || this.#claims > 0 || !this.#opts.enabled || MODIFIER.test(e.key)) return;
    const t = e.timeStamp;
    const running = this.#held.length > 0 || this.#ime.size > 0;
    if (running && t - this.#last > this.#opts.holdMs) this.#end(false); // the timer is late

    const terminator = terminatorOf(e, this.#opts.terminators ?? ['Enter', 'Tab']);
    const ch = terminator || e.ctrlKey || e.altKey || e.metaKey ? null : charOf(e);
    if (terminator) {
      const r = this.#detector.feed(e).result;
      if (r?.kind === 'scan') {
        e.preventDefault();
        e.stopPropagation();
        this.#quietUntil = t + 100;
        this.#end(true);
        this.#emit(r.code);
      } else this.#end(false);
      return;
    }
    // Backspace, arrows, Escape, shortcuts: what was held goes first, then this key as usual.
    const target = e.target as Element | null;
    const ime = e.key === 'Process' || e.keyCode === 229;
    const field = textField(target);
    if (!ch || !ch.trim() || (!field && target?.matches?.('input, select, [contenteditable]'))) {
      this.#end(false);
      return;
    }
    this.#detector.feed(e);
    if (ime && field) {
      if (!this.#ime.has(field)) this.#ime.set(field, field.value);
    } else {
      e.preventDefault();
      e.stopPropagation();
      this.#held.push({ ch, key: e.key, code: e.code, target });
    }
    this.#last = t;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#end(false), this.#opts.holdMs);
  }

  input(e: InputLike): void {
    if (!e.isTrusted) return;
    const f = e.target as Field;
    if (this.#ime.has(f)) {
      e.stopPropagation(); // the page sees the IME's text when the run turns out typed by a person
    } else if (e.timeStamp <= this.#quietUntil && this.#quiet.has(f)) {
      f.value = this.#quiet.get(f)!;
      e.stopPropagation();
    }
  }

  #end(scan: boolean): void {
    clearTimeout(this.#timer);
    this.#detector.reset();
    const held = this.#held;
    const ime = this.#ime;
    this.#held = [];
    this.#ime = new Map();
    if (scan) {
      this.#quiet = ime;
      for (const [f, v] of ime) f.value = v;
      return;
    }
    for (const h of held) {
      const f = textField(h.target);
      if (!f) h.target?.dispatchEvent(new KeyboardEvent('keydown', { key: h.key, code: h.code, bubbles: true, cancelable: true }));
      else if (!f.readOnly && !f.disabled) {
        const end = f.selectionEnd ?? f.value.length;
        f.setRangeText(h.ch, f.selectionStart ?? end, end, 'end');
        f.dispatchEvent(new Event('input', { bubbles: true }));
      }
    }
    for (const f of ime.keys()) f.dispatchEvent(new Event('input', { bubbles: true }));
  }
}
