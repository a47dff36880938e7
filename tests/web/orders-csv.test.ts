/** The CSV export's builder: BOM, CRLF, RFC 4180 quoting, formula guard, yuan from integer fen. */
import { describe, expect, it } from 'vitest';
import type { PayMethodInfo } from '../../contract/api.ts';
import { BOM, buildCsv, chinaTime, csvCell, csvFileName, ORDER_COLUMNS, ordersCsv } from '../../web/orders/csv.ts';
import type { OrderRow } from '../../web/orders/query.ts';

/** A small RFC 4180 reader, written apart from the builder, to read back what it wrote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === ',') (row.push(cell), (cell = ''));
    else if (c === '\r' && text[i + 1] === '\n') (row.push(cell), rows.push(row), (row = []), (cell = ''), i++);
    else cell += c;
  }
  if (cell !== '' || row.length) throw new Error('the last line has no CRLF');
  return rows;
}

describe('csvCell', () => {
  it('leaves plain text alone', () => {
    expect(csvCell('abc')).toBe('abc');
    expect(csvCell('微信')).toBe('微信');
    expect(csvCell('12.34')).toBe('12.34');
    expect(csvCell('')).toBe('');
  });

  it('quotes a comma, a quote, CR or LF, doubling quotes (RFC 4180)', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line1\nline2')).toBe('"line1\nline2"');
    expect(csvCell('a\r\nb')).toBe('"a\r\nb"');
    expect(csvCell('"')).toBe('""""');
  });

  it.each([
    ['=1+1', "'=1+1"],
    ['+86 138', "'+86 138"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
  ])('keeps %j from running as a formula: %j', (input, out) => {
    expect(csvCell(input)).toBe(out);
  });

  it('guards first, then quotes: the quote wraps the apostrophe', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell('\rcmd')).toBe(`"'\rcmd"`);
    // Only the first character counts.
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell(' =1')).toBe(' =1');
  });
});

describe('buildCsv', () => {
  it('starts with a UTF-8 BOM and ends every line, the last too, with CRLF', () => {
    const csv = buildCsv([['a', 'b'], ['c', 'd']]);
    expect(csv).toBe('\uFEFFa,b\r\nc,d\r\n');
    const bytes = new TextEncoder().encode(csv);
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csv.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it('round-trips awkward cells through an RFC 4180 reader', () => {
    const rows = [['x', '有,逗号', 'a "quote"', 'two\r\nlines', '=cmd', '']];
    const back = parseCsv(buildCsv(rows).slice(1));
    expect(back).toEqual([['x', '有,逗号', 'a "quote"', 'two\r\nlines', "'=cmd", '']]);
  });
});

describe('chinaTime', () => {
  it('shows any instant in China time', () => {
    expect(chinaTime('2026-11-22T16:00:00.000Z')).toBe('2026-11-23 00:00:00');
    expect(chinaTime('2026-11-23T23:59:59+08:00')).toBe('2026-11-23 23:59:59');
    expect(chinaTime('2026-11-23T15:59:59.999Z')).toBe('2026-11-23 23:59:59');
    expect(chinaTime(undefined)).toBe('');
    expect(chinaTime('garbage')).toBe('garbage');
  });
});

describe('ordersCsv', () => {
  const methods: PayMethodInfo[] = [{ id: 'weishouyin:wx', provider: 'weishouyin', name: '微信', kind: 'barcode' }];
  const rows: OrderRow[] = [
    {
      outNo: 'A1',
      status: 'paid',
      amountFen: 123456789,
      refundedFen: 1,
      provider: 'weishouyin',
      method: 'weishouyin:wx',
      providerRef: 'dm123',
      tradeNo: '4200001234567890123456789012',
      createdAt: '2026-11-22T15:59:58.000Z',
      paidAt: '2026-11-23T00:00:01+08:00',
      terminalId: 'T1',
      message: '支付成功 / Paid',
    },
    { outNo: 'B2', status: 'failed', amountFen: 5, provider: 'mct1', method: 'mct1:Gone', createdAt: '2026-11-23T01:00:00.000Z', terminalId: 'T2', message: '=1+2, "declined"' },
    { outNo: 'C3', status: 'refunded', amountFen: 1000, refundedFen: 1000, provider: 'posmini', method: 'posmini:wx', bill: { billNo: 'SB-1001', fullyPaid: true } },
  ];
  const csv = ordersCsv(rows, { methods, terminalName: (id) => (id === 'T1' ? '前台 (T1)' : id) });
  const table = parseCsv(csv.slice(1));

  it('has the BOM, a bilingual header and one row per order', () => {
    expect(csv.startsWith(BOM)).toBe(true);
    expect(table[0]).toEqual([...ORDER_COLUMNS]);
    expect(table[0][0]).toBe('创建时间 / Created');
    expect(table).toHaveLength(4);
  });

  it('writes amounts in yuan with two decimals, exactly, from fen', () => {
    const amount = ORDER_COLUMNS.indexOf('金额(元) / Amount (yuan)');
    expect(table.slice(1).map((r) => [r[amount], r[amount + 1], r[amount + 2]])).toEqual([
      ['1234567.89', '0.01', '1234567.88'],
      ['0.05', '0.00', '0.00'], // failed: nothing came in
      ['10.00', '10.00', '0.00'],
    ]);
  });

  it('writes times in China time, names, statuses in both languages, and numbers whole', () => {
    expect(table[1].slice(0, 10)).toEqual([
      '2026-11-22 23:59:58',
      '2026-11-23 00:00:01',
      'A1',
      'dm123',
      '4200001234567890123456789012',
      '',
      '前台 (T1)',
      'weishouyin',
      '微信',
      '已支付 / Paid',
    ]);
    expect(table[2][8]).toBe('mct1:Gone'); // a method no longer configured: its id
    expect(table[3][5]).toBe('SB-1001');
    expect(table[3][9]).toBe('已退款 / Refunded');
  });

  it('guards and quotes what came from outside', () => {
    expect(table[2][13]).toBe(`'=1+2, "declined"`);
    expect(csv).toContain(`"'=1+2, ""declined"""`);
  });

  it('names the file by the China time of the export', () => {
    expect(csvFileName(Date.parse('2026-11-23T06:05:00Z'))).toBe('订单-2026-11-23-1405.csv');
  });
});
