import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  autoUpdateHold,
  CHECK_EVERY_MS,
  HOLD_TEXT,
  IDLE_TICK_MS,
  QUIET_MS,
  reloadHold,
  UpdateScheduler,
  type TerminalActivity,
} from '../../web/data/update-policy.ts';

/** An empty amount screen, nothing in the outbox, nobody at the till for two minutes. */
const IDLE: TerminalActivity = {
  view: 'checkout',
  phase: 'amount',
  paymentFinal: false,
  amountText: '',
  billText: '',
  submitting: false,
  unfinished: 0,
  quietMs: 2 * QUIET_MS,
};

describe('the idle rule for applying an update', () => {
  it('an idle terminal updates', () => {
    expect(autoUpdateHold(IDLE)).toBeNull();
    expect(reloadHold(IDLE)).toBeNull();
  });

  it('never in the middle of a payment: on screen, being sent, or anywhere in the outbox', () => {
    expect(autoUpdateHold({ ...IDLE, phase: 'payment', paymentFinal: false })).toBe('payment');
    expect(autoUpdateHold({ ...IDLE, submitting: true })).toBe('payment');
    expect(autoUpdateHold({ ...IDLE, unfinished: 1 })).toBe('outbox');
    // The manager's button obeys the same part of the rule.
    expect(reloadHold({ ...IDLE, phase: 'payment', paymentFinal: false })).toBe('payment');
    expect(reloadHold({ ...IDLE, submitting: true })).toBe('payment');
    expect(reloadHold({ ...IDLE, unfinished: 2 })).toBe('outbox');
  });

  it('by itself only on the empty amount screen of the checkout, after a quiet minute', () => {
    expect(autoUpdateHold({ ...IDLE, phase: 'scan', amountText: '12.34' })).toBe('screen');
    expect(autoUpdateHold({ ...IDLE, phase: 'payment', paymentFinal: true })).toBe('screen');
    expect(autoUpdateHold({ ...IDLE, view: 'orders' })).toBe('screen');
    expect(autoUpdateHold({ ...IDLE, amountText: '1' })).toBe('sale');
    expect(autoUpdateHold({ ...IDLE, billText: 'SB-1001' })).toBe('sale');
    expect(autoUpdateHold({ ...IDLE, quietMs: QUIET_MS - 1 })).toBe('busy');
    expect(autoUpdateHold({ ...IDLE, quietMs: 10 }, 5)).toBeNull();
  });

  it('a manager may apply it at once when no payment is in progress (a paid screen, an amount keyed)', () => {
    expect(reloadHold({ ...IDLE, phase: 'payment', paymentFinal: true })).toBeNull();
    expect(reloadHold({ ...IDLE, phase: 'scan', amountText: '5', quietMs: 0 })).toBeNull();
    expect(reloadHold({ ...IDLE, view: 'orders' })).toBeNull();
  });

  it('says why, zh-CN first', () => {
    for (const text of Object.values(HOLD_TEXT)) expect(text).toMatch(/^[\u4e00-\u9fff].* \/ [A-Z]/);
  });
});

describe('UpdateScheduler', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function setup(initial: Partial<TerminalActivity> = {}) {
    let now: TerminalActivity = { ...IDLE, ...initial };
    const calls = { check: 0, apply: 0, reload: 0 };
    let online = true;
    const s = new UpdateScheduler({
      check: async () => void calls.check++,
      activity: async () => now,
      apply: async () => void calls.apply++,
      reload: () => void calls.reload++,
      online: () => online,
    });
    return {
      s,
      calls,
      set: (a: Partial<TerminalActivity>) => (now = { ...now, ...a }),
      offline: () => (online = false),
    };
  }

  it('asks the server for a new version every 30 minutes, not while the browser is offline', async () => {
    const t = setup();
    t.s.start();
    await vi.advanceTimersByTimeAsync(CHECK_EVERY_MS - 1);
    expect(t.calls.check).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.calls.check).toBe(1);
    t.offline();
    await vi.advanceTimersByTimeAsync(CHECK_EVERY_MS);
    expect(t.calls.check).toBe(1);
    t.s.stop();
  });

  it('a waiting version is applied at once on an idle terminal, once', async () => {
    const t = setup();
    expect(await t.s.waiting()).toBe(true);
    expect(await t.s.tick()).toBe(false);
    expect(t.calls.apply).toBe(1);
  });

  it('during a payment it waits, and applies on the first idle tick after it', async () => {
    const t = setup({ phase: 'payment', paymentFinal: false, unfinished: 1, quietMs: 0 });
    t.s.start();
    expect(await t.s.waiting()).toBe(false);
    await vi.advanceTimersByTimeAsync(5 * IDLE_TICK_MS);
    expect(t.calls.apply).toBe(0);

    // Paid, but still on the paid screen: not by itself.
    t.set({ paymentFinal: true, unfinished: 0 });
    await vi.advanceTimersByTimeAsync(IDLE_TICK_MS);
    expect(t.calls.apply).toBe(0);
    // "New sale": an empty amount screen, then a quiet minute.
    t.set({ phase: 'amount', paymentFinal: false });
    await vi.advanceTimersByTimeAsync(IDLE_TICK_MS);
    expect(t.calls.apply).toBe(0);
    t.set({ quietMs: QUIET_MS });
    await vi.advanceTimersByTimeAsync(IDLE_TICK_MS);
    expect(t.calls.apply).toBe(1);
    await vi.advanceTimersByTimeAsync(5 * IDLE_TICK_MS);
    expect(t.calls.apply).toBe(1);
    t.s.stop();
  });

  it('the button applies at once when no payment is in progress, and refuses (saying why) when one is', async () => {
    const t = setup({ phase: 'scan', amountText: '9.99', quietMs: 0 });
    await t.s.waiting();
    expect(t.calls.apply).toBe(0); // the cashier is keying a sale
    t.set({ phase: 'payment', paymentFinal: false, unfinished: 1 });
    expect(await t.s.applyNow()).toBe('payment');
    expect(t.calls.apply).toBe(0);
    t.set({ paymentFinal: true, unfinished: 0 });
    expect(await t.s.applyNow()).toBeNull();
    expect(t.calls.apply).toBe(1);
  });

  it('a new version that took control (another tab applied it) reloads only once no payment is on screen', async () => {
    const t = setup({ phase: 'payment', paymentFinal: false, unfinished: 1 });
    t.s.start();
    expect(await t.s.controlled()).toBe(false);
    await vi.advanceTimersByTimeAsync(3 * IDLE_TICK_MS);
    expect(t.calls.reload).toBe(0);
    t.set({ paymentFinal: true, unfinished: 0 });
    await vi.advanceTimersByTimeAsync(IDLE_TICK_MS);
    expect(t.calls.reload).toBe(1);
    await vi.advanceTimersByTimeAsync(3 * IDLE_TICK_MS);
    expect(t.calls.reload).toBe(1); // stopped
  });

  it('a failed check or apply is tried again later', async () => {
    let fail = true;
    let applied = 0;
    const s = new UpdateScheduler({
      check: async () => {
        throw new Error('offline');
      },
      activity: async () => IDLE,
      apply: async () => {
        if (fail) throw new Error('no waiting worker yet');
        applied++;
      },
      reload: () => {},
    });
    await expect(s.check()).resolves.toBeUndefined();
    expect(await s.waiting()).toBe(false);
    fail = false;
    expect(await s.tick()).toBe(true);
    expect(applied).toBe(1);
  });
});
