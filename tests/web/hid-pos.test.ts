import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  decodeGuessed,
  decodeWithLayout,
  HidPosReader,
  layoutsOf,
  textOf,
  type HidCollectionLike,
} from '../../web/devices/scanner/hid-pos.ts';
import { HONEYWELL_COLLECTIONS, scannedDataReports } from './hid-fixtures.ts';

const u8 = (b: number[]) => Uint8Array.from(b);

function reader(collections?: HidCollectionLike[]) {
  const codes: { code: string; aim?: string }[] = [];
  const r = new HidPosReader(collections, (code, aim) => codes.push(aim ? { code, aim } : { code }), 200);
  return { r, codes };
}

afterEach(() => vi.useRealTimers());

describe('HID POS report layout from the report descriptor', () => {
  it('finds byte count, symbology, data and the continued flag by their usages', () => {
    const l = layoutsOf(HONEYWELL_COLLECTIONS).get(2);
    expect(l).toEqual({ byteCount: 0, symbology: [1, 2, 3], data: 4, dataBytes: 56, continued: { byte: 62, bit: 0 } });
  });

  it('reads a variant with no byte count, fields in another order, a longer data field and a usage range', () => {
    const variant: HidCollectionLike[] = [
      {
        usagePage: 0x8c,
        usage: 0x02,
        inputReports: [
          {
            reportId: 5,
            items: [
              { usages: [0x008c_00ff], reportSize: 1, reportCount: 1 },
              { usages: [], reportSize: 7, reportCount: 1 }, // padding
              { isRange: true, usageMinimum: 0x008c_00fb, usageMaximum: 0x008c_00fd, reportSize: 8, reportCount: 3 },
              { usages: [0x008c_00fe], reportSize: 8, reportCount: 64 },
            ],
          },
        ],
      },
    ];
    const l = layoutsOf(variant).get(5)!;
    expect(l).toEqual({ symbology: [1, 2, 3], data: 4, dataBytes: 64, continued: { byte: 0, bit: 0 } });
    const report = new Array(68).fill(0);
    report.splice(1, 3, 0x5d, 0x51, 0x31); // ]Q1
    [...'130000000000000001'].forEach((c, i) => (report[4 + i] = c.charCodeAt(0)));
    expect(decodeWithLayout(u8(report), l)).toMatchObject({ aim: ']Q1', continued: false });
    expect(textOf(decodeWithLayout(u8(report), l)!.bytes)).toBe('130000000000000001'); // zero padding cut
  });

  it('has no layout for a descriptor without Decoded Data', () => {
    expect(layoutsOf([{ usagePage: 0x8c, inputReports: [{ reportId: 4, items: [{ usages: [0x008c_0060], reportSize: 8, reportCount: 1 }] }] }]).size).toBe(0);
    expect(layoutsOf(undefined).size).toBe(0);
  });
});

describe('HID POS scanned data reports', () => {
  it('decodes a recorded EAN-13 report: byte count, ]E0 and the code', () => {
    const [report] = scannedDataReports('6902890227670', ']E0');
    expect(report.length).toBe(63);
    expect(report.slice(0, 6)).toEqual([13, 0x5d, 0x45, 0x30, 0x36, 0x39]); // 13, ']', 'E', '0', '6', '9'
    const { r, codes } = reader(HONEYWELL_COLLECTIONS);
    r.report(2, u8(report));
    expect(codes).toEqual([{ code: '6902890227670', aim: ']E0' }]);
  });

  it('joins a code split over two reports (Decode Data Continued)', () => {
    const gs1 = '0106902890227670\x1d10BATCH-2026-11-23-A\x1d21SERIAL000000000000000000000000012345';
    expect(gs1.length).toBeGreaterThan(56);
    const reports = scannedDataReports(gs1, ']C1');
    expect(reports.length).toBe(2);
    expect(reports[0][0]).toBe(56);
    expect(reports[0][62] & 1).toBe(1);
    expect(reports[1][62] & 1).toBe(0);
    const { r, codes } = reader(HONEYWELL_COLLECTIONS);
    r.report(2, new DataView(u8(reports[0]).buffer)); // WebHID hands a DataView
    expect(codes).toEqual([]);
    r.report(2, new DataView(u8(reports[1]).buffer));
    expect(codes).toEqual([{ code: gs1, aim: ']C1' }]);
  });

  it('drops half a code when its last report never comes, and reads the next code whole', () => {
    vi.useFakeTimers();
    const { r, codes } = reader(HONEYWELL_COLLECTIONS);
    const [first] = scannedDataReports('x'.repeat(80), ']Q1');
    r.report(2, u8(first));
    vi.advanceTimersByTime(250);
    for (const rep of scannedDataReports('130000000000000001', ']C0')) r.report(2, u8(rep));
    expect(codes).toEqual([{ code: '130000000000000001', aim: ']C0' }]);
  });

  it('ignores reports the descriptor does not name as scanned data (trigger, status)', () => {
    const { r, codes } = reader(HONEYWELL_COLLECTIONS);
    r.report(4, u8(scannedDataReports('6902890227670')[0]));
    expect(codes).toEqual([]);
  });

  it('reads Chinese text from a 2D code in UTF-8, and in GBK when it is not UTF-8', () => {
    const { r, codes } = reader(HONEYWELL_COLLECTIONS);
    r.report(2, u8(scannedDataReports('会员 8866', ']Q1')[0]));
    const gbk = [0xbb, 0xe1, 0xd4, 0xb1]; // 会员 in GBK
    r.report(2, u8(scannedDataReports(gbk, ']Q1')[0]));
    expect(codes.map((c) => c.code)).toEqual(['会员 8866', '会员']);
  });
});

describe('HID POS reports without a usable descriptor (guessed layout)', () => {
  it('reads the byte-count layout', () => {
    const [rep] = scannedDataReports('6902890227670', ']E0');
    expect(decodeGuessed(u8(rep))).toMatchObject({ aim: ']E0', continued: false });
    const { r, codes } = reader(undefined);
    r.report(2, u8(rep));
    expect(codes).toEqual([{ code: '6902890227670', aim: ']E0' }]);
  });

  it('reads the variant without a byte count (AIM identifier first, zero-padded, flags last)', () => {
    const rep = new Array(60).fill(0);
    rep.splice(0, 3, 0x5d, 0x45, 0x34); // ]E4: EAN-8
    [...'69012341'].forEach((c, i) => (rep[3 + i] = c.charCodeAt(0)));
    const { r, codes } = reader([]);
    r.report(1, u8(rep));
    expect(codes).toEqual([{ code: '69012341', aim: ']E4' }]);
  });

  it('joins a split code in the guessed layout too, and refuses a byte count larger than the report', () => {
    const { r, codes } = reader();
    for (const rep of scannedDataReports('A'.repeat(60))) r.report(2, u8(rep));
    expect(codes).toEqual([{ code: 'A'.repeat(60), aim: ']E0' }]);
    const bad = scannedDataReports('123')[0];
    bad[0] = 70;
    expect(decodeGuessed(u8(bad))).toBeNull();
    expect(decodeGuessed(u8([1, 2]))).toBeNull();
  });

  it('takes a report with no symbology identifier', () => {
    const { r, codes } = reader();
    r.report(2, u8(scannedDataReports('280000000000000001', '\0\0\0')[0]));
    expect(codes).toEqual([{ code: '280000000000000001' }]);
  });
});
