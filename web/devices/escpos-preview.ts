/**
 * Renders ESC/POS bytes into a structured, on-screen receipt: what a 58/80 mm thermal
 * printer would print, line by line, with alignment, character size, bold and cuts.
 * The same bytes go to the printer, so the preview is how tests (and a cashier with no
 * printer) read the receipt.
 *
 * Chinese mode (FS &) makes every byte ≥ 0x80 the start of a GB18030 character, printed as
 * a double-width (24-dot) glyph. Printers sold in China start in Chinese mode, and the
 * 微收银 receipts rely on that (their Chinese text follows ESC @ with no FS &), so that is
 * the default; `chinese: false` starts in single-byte mode instead.
 */

export type Align = 'left' | 'center' | 'right';

export interface PreviewSpan {
  text: string;
  bold: boolean;
  underline: boolean;
  inverse: boolean;
  font: 'A' | 'B';
  /** Character width and height multipliers, 1-8 (GS ! n). */
  width: number;
  height: number;
}

export interface TextLine {
  kind: 'text';
  align: Align;
  /** The whole line as plain text. */
  text: string;
  spans: PreviewSpan[];
  /** Largest multipliers on the line. */
  width: number;
  height: number;
  /** True when every non-blank span is bold. */
  bold: boolean;
  /** Line spacing in dots (ESC 3 n), null for the printer's default (ESC 2). */
  spacing: number | null;
}

export type PreviewLine =
  | TextLine
  | { kind: 'cut'; partial: boolean }
  | { kind: 'qr'; align: Align; data: string }
  | { kind: 'barcode'; align: Align; data: string }
  | { kind: 'image'; align: Align };

export interface ReceiptPreviewData {
  columns: number;
  lines: PreviewLine[];
}

export interface PreviewOptions {
  /** Font A columns per line: 32 for 58 mm paper, 48 for 80 mm. */
  columns?: number;
  /** Start (and stay after ESC @) in Chinese mode. Default true. */
  chinese?: boolean;
}

const ESC = 0x1b;
const GS = 0x1d;
const FS = 0x1c;
const LF = 0x0a;
const CR = 0x0d;
const HT = 0x09;
const FF = 0x0c;

/** Dots per character: font A 12, font B 9, a Chinese glyph 24 (before GS ! scaling). */
const DOTS = { A: 12, B: 9, CJK: 24 } as const;

/** ESC t n code pages that TextDecoder knows, for single-byte mode. Others fall back to 1252. */
const CODE_PAGES: Record<number, string> = {
  16: 'windows-1252',
  17: 'ibm866',
  18: 'windows-1252', // PC852 is not in the Encoding Standard; Latin-1 is the closest readable
  19: 'windows-1252',
  46: 'windows-1251',
  47: 'windows-1252',
  50: 'windows-1257',
  255: 'windows-1252',
};
/** PC437's upper half (ESC t 0, the power-on table of single-byte mode). */
const PC437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

interface Style {
  align: Align;
  bold: boolean;
  underline: boolean;
  inverse: boolean;
  font: 'A' | 'B';
  width: number;
  height: number;
  spacing: number | null;
  codePage: number;
}

const initialStyle = (): Style => ({
  align: 'left',
  bold: false,
  underline: false,
  inverse: false,
  font: 'A',
  width: 1,
  height: 1,
  spacing: null,
  codePage: 0,
});

class Renderer {
  readonly lines: PreviewLine[] = [];
  readonly #maxDots: number;
  #chinese: boolean;
  #style: Style = initialStyle();
  #spans: PreviewSpan[] = [];
  #lineAlign: Align | null = null;
  #dots = 0;
  #gb = new TextDecoder('gb18030');
  #qr = '';

  constructor(opts: Required<PreviewOptions>) {
    this.#maxDots = opts.columns * DOTS.A;
    this.#chinese = opts.chinese;
  }

  get chinese(): boolean {
    return this.#chinese;
  }
  set chinese(on: boolean) {
    this.#chinese = on;
  }
  get style(): Style {
    return this.#style;
  }

  /** ESC @: modes back to power-on. Chinese mode is left as it is (the seed's receipts rely on it). */
  init(): void {
    this.#style = initialStyle();
  }

  /** Adds one printable character; `cjk` for a double-byte glyph (24 dots wide before scaling). */
  put(ch: string, cjk: boolean): void {
    const s = this.#style;
    const dots = (cjk ? DOTS.CJK : DOTS[s.font]) * s.width;
    if (this.#dots + dots > this.#maxDots && this.#dots > 0) this.newline(); // the printer wraps
    if (this.#lineAlign === null) this.#lineAlign = s.align; // ESC a counts at the start of a line
    this.#dots += dots;
    const last = this.#spans[this.#spans.length - 1];
    if (
      last &&
      last.bold === s.bold &&
      last.underline === s.underline &&
      last.inverse === s.inverse &&
      last.font === s.font &&
      last.width === s.width &&
      last.height === s.height
    ) {
      last.text += ch;
    } else {
      this.#spans.push({ text: ch, bold: s.bold, underline: s.underline, inverse: s.inverse, font: s.font, width: s.width, height: s.height });
    }
  }

  tab(): void {
    const cell = 8 * DOTS.A;
    const next = (Math.floor(this.#dots / cell) + 1) * cell;
    while (this.#dots < next && this.#dots + DOTS.A <= this.#maxDots) this.put(' ', false);
  }

  newline(): void {
    const text = this.#spans.map((s) => s.text).join('');
    const inked = this.#spans.filter((s) => s.text.trim() !== '');
    this.lines.push({
      kind: 'text',
      align: this.#lineAlign ?? this.#style.align,
      text,
      spans: this.#spans,
      // An empty line is as tall as the current size; otherwise, its largest characters.
      width: this.#spans.length ? Math.max(...this.#spans.map((x) => x.width)) : this.#style.width,
      height: this.#spans.length ? Math.max(...this.#spans.map((x) => x.height)) : this.#style.height,
      bold: inked.length > 0 && inked.every((s) => s.bold),
      spacing: this.#style.spacing,
    });
    this.#spans = [];
    this.#lineAlign = null;
    this.#dots = 0;
  }

  /** Ends a line only if something is on it (before a cut, a barcode…). */
  flush(): void {
    if (this.#spans.length > 0) this.newline();
  }

  block(line: PreviewLine): void {
    this.flush();
    this.lines.push(line);
  }

  decodeGb(bytes: Uint8Array): string {
    return this.#gb.decode(bytes);
  }

  qrStore(data: string): void {
    this.#qr = data;
  }
  qrPrint(): void {
    this.block({ kind: 'qr', align: this.#style.align, data: this.#qr });
  }
}

function singleByte(b: number, codePage: number): string {
  if (b < 0x80) return String.fromCharCode(b);
  if (codePage === 0) return PC437_HIGH[b - 0x80];
  return new TextDecoder(CODE_PAGES[codePage] ?? 'windows-1252').decode(Uint8Array.of(b));
}

/** The number of bytes a GB18030 character starting at `i` takes (1, 2 or 4). */
function gbLength(bytes: Uint8Array, i: number): number {
  const b = bytes[i];
  if (b < 0x81 || b === 0xff) return 1;
  const b2 = bytes[i + 1];
  if (b2 !== undefined && b2 >= 0x30 && b2 <= 0x39) return 4;
  return 2;
}

function ascii(bytes: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to && i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

/** Parses ESC/POS bytes into lines. Unknown commands are skipped, never printed as text. */
export function renderEscPos(input: Uint8Array | ArrayBuffer, options: PreviewOptions = {}): ReceiptPreviewData {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  const opts: Required<PreviewOptions> = { columns: 32, chinese: true, ...options };
  const r = new Renderer(opts);
  const n = bytes.length;
  let i = 0;
  const arg = (k: number) => bytes[i + k] ?? 0;

  while (i < n) {
    const b = bytes[i];
    if (b === ESC) {
      const cmd = arg(1);
      const p = arg(2);
      switch (cmd) {
        case 0x40: // ESC @ initialise
          r.flush();
          r.init();
          i += 2;
          continue;
        case 0x61: // ESC a n: justification
          r.style.align = (['left', 'center', 'right'] as const)[p % 48] ?? 'left';
          i += 3;
          continue;
        case 0x45: // ESC E n: emphasised
        case 0x47: // ESC G n: double-strike, printed like bold
          r.style.bold = (p & 1) === 1;
          i += 3;
          continue;
        case 0x2d: // ESC - n: underline
          r.style.underline = p % 48 !== 0;
          i += 3;
          continue;
        case 0x4d: // ESC M n: font A/B (C prints like B)
          r.style.font = p % 48 === 0 ? 'A' : 'B';
          i += 3;
          continue;
        case 0x21: // ESC ! n: print modes in one byte
          r.style.font = p & 0x01 ? 'B' : 'A';
          r.style.bold = (p & 0x08) !== 0;
          r.style.height = p & 0x10 ? 2 : 1;
          r.style.width = p & 0x20 ? 2 : 1;
          r.style.underline = (p & 0x80) !== 0;
          i += 3;
          continue;
        case 0x74: // ESC t n: code page
          r.style.codePage = p;
          i += 3;
          continue;
        case 0x33: // ESC 3 n: line spacing in dots
          r.style.spacing = p;
          i += 3;
          continue;
        case 0x32: // ESC 2: default line spacing
          r.style.spacing = null;
          i += 2;
          continue;
        case 0x64: // ESC d n: print and feed n lines
          r.newline();
          for (let k = 1; k < p; k++) r.newline();
          i += 3;
          continue;
        case 0x4a: // ESC J n: print and feed n dots
          r.newline();
          i += 3;
          continue;
        case 0x69: // ESC i: full cut
        case 0x6d: // ESC m: partial cut
          r.block({ kind: 'cut', partial: cmd === 0x6d });
          i += 2;
          continue;
        case 0x70: // ESC p m t1 t2: cash drawer pulse
          i += 5;
          continue;
        case 0x42: // ESC B n t: buzzer (Chinese printers)
          i += 4;
          continue;
        case 0x2a: {
          // ESC * m nL nH d…: bit image
          const m = p;
          const count = arg(3) + arg(4) * 256;
          r.block({ kind: 'image', align: r.style.align });
          i += 5 + count * (m === 32 || m === 33 ? 3 : 1);
          continue;
        }
        case 0x7b: // ESC { n: upside-down
        case 0x56: // ESC V n: 90° rotation
        case 0x52: // ESC R n: international character set
        case 0x20: // ESC SP n: right-side character spacing
        case 0x63: // ESC c 3/4/5 n
        case 0x55: // ESC U n: unidirectional
          i += cmd === 0x63 ? 4 : 3;
          continue;
        default:
          i += 2; // unknown ESC x: skip it
          continue;
      }
    }

    if (b === GS) {
      const cmd = arg(1);
      const p = arg(2);
      switch (cmd) {
        case 0x21: // GS ! n: width (high nibble) and height (low nibble) multipliers
          r.style.width = ((p >> 4) & 7) + 1;
          r.style.height = (p & 7) + 1;
          i += 3;
          continue;
        case 0x42: // GS B n: white/black reverse
          r.style.inverse = (p & 1) === 1;
          i += 3;
          continue;
        case 0x56: // GS V m [n]: cut
          r.block({ kind: 'cut', partial: p === 1 || p === 49 || p === 66 });
          i += p === 65 || p === 66 ? 4 : 3;
          continue;
        case 0x28: {
          // GS ( x pL pH fn…: function blocks (QR codes among them)
          const len = arg(3) + arg(4) * 256;
          const body = bytes.subarray(i + 5, i + 5 + len);
          if (p === 0x6b && body[0] === 49 && body[1] === 80) r.qrStore(ascii(body, 3, body.length)); // store
          if (p === 0x6b && body[0] === 49 && body[1] === 81) r.qrPrint(); // print
          i += 5 + len;
          continue;
        }
        case 0x6b: {
          // GS k m …: barcode. m 0-6 ends with NUL; m 65-79 has a length byte.
          if (p <= 6) {
            let end = i + 3;
            while (end < n && bytes[end] !== 0) end++;
            r.block({ kind: 'barcode', align: r.style.align, data: ascii(bytes, i + 3, end) });
            i = end + 1;
          } else {
            const len = arg(3);
            r.block({ kind: 'barcode', align: r.style.align, data: ascii(bytes, i + 4, i + 4 + len) });
            i += 4 + len;
          }
          continue;
        }
        case 0x76: {
          // GS v 0 m xL xH yL yH d…: raster image
          const w = arg(4) + arg(5) * 256;
          const h = arg(6) + arg(7) * 256;
          r.block({ kind: 'image', align: r.style.align });
          i += 8 + w * h;
          continue;
        }
        case 0x48: // GS H n: HRI position
        case 0x66: // GS f n: HRI font
        case 0x68: // GS h n: barcode height
        case 0x77: // GS w n: barcode width
        case 0x4c: // GS L nL nH: left margin (2 args)
        case 0x57: // GS W nL nH: print area width (2 args)
          i += cmd === 0x4c || cmd === 0x57 ? 4 : 3;
          continue;
        default:
          i += 2;
          continue;
      }
    }

    if (b === FS) {
      const cmd = arg(1);
      switch (cmd) {
        case 0x26: // FS &: Chinese mode on
          r.chinese = true;
          i += 2;
          continue;
        case 0x2e: // FS .: Chinese mode off
          r.chinese = false;
          i += 2;
          continue;
        case 0x21: {
          // FS ! n: Chinese character print modes
          const p = arg(2);
          r.style.width = p & 0x04 ? 2 : 1;
          r.style.height = p & 0x08 ? 2 : 1;
          r.style.underline = (p & 0x80) !== 0;
          i += 3;
          continue;
        }
        case 0x57: // FS W n: Chinese quadruple size
          r.style.width = r.style.height = arg(2) & 1 ? 2 : 1;
          i += 3;
          continue;
        case 0x2d: // FS - n: Chinese underline
        case 0x43: // FS C n: Chinese code system
        case 0x53: // FS S n1 n2: Chinese spacing (2 args)
          i += cmd === 0x53 ? 4 : 3;
          continue;
        case 0x70: // FS p n m: print NV bit image
          r.block({ kind: 'image', align: r.style.align });
          i += 4;
          continue;
        default:
          i += 2;
          continue;
      }
    }

    if (b === LF) {
      r.newline();
      i += 1;
      continue;
    }
    if (b === CR) {
      // CR LF is one line end; a lone CR prints the line like LF does.
      if (bytes[i + 1] !== LF) r.newline();
      i += 1;
      continue;
    }
    if (b === HT) {
      r.tab();
      i += 1;
      continue;
    }
    if (b === FF) {
      r.newline();
      i += 1;
      continue;
    }
    if (b < 0x20 || b === 0x7f) {
      i += 1; // other control bytes print nothing
      continue;
    }

    if (b >= 0x80 && r.chinese) {
      const len = gbLength(bytes, i);
      r.put(r.decodeGb(bytes.subarray(i, i + len)), true);
      i += len;
      continue;
    }
    r.put(singleByte(b, r.style.codePage), false);
    i += 1;
  }
  r.flush();
  return { columns: opts.columns, lines: r.lines };
}

/** The preview as plain text, one receipt line per line (cuts as dashes), for tests and logs. */
export function previewText(preview: ReceiptPreviewData): string {
  return preview.lines
    .map((l) => {
      switch (l.kind) {
        case 'text':
          return l.text;
        case 'cut':
          return '-'.repeat(preview.columns);
        case 'qr':
          return `[QR ${l.data}]`;
        case 'barcode':
          return `[${l.data}]`;
        case 'image':
          return '[image]';
      }
    })
    .join('\n');
}
