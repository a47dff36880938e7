/**
 * ESC/POS bytes built in the browser: the cash drawer kick, the paper cut check, and a small
 * writer for pages made here (the test page). Chinese text is GB18030 in Chinese mode
 * (`FS &`), never UTF-8 — the popular @point-of-sale encoder sends `FS .` (Chinese off) in its
 * initialize, which is why this one is our own.
 */
import { renderEscPos } from '../escpos-preview.ts';
import { encodeGb18030, spread, wrapText } from './gb18030.ts';

const ESC = 0x1b;
const GS = 0x1d;
const FS = 0x1c;
const LF = 0x0a;

/** `ESC p 0 25 250`: pulse drawer pin 2 for 50 ms on, 500 ms off (t × 2 ms). */
export const DRAWER_KICK = Uint8Array.of(ESC, 0x70, 0x00, 25, 250);
/** `GS V 1`: partial cut (the one every cutter does; a full cut `GS V 0` is not on all models). */
export const CUT = Uint8Array.of(GS, 0x56, 0x01);
/** Lines fed before a cut we add: the cutter sits a few lines above the print head. */
const FEED_BEFORE_CUT = Uint8Array.of(ESC, 0x64, 4);

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * True when the last thing the bytes do is cut the paper (`GS V`, `ESC i`, `ESC m`), blank
 * feeds after it allowed. Parsed with the receipt preview's parser, so a 0x1D inside a QR
 * code or a Chinese character is not taken for a command.
 */
export function endsWithCut(bytes: Uint8Array): boolean {
  const lines = renderEscPos(bytes).lines;
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i];
    if (l.kind === 'text' && l.text.trim() === '') continue;
    return l.kind === 'cut';
  }
  return false;
}

/** The bytes with a feed and `GS V 1` added when they do not end in a cut already. */
export function withCut(bytes: Uint8Array): Uint8Array {
  return endsWithCut(bytes) ? bytes : concat(bytes, FEED_BEFORE_CUT, CUT);
}

/** A page built here: commands and GB18030 text, wrapped to the paper's columns. */
export class EscPosWriter {
  readonly #parts: Uint8Array[] = [];
  readonly columns: number;

  constructor(columns = 32) {
    this.columns = columns;
  }

  raw(...bytes: number[]): this {
    this.#parts.push(Uint8Array.from(bytes));
    return this;
  }

  /** `ESC @` then `FS &`: modes back to power-on, Chinese mode on. */
  init(): this {
    return this.raw(ESC, 0x40, FS, 0x26);
  }

  align(a: 'left' | 'center' | 'right'): this {
    return this.raw(ESC, 0x61, a === 'left' ? 0 : a === 'center' ? 1 : 2);
  }

  bold(on: boolean): this {
    return this.raw(ESC, 0x45, on ? 1 : 0);
  }

  /** `GS !`: width and height multipliers 1–8. */
  size(width: number, height: number): this {
    return this.raw(GS, 0x21, ((width - 1) << 4) | (height - 1));
  }

  /** One or more lines of text, each wrapped to the columns at the current width multiplier. */
  line(text = '', widthMultiplier = 1): this {
    const cols = Math.max(1, Math.floor(this.columns / widthMultiplier));
    for (const l of wrapText(text, cols)) this.#parts.push(encodeGb18030(l), Uint8Array.of(LF));
    return this;
  }

  /** Left and right text on one line (a label and an amount). */
  pair(left: string, right: string): this {
    for (const l of spread(left, right, this.columns).split('\n')) this.#parts.push(encodeGb18030(l), Uint8Array.of(LF));
    return this;
  }

  rule(ch = '-'): this {
    return this.line(ch.repeat(this.columns));
  }

  feed(lines: number): this {
    return this.raw(ESC, 0x64, lines);
  }

  cut(): this {
    this.#parts.push(FEED_BEFORE_CUT, CUT);
    return this;
  }

  bytes(): Uint8Array {
    return concat(...this.#parts);
  }
}

export interface TestPageInfo {
  columns: number;
  /** The link, e.g. "串口 9600 8N1" or "USB 0416:5011". */
  link: string;
  now?: Date;
}

function chinaTime(d: Date): string {
  return new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

/** "打印测试页 / Test print": Chinese, full-width yuan, double size, wrapping, the column ruler, a cut. */
export function testPage(info: TestPageInfo): Uint8Array {
  const w = new EscPosWriter(info.columns);
  const ruler = Array.from({ length: info.columns }, (_, i) => String((i + 1) % 10)).join('');
  w.init()
    .align('center')
    .size(2, 2)
    .line('打印测试页', 2)
    .size(1, 1)
    .line('Test print')
    .align('left')
    .rule()
    .line(`时间: ${chinaTime(info.now ?? new Date())}`)
    .line(`连接: ${info.link}`)
    .line(`纸宽: ${info.columns} 列 / columns`)
    .rule()
    .line('中文：微信支付 支付宝 收银台')
    .pair('金额 Amount', '¥12.34')
    .bold(true)
    .pair('合计', '￥1,234.56')
    .bold(false)
    .line('长行按显示宽度折行，一个汉字占两列：一二三四五六七八九十一二三四五六七八九十')
    .line(ruler)
    .rule()
    .align('center')
    .line('打印正常 / Printer OK')
    .cut();
  return w.bytes();
}
