/**
 * The shared XML rules of the 微收银 and posmini codecs (proxy/providers/provider-xml.ts), at their
 * edges: which references decode and which refuse the document, the raw characters XML forbids, and
 * the encoding a document names for itself. The hostile documents themselves go through the proxy
 * over HTTP in hostile-xml.test.ts.
 */
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { forbiddenCharacter, xmlDeclaredEncoding, xmlEntityDecoder } from '../../proxy/providers/provider-xml.ts';

const decode = (t: string) => xmlEntityDecoder.decode(t);

describe('entity and character references', () => {
  it('decodes XML\'s five entities and references to allowed characters, leading zeros and all', () => {
    expect(decode('&amp;&lt;&gt;&quot;&apos;')).toBe('&<>"\'');
    expect(decode('&#9;&#xA;&#13;&#x20;&#60;&#x4e2d;&#xD7FF;&#xE000;&#xFFFD;&#x10000;&#x10FFFF;&#1114111;')).toBe('\t\n\r <中\ud7ff\ue000\ufffd\u{10000}\u{10ffff}\u{10ffff}');
    expect(decode('&#x0000000041;&#00000065;')).toBe('AA');
    // `&amp;lt;` is the text "&lt;", decoded once.
    expect(decode('&amp;lt;')).toBe('&lt;');
  });

  it('leaves what is not a reference XML defines as written (HTML names are not XML)', () => {
    expect(decode('&nbsp;&copy;&yen;&lol;& amp;&#;&#x;')).toBe('&nbsp;&copy;&yen;&lol;& amp;&#;&#x;');
  });

  it('refuses a reference to a character XML does not allow', () => {
    for (const ref of ['&#0;', '&#x1b;', '&#27;', '&#1;', '&#x1F;', '&#xD800;', '&#xDFFF;', '&#xFFFE;', '&#xFFFF;', '&#x110000;', '&#99999999999;', '&#x7FFFFFFF;']) {
      expect(() => decode(`a${ref}b`), ref).toThrow(/XML does not allow/);
    }
  });

  it('refuses DOCTYPE entities, should a document with one ever get past the codecs', () => {
    expect(() => xmlEntityDecoder.addInputEntities({ lol: 'lol' })).toThrow(/DOCTYPE/);
    expect(() => xmlEntityDecoder.addInputEntities({})).not.toThrow();
  });
});

describe('raw characters', () => {
  it('finds the first C0 control, NUL, lone surrogate or non-character; TAB, LF, CR and pairs are fine', () => {
    expect(forbiddenCharacter('<dm a="\t\r\n中😀\ufffd"/>')).toBeUndefined();
    expect(forbiddenCharacter('<dm>\x1b@</dm>')).toBe('U+001B at offset 4');
    expect(forbiddenCharacter('\x00')).toBe('U+0000 at offset 0');
    expect(forbiddenCharacter('ab\ud800c')).toBe('U+D800 at offset 2');
    expect(forbiddenCharacter('ab\udc00')).toBe('U+DC00 at offset 2');
    expect(forbiddenCharacter('\uffff')).toBe('U+FFFF at offset 0');
  });
});

describe('the encoding a document names for itself', () => {
  it('by byte order mark, else by the declaration at the very start', () => {
    expect(xmlDeclaredEncoding(Buffer.from([0xef, 0xbb, 0xbf, 0x3c]))).toBe('utf-8');
    expect(xmlDeclaredEncoding(Buffer.from([0xff, 0xfe, 0x3c, 0x00]))).toBe('utf-16le');
    expect(xmlDeclaredEncoding(Buffer.from([0xfe, 0xff, 0x00, 0x3c]))).toBe('utf-16be');
    expect(xmlDeclaredEncoding(iconv.encode('<?xml version="1.0" encoding="GB18030"?><dm info="成功"/>', 'gb18030'))).toBe('GB18030');
    expect(xmlDeclaredEncoding(Buffer.from("<?xml version='1.0' encoding='gbk' standalone='yes'?><dm/>"))).toBe('gbk');
  });

  it('nothing when there is no declaration at the start, or it names none', () => {
    expect(xmlDeclaredEncoding(Buffer.from('<dm/>'))).toBeUndefined();
    expect(xmlDeclaredEncoding(Buffer.from('<?xml version="1.0"?><dm/>'))).toBeUndefined();
    expect(xmlDeclaredEncoding(Buffer.from(' <?xml version="1.0" encoding="gbk"?>'))).toBeUndefined();
    expect(xmlDeclaredEncoding(Buffer.from('<dm info=\'<?xml encoding="gbk"?>\'/>'))).toBeUndefined();
  });
});
