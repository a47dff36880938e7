import { afterEach, describe, expect, it } from 'vitest';
import { MemoryJobStore, PrintQueue, type QueueEvents } from '../../web/devices/printer/queue.ts';
import type { PrinterState } from '../../web/devices/printer/status.ts';
import { FakePrinter, STATUS } from './printer-fake.ts';

const FAST = { statusTimeoutMs: 20, holdPollMs: 15, idlePollMs: 15 };
const bytes = (...b: number[]) => Uint8Array.from(b);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(fn: () => boolean, ms = 2_000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(5);
  }
}

const queues: PrintQueue[] = [];
function queue(store = new MemoryJobStore(), events: QueueEvents = {}, opts = {}) {
  const q = new PrintQueue(store, events, { ...FAST, ...opts });
  queues.push(q);
  q.start();
  return q;
}
afterEach(() => {
  for (const q of queues.splice(0)) q.stop();
});

describe('print queue: never twice', () => {
  it('prints a job once, and a job id seen before is not added again', async () => {
    const store = new MemoryJobStore();
    const q = queue(store);
    const p = new FakePrinter();
    q.attach(p);
    expect(await q.enqueue({ id: 'receipt:A1', kind: 'receipt', label: 'A1', bytes: bytes(1, 2, 3) })).toBe(true);
    await until(() => p.printed.length === 1);
    expect(await q.enqueue({ id: 'receipt:A1', kind: 'receipt', label: 'A1', bytes: bytes(1, 2, 3) })).toBe(false);
    await sleep(60);
    expect(p.printed).toEqual([bytes(1, 2, 3)]);
    expect(await store.get('receipt:A1')).toMatchObject({ state: 'done', attempts: 1, bytes: new Uint8Array(0) });
  });

  it('does not print a done job again after a reload (a new queue over the same store)', async () => {
    const store = new MemoryJobStore();
    const first = queue(store);
    const p = new FakePrinter();
    first.attach(p);
    await first.enqueue({ id: 'receipt:B', kind: 'receipt', label: 'B', bytes: bytes(9) });
    await until(() => p.printed.length === 1);
    first.stop();

    const again = queue(store);
    const p2 = new FakePrinter();
    again.attach(p2);
    expect(await again.enqueue({ id: 'receipt:B', kind: 'receipt', label: 'B', bytes: bytes(9) })).toBe(false);
    await sleep(60);
    expect(p2.printed).toHaveLength(0);
  });

  it('prints again only when asked: a reprint is a new job', async () => {
    const q = queue();
    const p = new FakePrinter();
    q.attach(p);
    await q.enqueue({ id: 'receipt:C', kind: 'receipt', label: 'C', bytes: bytes(7) });
    await q.enqueue({ id: 'reprint:C:1', kind: 'reprint', label: 'C', bytes: bytes(7) });
    await until(() => p.printed.length === 2);
    await sleep(40);
    expect(p.printed).toHaveLength(2);
  });

  it('prints one job at a time, in the order they came', async () => {
    const q = queue();
    const p = new FakePrinter();
    for (const n of [1, 2, 3]) await q.enqueue({ id: `j${n}`, kind: 'test', label: '', bytes: bytes(n) });
    q.attach(p);
    await until(() => p.printed.length === 3);
    expect(p.printed.map((b) => b[0])).toEqual([1, 2, 3]);
  });

  it('resends a job interrupted mid-write only once the printer is back and reports good', async () => {
    const store = new MemoryJobStore();
    let broken = 0;
    const q = queue(store, { onBroken: () => broken++ });
    const p = new FakePrinter();
    p.unplugOnNextWrite = true;
    q.attach(p);
    await q.enqueue({ id: 'receipt:D', kind: 'receipt', label: 'D', bytes: bytes(4, 4) });
    await until(() => broken === 1);
    expect(await store.get('receipt:D')).toMatchObject({ state: 'printing', attempts: 1 });
    expect(q.state).toBe('offline');

    // Plugged back in, but the paper ran out meanwhile: still held.
    const back = new FakePrinter();
    back.status = { ...STATUS.paperOut };
    q.attach(back);
    await sleep(80);
    expect(back.printed).toHaveLength(0);
    expect(q.state).toBe('paper-out');

    back.status = { ...STATUS.ok };
    await until(() => back.printed.length === 1);
    await sleep(40);
    expect(back.printed).toEqual([bytes(4, 4)]);
    expect(await store.get('receipt:D')).toMatchObject({ state: 'done', attempts: 2 });
  });

  it('resends a job left printing by a closed tab only after the printer answers', async () => {
    const store = new MemoryJobStore();
    await store.add({ id: 'receipt:E', kind: 'receipt', label: 'E', bytes: bytes(5), state: 'printing', seq: 1, createdAt: '', attempts: 1 });
    const q = queue(store);
    const p = new FakePrinter();
    p.answers = false; // switched off
    q.attach(p);
    await sleep(80);
    expect(p.printed).toHaveLength(0);
    expect(q.state).toBe('offline');
    p.answers = true;
    await until(() => p.printed.length === 1);
    expect(await store.get('receipt:E')).toMatchObject({ state: 'done', attempts: 2 });
  });

  it('a cancelled job is not printed', async () => {
    const q = queue();
    await q.enqueue({ id: 'x', kind: 'test', label: '', bytes: bytes(1) });
    expect(await q.cancel('x')).toBe(true);
    const p = new FakePrinter();
    q.attach(p);
    await sleep(60);
    expect(p.printed).toHaveLength(0);
  });
});

describe('print queue: held while the printer cannot print', () => {
  it('holds a job while the paper is out and prints it when paper is back', async () => {
    const states: PrinterState[] = [];
    const q = queue(new MemoryJobStore(), { onState: (s) => states.push(s) });
    const p = new FakePrinter();
    p.status = { ...STATUS.paperOut };
    q.attach(p);
    await q.enqueue({ id: 'receipt:F', kind: 'receipt', label: 'F', bytes: bytes(6) });
    await sleep(100);
    expect(p.printed).toHaveLength(0);
    expect(q.state).toBe('paper-out');

    p.status = { ...STATUS.ok };
    await until(() => p.printed.length === 1);
    expect(q.state).toBe('ready');
    expect(states).toContain('paper-out');
  });

  it('holds while the cover is open, and while the printer does not answer', async () => {
    const q = queue();
    const p = new FakePrinter();
    p.status = { ...STATUS.coverOpen };
    q.attach(p);
    await q.enqueue({ id: 'g', kind: 'test', label: '', bytes: bytes(1) });
    await until(() => q.state === 'cover-open');
    p.answers = false;
    await until(() => q.state === 'offline');
    expect(p.printed).toHaveLength(0);
    p.answers = true;
    p.status = { ...STATUS.ok };
    await until(() => p.printed.length === 1);
  });

  it('prints blind when status checks are off, and on a link that cannot read', async () => {
    const q = queue(new MemoryJobStore(), {}, { requireStatus: false });
    const p = new FakePrinter();
    p.answers = false;
    q.attach(p);
    await q.enqueue({ id: 'h', kind: 'test', label: '', bytes: bytes(1) });
    await until(() => p.printed.length === 1);

    const q2 = queue();
    const usb = new FakePrinter();
    usb.info = { ...usb.info, kind: 'usb', canRead: false };
    q2.attach(usb);
    await q2.enqueue({ id: 'i', kind: 'test', label: '', bytes: bytes(2) });
    await until(() => usb.printed.length === 1);
    expect(usb.asked).toEqual([]);
  });

  it('keeps jobs while no printer is attached and shows offline once configured', async () => {
    const q = queue();
    q.configured = true;
    expect(q.state).toBe('offline');
    await q.enqueue({ id: 'k', kind: 'test', label: '', bytes: bytes(3) });
    await sleep(40);
    const p = new FakePrinter();
    q.attach(p);
    await until(() => p.printed.length === 1);
    q.detach();
    expect(q.state).toBe('offline');
  });
});
