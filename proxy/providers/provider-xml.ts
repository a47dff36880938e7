/**
 * What the XML codecs (微收银, posmini) share about reading a document a provider — or whoever sits
 * between us and it — sent: explicit limits for fast-xml-parser, and the only characters and entity
 * references an answer may carry. Each codec still caps the size and refuses DOCTYPE/ENTITY before
 * the parser sees the text, in its own words. Pure.
 *
 * XML 1.0 §2.2 (Char) allows TAB, LF, CR and U+0020 upwards (no surrogates, no U+FFFE/U+FFFF), both
 * written and referenced (§4.1, WFC: Legal Character). A document with anything else is not XML: it is
 * refused whole, so a garbled or hostile answer leaves the payment `unknown` (asked again by query),
 * and no control character — a printer command, a NUL — reaches a message, the ledger or a receipt
 * through the XML layer. (A receipt's printer commands come as the seed's literal `\x1b` escapes,
 * decoded on purpose by the codec.) An `<?xml version="1.1"?>` declaration changes nothing here.
 */
import type { EntityDecoderOptions, X2jOptions } from 'fast-xml-parser';

/**
 * Deepest nesting read: elements at most this many levels inside the root element (the parser
 * counts so). The seeds' answers nest 3 inside the root at most (微收银 `dm > paylist > pay >
 * printinfo`, posmini `root > tag > field`); the parser's own default is 100.
 */
export const MAX_XML_DEPTH = 16;

/** A character XML 1.0 does not allow, raw: C0 controls but TAB/LF/CR, a lone surrogate, U+FFFE, U+FFFF. */
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** "U+001B at offset 12" for the first character of `text` XML does not allow; undefined when there is none. */
export function forbiddenCharacter(text: string): string | undefined {
  const m = NOT_XML_CHAR.exec(text);
  return m ? `${codePointName(m[0].charCodeAt(0))} at offset ${m.index}` : undefined;
}

function codePointName(cp: number): string {
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const REFERENCE = /&(?:#[xX]([0-9a-fA-F]+)|#([0-9]+)|(amp|lt|gt|quot|apos));/g;

/**
 * XML's five predefined entities and numeric references to allowed characters, nothing else: no
 * HTML names (`&nbsp;` stays as written), no DOCTYPE entities (refused by the codecs before parsing,
 * and thrown on here should one get through), no control character, NUL or surrogate half by
 * reference (thrown on: the document is refused). A reference that expands to `<` is text, never
 * markup: the parser has already found the elements when values are decoded.
 */
export const xmlEntityDecoder: EntityDecoderOptions = Object.freeze({
  setExternalEntities(entities: Record<string, string>) {
    if (Object.keys(entities).length) throw new Error('entities are not accepted');
  },
  addInputEntities(entities: Record<string, string>) {
    if (Object.keys(entities).length) throw new Error('DOCTYPE entities are not accepted');
  },
  reset() {},
  setXmlVersion() {},
  decode(text: string): string {
    if (!text.includes('&')) return text;
    return text.replace(REFERENCE, (_m, hex: string | undefined, dec: string | undefined, name: string | undefined) => {
      if (name) return PREDEFINED[name];
      const digits = (hex ?? dec)!.replace(/^0+(?=.)/, '');
      const cp = digits.length > 7 ? Number.POSITIVE_INFINITY : parseInt(digits, hex ? 16 : 10);
      if (!isXmlChar(cp)) {
        throw new Error(`character reference to ${Number.isFinite(cp) ? codePointName(cp) : 'a code point beyond U+10FFFF'}, which XML does not allow`);
      }
      return String.fromCodePoint(cp);
    });
  },
});

/** The parser options both codecs add to their own: explicit limits, the decoder above, no prototype keys. */
export const HARDENED_PARSER_OPTIONS = Object.freeze({
  processEntities: true,
  entityDecoder: xmlEntityDecoder,
  maxNestedTags: MAX_XML_DEPTH,
  strictReservedNames: true,
} satisfies Partial<X2jOptions>);

/**
 * The character encoding an XML document names for itself, for when the HTTP answer does not
 * (XML 1.0 §4.3.3 and Appendix F): a byte order mark, else the `encoding` of an `<?xml … ?>`
 * declaration at the very start (read as ASCII, which every encoding it can name agrees on). A PHP
 * server sending GBK often says so only there. Undefined when the document names none.
 */
export function xmlDeclaredEncoding(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  const head = Buffer.from(bytes.subarray(0, 200)).toString('latin1');
  const m = /^<\?xml\s[^>]*?\bencoding\s*=\s*(["'])([A-Za-z][A-Za-z0-9._-]{0,39})\1[^>]*\?>/.exec(head);
  return m?.[2];
}
