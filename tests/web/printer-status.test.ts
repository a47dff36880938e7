import { describe, expect, it } from 'vitest';
import { canPrint, decodeStatus, isStatusByte, stateOf, statusRequest } from '../../web/devices/printer/status.ts';
import { readStatus } from '../../web/devices/printer/transport.ts';
import { FakePrinter, STATUS } from './printer-fake.ts';

describe('DLE EOT status decoding', () => {
  it('asks with DLE EOT n', () => {
    expect([...statusRequest(1)]).toEqual([0x10, 0x04, 0x01]);
    expect([...statusRequest(4)]).toEqual([0x10, 0x04, 0x04]);
  });

  it('tells status bytes (0xx1xx10) from other bytes on the line', () => {
    expect(isStatusByte(0x12)).toBe(true); // all clear
    expect(isStatusByte(0x1a)).toBe(true); // offline
    expect(isStatusByte(0x7e)).toBe(true); // paper sensor: everything set
    expect(isStatusByte(0x11)).toBe(false); // XON
    expect(isStatusByte(0x13)).toBe(false); // XOFF
    expect(isStatusByte(0x00)).toBe(false);
    expect(isStatusByte(0x92)).toBe(false); // bit 7 set
  });

  it('reads a printer that is online with paper as ready', () => {
    const s = decodeStatus({ printer: 0x12, paper: 0x12 });
    expect(s).toMatchObject({ offline: false, coverOpen: false, paperOut: false, paperNearEnd: false, error: false });
    expect(stateOf(s)).toBe('ready');
    expect(canPrint(s)).toBe(true);
  });

  it('n=1 bit 3: offline', () => {
    expect(decodeStatus({ printer: 0x1a }).offline).toBe(true);
    expect(stateOf(decodeStatus({ printer: 0x1a, offlineCause: 0x12 }))).toBe('offline');
  });

  it('n=2: cover open (bit 2), paper end stop (bit 5), error (bit 6), feed button (bit 3)', () => {
    expect(stateOf(decodeStatus({ printer: 0x1a, offlineCause: 0x16 }))).toBe('cover-open');
    expect(stateOf(decodeStatus({ printer: 0x1a, offlineCause: 0x32 }))).toBe('paper-out');
    expect(stateOf(decodeStatus({ printer: 0x1a, offlineCause: 0x52 }))).toBe('error');
    expect(decodeStatus({ printer: 0x1a, offlineCause: 0x1a }).feeding).toBe(true);
    // Changing the roll: cover open and paper out together — the cover is the thing to fix first.
    expect(stateOf(decodeStatus({ printer: 0x1a, offlineCause: 0x36, paper: 0x72 }))).toBe('cover-open');
  });

  it('n=3: autocutter and unrecoverable errors', () => {
    const s = decodeStatus({ printer: 0x1a, offlineCause: 0x52, errorCause: 0x1a });
    expect(s).toMatchObject({ error: true, cutterError: true, unrecoverable: false });
    expect(decodeStatus({ printer: 0x1a, offlineCause: 0x52, errorCause: 0x32 }).unrecoverable).toBe(true);
  });

  it('n=4: near end (bits 2-3) still prints; paper end (bits 5-6) holds', () => {
    const near = decodeStatus({ printer: 0x12, paper: 0x1e });
    expect(near).toMatchObject({ paperNearEnd: true, paperOut: false });
    expect(canPrint(near)).toBe(true);
    const out = decodeStatus({ printer: 0x12, paper: 0x72 });
    expect(out.paperOut).toBe(true);
    expect(stateOf(out)).toBe('paper-out');
  });

  it('reads the status over a link: n=2 only when offline, n=4 every time', async () => {
    const p = new FakePrinter();
    expect(stateOf((await readStatus(p, 50))!)).toBe('ready');
    expect(p.asked).toEqual([1, 4]);
    p.asked = [];
    p.status = { ...STATUS.paperOut };
    expect(stateOf((await readStatus(p, 50))!)).toBe('paper-out');
    expect(p.asked).toEqual([1, 2, 4]);
  });

  it('skips stray bytes (XON) before the answer, and gives null when nothing answers', async () => {
    const p = new FakePrinter();
    p.noise = [0x11];
    expect(stateOf((await readStatus(p, 50))!)).toBe('ready');
    p.answers = false;
    expect(await readStatus(p, 30)).toBeNull();
  });
});
