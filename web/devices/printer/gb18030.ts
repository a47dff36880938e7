/**
 * GBK / GB18030 two-byte encoding for text built in the browser (the test page; anything the
 * PWA prints that the proxy did not encode). Receipts from the proxy are already GB18030.
 *
 * No package and no shipped table: the browser's own `TextDecoder('gb18030')` (every browser
 * has it, it is in the Encoding Standard) decodes all 23 940 two-byte sequences 0x81–0xFE ×
 * 0x40–0xFE (not 0x7F) in one call, once, on first use, and the answer is inverted into a
 * flat table: BMP code unit → the two bytes. A Uint16Array of 65 536 entries is 128 KB, fixed
 * (a Map of the same 23 940 entries measured about 450 KB of JS heap in Chromium; see the
 * README), and a lookup is one array read. Building it takes a few milliseconds. The decoder gives each sequence one code point and only U+3000 twice
 * (A1A1 and A3A0); the first, A1A1, is kept — the Encoding Standard's encoder does the same.
 *
 * Four-byte GB18030 sequences are left out: thermal printers carry GB2312/GBK fonts and print
 * them as garbage anyway. A character outside the table prints as `?`.
 */

const LEAD_MIN = 0x81;
const LEAD_MAX = 0xfe;
const TRAIL_MIN = 0x40;
const TRAIL_MAX = 0xfe;
const QUESTION = 0x3f;

let table: Uint16Array | null = null;

/** How long the table took to build (ms), for the settings screen and the README. */
export let buildMs = 0;

/** The code unit → GBK table, built on first call. */
export function gbTable(): Uint16Array {
  if (table) return table;
  const t0 = performance.now();
  const pairs = new Uint8Array((LEAD_MAX - LEAD_MIN + 1) * (TRAIL_MAX - TRAIL_MIN) * 2);
  let n = 0;
  for (let lead = LEAD_MIN; lead <= LEAD_MAX; lead++) {
    for (let trail = TRAIL_MIN; trail <= TRAIL_MAX; trail++) {
      if (trail === 0x7f) continue;
      pairs[n++] = lead;
      pairs[n++] = trail;
    }
  }
  const text = new TextDecoder('gb18030').decode(pairs);
  const t = new Uint16Array(0x10000);
  if (text.length === n / 2) {
    for (let i = 0; i < text.length; i++) {
      const cu = text.charCodeAt(i);
      if (cu !== 0xfffd && t[cu] === 0) t[cu] = (pairs[2 * i] << 8) | pairs[2 * i + 1];
    }
  } else {
    // A decoder that maps some sequence to nothing or to two units: one call per sequence.
    const d = new TextDecoder('gb18030');
    for (let i = 0; i < n; i += 2) {
      const s = d.decode(pairs.subarray(i, i + 2));
      if (s.length !== 1) continue;
      const cu = s.charCodeAt(0);
      if (cu !== 0xfffd && t[cu] === 0) t[cu] = (pairs[i] << 8) | pairs[i + 1];
    }
  }
  table = t;
  buildMs = performance.now() - t0;
  return t;
}

/**
 * `¥` (U+00A5) is not in GBK — a printer prints `?` — so it is printed as the full-width
 * `￥` (U+FFE5), as the proxy does for receipts.
 */
export function printable(text: string): string {
  return text.replace(/\u00a5/g, '\uffe5');
}

/**
 * Text (ASCII control bytes pass through, so ESC/POS commands may be inlined) → GB18030 bytes.
 * Characters GBK does not have become `?`.
 */
export function encodeGb18030(text: string): Uint8Array {
  const t = gbTable();
  const s = printable(text);
  const out = new Uint8Array(s.length * 2);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const cu = s.charCodeAt(i);
    if (cu < 0x80) {
      out[n++] = cu;
      continue;
    }
    // A surrogate pair is one character outside the BMP: one `?` for both halves.
    if (cu >= 0xd800 && cu <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
      out[n++] = QUESTION;
      continue;
    }
    const gb = t[cu];
    if (gb === 0) {
      out[n++] = QUESTION;
      continue;
    }
    out[n++] = gb >> 8;
    out[n++] = gb & 0xff;
  }
  return out.slice(0, n);
}

/**
 * Columns a character takes on the printer in Chinese mode: every two-byte character is a
 * 24-dot (double-width) glyph, ASCII is 12 dots. So the width is the encoded length, and a
 * character that becomes `?` is one column.
 */
export function charWidth(ch: string): number {
  const cu = ch.charCodeAt(0);
  if (cu < 0x80) return 1;
  if (cu >= 0xd800 && cu <= 0xdfff) return 1;
  if (cu === 0xa5) return 2; // printed as ￥
  return gbTable()[cu] === 0 ? 1 : 2;
}

export function textWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += charWidth(ch);
  return w;
}

/**
 * Wraps text to `columns` by display width (32 on 58 mm paper, 48 on 80 mm). Latin words are
 * kept whole when they fit on a line of their own; Chinese breaks between any two characters.
 * Existing line breaks are kept.
 */
export function wrapText(text: string, columns = 32): string[] {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    let width = 0;
    /** Where the last space on the line is (break there for a Latin word). */
    let lastSpace = -1;
    for (const ch of para) {
      const w = charWidth(ch);
      if (width + w > columns && line !== '') {
        if (ch !== ' ' && lastSpace > 0 && w === 1 && charWidth(line[line.length - 1]) === 1) {
          // Carry the unfinished Latin word to the next line.
          out.push(line.slice(0, lastSpace).trimEnd());
          line = line.slice(lastSpace + 1);
          width = textWidth(line);
        } else {
          out.push(line.trimEnd());
          line = '';
          width = 0;
        }
        lastSpace = -1;
        if (ch === ' ' && line === '') continue; // no space at the start of a wrapped line
      }
      if (ch === ' ') lastSpace = line.length;
      line += ch;
      width += w;
    }
    out.push(line);
  }
  return out;
}

/** `left` and `right` on one line of `columns`, the gap filled with spaces (wrapped when too long). */
export function spread(left: string, right: string, columns = 32): string {
  const gap = columns - textWidth(left) - textWidth(right);
  if (gap >= 1) return left + ' '.repeat(gap) + right;
  return `${left}\n${' '.repeat(Math.max(0, columns - textWidth(right)))}${right}`;
}
