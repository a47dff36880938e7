/**
 * The fault matrix (issue 7), proxy side: a barcode payment through each provider, with the provider
 * failing at each point, over real HTTP on loopback. Every cell has a store of its own (in memory,
 * in-process sandbox), so a queued fault and the provider's books belong to that cell alone, and
 * the cells run side by side.
 *
 * After recovery every cell asserts the three views agree — the ledger, the provider's own books
 * (its sandbox back office) and what the cashier is shown (`GET /api/payments/:outNo`, the status the
 * screen renders) — that the provider charged exactly once or not at all, and that the pay call
 * went to the provider exactly once (a lost answer is asked about, never re-sent).
 *
 * Cells, for each of 微收银 (weishouyin), mct1, kioskv5, posmini:
 *   (b) stored, the provider call not executed: the provider hangs / answers 5xx / answers garbage
 *       → `unknown` at once, then `failed`, nothing charged.
 *   (c) the provider charged, its answer lost: connection dropped / answer cut in half / (mct1) the
 *       answer's signature does not verify → `unknown` at once, then `paid`, charged once.
 *       kioskv5 also: the create call's answer lost → `failed`, its record never paid.
 *   (d) the customer is entering the password: the polls hang / 5xx / garbage / drop → still `paid`
 *       once; the customer never confirms → mct1 `cancelled` at the provider, the others voided
 *       (`failed`); the customer pays after the void → refunded automatically (微收银, mct1 with its
 *       cancel failing), or (kioskv5, posmini: no refund call) `paid`, flagged for a manual refund;
 *       the cashier cancels → the same as the time limit.
 *   (e) a refund (微收银, mct1): its answer lost (drop / cut / bad signature) → `refunded` once; the
 *       call not executed (hang / 5xx / garbage) → refund `failed`, the money not moved, the payment
 *       still refundable; the same refund number again → the same refund, never sent twice; the
 *       automatic refund of a late payment with its answer lost → refunded once.
 *       kioskv5, posmini: 501, nothing moved.
 *   known failures of other POS systems: the same outNo sent again while the first is in flight,
 *   and after it committed (a client timeout, then a re-sync) → one provider call, one charge; an
 *   outNo or refund number used again for something else → 409, nothing charged.
 */
import { describe, expect, it } from 'vitest';
import type { RunningStore } from '../../proxy/server.ts';
import {
  TRAITS,
  charges,
  customerPays,
  injectFault,
  newSalesBill,
  queuedFaults,
  readBooks,
  type ProviderName,
  type ProviderTraits,
} from '../helpers/sandbox-books.ts';
import { freshWechatCode, newOutNo, pair, startTestStore, waitFor, type Client } from '../helpers/store.ts';

const PROVIDERS: ProviderName[] = ['weishouyin', 'mct1', 'kioskv5', 'posmini'];
const WITH_REFUNDS = PROVIDERS.filter((p) => TRAITS[p].refundOp);
const WITHOUT_REFUNDS = PROVIDERS.filter((p) => !TRAITS[p].refundOp);

/** The sandbox's "waits for the password" codes (README "Sandbox payment codes"). */
const PASSWORD_THEN_PAID = '130000000000000002';
const PASSWORD_FOREVER = '130000000000000006';

type Overrides = NonNullable<Parameters<typeof startTestStore>[0]>;

interface Cell {
  p: ProviderName;
  t: ProviderTraits;
  store: RunningStore;
  base: string;
  cashier: Client;
  manager: Client;
}

/** Runs one cell on a store of its own with only `p` on. */
async function withStore(p: ProviderName, over: Overrides, fn: (cell: Cell) => Promise<void>): Promise<void> {
  const store = await startTestStore({ providers: [p], ...over });
  try {
    const cell = { p, t: TRAITS[p], store, base: store.url, cashier: await pair(store, 'cashier'), manager: await pair(store, 'manager') };
    await fn(cell);
  } finally {
    await store.close();
  }
}

/** A barcode payment as the PWA sends it (method named, posmini on a fresh sales bill). */
async function pay(cell: Cell, authCode: string, amountFen: number): Promise<{ outNo: string; status: number; view: Record<string, any> }> {
  const outNo = newOutNo('F');
  const body: Record<string, unknown> = { outNo, amountFen, authCode, method: cell.t.method };
  if (cell.t.needsBill) body.billNo = await newSalesBill(cell.base, amountFen);
  const r = await cell.cashier.post('/api/payments', body);
  return { outNo, status: r.status, view: r.body };
}

/** What the cashier's screen is shown once the proxy has settled the payment (polling as the PWA does). */
async function settled(cell: Cell, outNo: string, statuses: string[], timeoutMs = 15_000): Promise<Record<string, any>> {
  let last: unknown;
  try {
    return await waitFor(async () => {
      const r = await cell.cashier.get(`/api/payments/${outNo}`);
      last = r.body;
      return statuses.includes(r.body.status) ? r.body : undefined;
    }, timeoutMs, 100);
  } catch {
    throw new Error(`${cell.p} ${outNo}: never reached ${statuses.join('|')}; last seen ${JSON.stringify(last)}`);
  }
}

/**
 * The cell's guarantee: ledger, provider's books and the cashier's view agree; the provider charged
 * `charged` times (0 or 1) for this amount; the pay call went out once.
 */
async function expectAgreement(cell: Cell, outNo: string, want: { status: string; charged: 0 | 1; refundedFen?: number; refunds?: number; amountFen: number }) {
  const ledger = cell.store.ledger.getPayment(outNo)!;
  const shown = (await cell.cashier.get(`/api/payments/${outNo}`)).body;
  const books = await readBooks(cell.base, cell.p);
  const charged = books.filter((e) => e.charged);
  const context = `${cell.p} ${outNo}: ledger ${JSON.stringify(ledger)} books ${JSON.stringify(books)}`;

  expect(ledger.status, context).toBe(want.status);
  expect(shown.status, context).toBe(want.status);
  expect(charged, context).toHaveLength(want.charged);
  if (want.charged === 1) {
    expect(charged[0].amountFen, context).toBe(want.amountFen);
    expect(charged[0].key, context).toBe(ledger.providerRef);
    if (charged[0].outNo !== undefined) expect(charged[0].outNo, context).toBe(outNo);
    expect(charged[0].refundedFen, context).toBe(want.refundedFen ?? 0);
    expect(charged[0].refunds, context).toBe(want.refunds ?? (want.refundedFen ? 1 : 0));
  }
  expect(ledger.refundedFen, context).toBe(want.refundedFen ?? 0);
  expect(shown.refundedFen ?? 0, context).toBe(want.refundedFen ?? 0);
  expect(cell.store.ledger.calls(outNo).filter((c) => c.op === cell.t.payCall), context).toHaveLength(1);
  expect(await queuedFaults(cell.base, cell.p), `${cell.p}: the injected fault was taken`).toEqual([]);
}

const PAYING_SLOW = { timing: { payingTimeoutMs: 10_000 } };

describe.concurrent('(b) stored, then the provider call fails without executing: unknown, then failed, nothing charged', () => {
  const cells = PROVIDERS.flatMap((p) => (['hang', '5xx', 'garbage'] as const).map((fault) => [p, fault] as const));
  it.each(cells)('%s: the pay call %s', async (p, fault) => {
    await withStore(p, {}, async (cell) => {
      await injectFault(cell.base, p, cell.t.payOp, fault);
      const { outNo, status, view } = await pay(cell, freshWechatCode(), 1501);
      expect(status).toBe(200);
      // The cashier is told the truth at once: not known yet, do not charge again.
      expect(view.status).toBe('unknown');
      expect(view.message).toContain('请勿重复收款');
      expect(cell.store.ledger.getPayment(outNo)?.status).toBe('unknown');
      await settled(cell, outNo, ['failed', 'paid', 'cancelled', 'refunded']);
      await expectAgreement(cell, outNo, { status: 'failed', charged: 0, amountFen: 1501 });
    });
  });
});

describe.concurrent('(c) the provider charged, its answer lost: unknown, then paid, charged once', () => {
  const cells = PROVIDERS.flatMap((p) => ['drop', ...TRAITS[p].spoilFaults].map((fault) => [p, fault] as const));
  it.each(cells)('%s: the pay call executed, then %s', async (p, fault) => {
    await withStore(p, {}, async (cell) => {
      await injectFault(cell.base, p, cell.t.payOp, fault);
      const { outNo, view } = await pay(cell, freshWechatCode(), 2302);
      expect(view.status).toBe('unknown');
      expect(view.message).toContain('请勿重复收款');
      await settled(cell, outNo, ['paid', 'failed', 'cancelled', 'refunded']);
      await expectAgreement(cell, outNo, { status: 'paid', charged: 1, amountFen: 2302 });
    });
  });

  it('kioskv5: the create call executed, its answer lost: the record is found by its oid and was never paid', async () => {
    await withStore('kioskv5', {}, async (cell) => {
      await injectFault(cell.base, 'kioskv5', 'create', 'drop');
      const outNo = newOutNo('F');
      const r = await cell.cashier.post('/api/payments', { outNo, amountFen: 777, authCode: freshWechatCode(), method: cell.t.method });
      expect(r.body.status).toBe('unknown');
      const shown = await settled(cell, outNo, ['paid', 'failed', 'cancelled']);
      expect(shown.status).toBe('failed');
      expect(shown.message).toContain('顾客未被扣款');
      const books = await readBooks(cell.base, 'kioskv5');
      expect(books).toHaveLength(1); // one record for the oid, made by the lost create, never paid
      expect(books[0]).toMatchObject({ outNo, charged: false });
      expect(cell.store.ledger.calls(outNo).filter((c) => c.op === 'pay_pay_record')).toEqual([]);
    });
  });
});

describe.concurrent('(d) while the customer enters the password', () => {
  const queryFaults = PROVIDERS.flatMap((p) => (['hang', '5xx', 'garbage', 'drop'] as const).map((fault) => [p, fault] as const));
  it.each(queryFaults)('%s: two polls %s, the customer confirms: paid once', async (p, fault) => {
    await withStore(p, PAYING_SLOW, async (cell) => {
      await injectFault(cell.base, p, cell.t.queryOp, fault, 2);
      const { outNo, view } = await pay(cell, PASSWORD_THEN_PAID, 3303);
      expect(['paying', 'unknown']).toContain(view.status);
      await settled(cell, outNo, ['paid', 'failed', 'cancelled', 'refunded']);
      await expectAgreement(cell, outNo, { status: 'paid', charged: 1, amountFen: 3303 });
    });
  });

  it.each(PROVIDERS)('%s: the customer never confirms: cancelled where the provider can, else voided; nothing charged', async (p) => {
    await withStore(p, {}, async (cell) => {
      const { outNo, view } = await pay(cell, PASSWORD_FOREVER, 4404);
      expect(['paying', 'unknown']).toContain(view.status);
      const shown = await settled(cell, outNo, ['paid', 'failed', 'cancelled', 'refunded']);
      const want = cell.t.cancels ? 'cancelled' : 'failed';
      expect(shown.message).toMatch(/未被扣款|自动退款/);
      await expectAgreement(cell, outNo, { status: want, charged: 0, amountFen: 4404 });
    });
  });

  it.each(PROVIDERS)('%s: the cashier cancels while the customer is typing: nothing charged', async (p) => {
    await withStore(p, PAYING_SLOW, async (cell) => {
      const { outNo } = await pay(cell, PASSWORD_FOREVER, 4405);
      await settled(cell, outNo, ['paying']);
      const r = await cell.cashier.post(`/api/payments/${outNo}/cancel`);
      expect(r.status).toBe(200);
      const want = cell.t.cancels ? 'cancelled' : 'failed';
      expect(r.body.status).toBe(want);
      await expectAgreement(cell, outNo, { status: want, charged: 0, amountFen: 4405 });
    });
  });

  it.each(WITH_REFUNDS)('%s: the customer pays after the sale was voided (mct1: its cancel failing): refunded in full, once', async (p) => {
    await withStore(p, {}, async (cell) => {
      if (p === 'mct1') await injectFault(cell.base, p, 'paycancel', '5xx');
      const { outNo } = await pay(cell, PASSWORD_FOREVER, 5505);
      const voided = await settled(cell, outNo, ['paid', 'failed', 'cancelled', 'refunded']);
      expect(voided.status).toBe('failed');
      expect(await charges(cell.base, p)).toEqual([]);
      const ref = cell.store.ledger.getPayment(outNo)!.providerRef ?? outNo;
      expect(await customerPays(cell.base, p, ref)).toBe(200);
      const shown = await settled(cell, outNo, ['refunded']);
      expect(shown.message).toContain('自动全额退款');
      await expectAgreement(cell, outNo, { status: 'refunded', charged: 1, refundedFen: 5505, amountFen: 5505 });
    });
  });

  it('mct1: a payment cancelled at the provider cannot be paid late', async () => {
    await withStore('mct1', {}, async (cell) => {
      const { outNo } = await pay(cell, PASSWORD_FOREVER, 5506);
      await settled(cell, outNo, ['cancelled']);
      expect(await customerPays(cell.base, 'mct1', outNo)).toBe(409);
      await expectAgreement(cell, outNo, { status: 'cancelled', charged: 0, amountFen: 5506 });
    });
  });

  it.each(WITHOUT_REFUNDS)('%s (no refund call): the customer pays after the void: booked paid, flagged for a refund by hand', async (p) => {
    await withStore(p, {}, async (cell) => {
      const { outNo } = await pay(cell, PASSWORD_FOREVER, 5507);
      expect((await settled(cell, outNo, ['paid', 'failed', 'cancelled', 'refunded'])).status).toBe('failed');
      const ref = cell.store.ledger.getPayment(outNo)!.providerRef!;
      expect(await customerPays(cell.base, p, ref)).toBe(200);
      const shown = await settled(cell, outNo, ['paid']);
      // The money is at the store and cannot go back through this backend: say so, and stop asking.
      expect(shown.message).toContain('人工退款');
      await waitFor(() => cell.store.ledger.getPayment(outNo)!.nextCheckAt === undefined, 5_000);
      await expectAgreement(cell, outNo, { status: 'paid', charged: 1, amountFen: 5507 });
    });
  });
});

describe.concurrent('(e) during a refund', () => {
  /** A paid payment of `amountFen`, and the refund call with `fault`. */
  async function refundWith(cell: Cell, fault: string | undefined, amountFen: number) {
    const { outNo, view } = await pay(cell, freshWechatCode(), amountFen);
    expect(view.status).toBe('paid');
    if (fault) await injectFault(cell.base, cell.p, cell.t.refundOp!, fault);
    const refundNo = newOutNo('R');
    const r = await cell.manager.post(`/api/payments/${outNo}/refunds`, { refundNo, amountFen, reason: 'fault matrix' });
    return { outNo, refundNo, r };
  }
  const refundCalls = (cell: Cell, outNo: string) => cell.store.ledger.calls(outNo).filter((c) => c.op.includes('refund'));

  const lost = WITH_REFUNDS.flatMap((p) => ['drop', ...TRAITS[p].spoilFaults].map((fault) => [p, fault] as const));
  it.each(lost)('%s: the refund executed, then %s: refunded once, never sent twice', async (p, fault) => {
    await withStore(p, {}, async (cell) => {
      const { outNo, refundNo, r } = await refundWith(cell, fault, 6606);
      expect(r.status).toBe(200);
      expect(r.body.status).toBe('unknown');
      // The manager tries again with the same refund number (the screen does so): the same refund.
      const again = await cell.manager.post(`/api/payments/${outNo}/refunds`, { refundNo, amountFen: 6606, reason: 'fault matrix' });
      expect(again.body.refundNo).toBe(refundNo);
      await waitFor(() => cell.store.ledger.getRefund(refundNo)?.status === 'refunded', 10_000);
      expect(refundCalls(cell, outNo).filter((c) => c.op === 'refund' || c.op === 'payrefund')).toHaveLength(1);
      await expectAgreement(cell, outNo, { status: 'refunded', charged: 1, refundedFen: 6606, amountFen: 6606 });
    });
  });

  const notRun = WITH_REFUNDS.flatMap((p) => (['hang', '5xx', 'garbage'] as const).map((fault) => [p, fault] as const));
  it.each(notRun)('%s: the refund call %s, not executed: failed, the money stays, refundable again', async (p, fault) => {
    await withStore(p, {}, async (cell) => {
      const { outNo, refundNo, r } = await refundWith(cell, fault, 7707);
      expect(r.body.status).toBe('unknown');
      // Until it is known, what it may have taken is not refundable twice.
      expect(r.body.refundableFen).toBe(0);
      await waitFor(() => cell.store.ledger.getRefund(refundNo)?.status === 'failed', 10_000);
      await expectAgreement(cell, outNo, { status: 'paid', charged: 1, refundedFen: 0, amountFen: 7707 });
      const next = await cell.manager.post(`/api/payments/${outNo}/refunds`, { refundNo: newOutNo('R'), amountFen: 7707, reason: 'again' });
      expect(next.body).toMatchObject({ status: 'refunded', refundableFen: 0 });
      await expectAgreement(cell, outNo, { status: 'refunded', charged: 1, refundedFen: 7707, amountFen: 7707 });
    });
  });

  it.each(WITH_REFUNDS)('%s: the automatic refund of a late payment loses its answer: refunded once', async (p) => {
    await withStore(p, {}, async (cell) => {
      if (p === 'mct1') await injectFault(cell.base, p, 'paycancel', '5xx');
      const { outNo } = await pay(cell, PASSWORD_FOREVER, 8808);
      expect((await settled(cell, outNo, ['paid', 'failed', 'cancelled', 'refunded'])).status).toBe('failed');
      await injectFault(cell.base, p, cell.t.refundOp!, 'drop');
      const ref = cell.store.ledger.getPayment(outNo)!.providerRef ?? outNo;
      expect(await customerPays(cell.base, p, ref)).toBe(200);
      await settled(cell, outNo, ['refunded']);
      await expectAgreement(cell, outNo, { status: 'refunded', charged: 1, refundedFen: 8808, amountFen: 8808 });
      expect(cell.store.ledger.refundsOf(outNo)).toMatchObject([{ status: 'refunded', amountFen: 8808 }]);
    });
  });

  it.each(WITHOUT_REFUNDS)('%s: no refund call in the seed: 501, nothing moved, the payment still paid', async (p) => {
    await withStore(p, {}, async (cell) => {
      const { outNo, r } = await refundWith(cell, undefined, 9909);
      expect(r.status).toBe(501);
      await expectAgreement(cell, outNo, { status: 'paid', charged: 1, amountFen: 9909 });
    });
  });
});

describe.concurrent('known failures of other POS systems', () => {
  it.each(PROVIDERS)('%s: the same outNo sent 5 times while the first is in flight, then again after it committed: one call, one charge', async (p) => {
    await withStore(p, {}, async (cell) => {
      // The provider hangs (not executed) on the first pay call: the re-syncs arrive meanwhile.
      await injectFault(cell.base, p, cell.t.payOp, 'hang');
      const outNo = newOutNo('F');
      const body: Record<string, unknown> = { outNo, amountFen: 1111, authCode: freshWechatCode(), method: cell.t.method };
      if (cell.t.needsBill) body.billNo = await newSalesBill(cell.base, 1111);
      const views = await Promise.all(Array.from({ length: 5 }, () => cell.cashier.post('/api/payments', body)));
      for (const v of views) expect(v.body).toMatchObject({ outNo, status: 'unknown' });
      await settled(cell, outNo, ['failed']);
      // A client that timed out after the proxy committed re-syncs with the same request: the same payment.
      const late = await cell.cashier.post('/api/payments', body);
      expect(late.body).toMatchObject({ outNo, status: 'failed' });
      await expectAgreement(cell, outNo, { status: 'failed', charged: 0, amountFen: 1111 });

      // And a committed, paid one, sent again (the answer was lost on the way to the till).
      const paid = await pay(cell, freshWechatCode(), 1212);
      expect(paid.view.status).toBe('paid');
      const resent = await cell.cashier.post('/api/payments', { outNo: paid.outNo, amountFen: 1212, authCode: freshWechatCode(), method: cell.t.method, billNo: cell.store.ledger.getPayment(paid.outNo)!.billNo });
      expect(resent.body).toMatchObject({ outNo: paid.outNo, status: 'paid', providerRef: paid.view.providerRef });
      expect((await charges(cell.base, p)).filter((e) => e.key === paid.view.providerRef)).toHaveLength(1);
      expect(cell.store.ledger.calls(paid.outNo).filter((c) => c.op === cell.t.payCall)).toHaveLength(1);
    });
  });

  it.each(PROVIDERS)('%s: an order number is never reused, even after its payment failed: 409, nothing charged', async (p) => {
    await withStore(p, {}, async (cell) => {
      const declined = await pay(cell, '130000000000000003', 1313);
      expect(declined.view.status).toBe('failed');
      const reuse = await cell.cashier.post('/api/payments', { outNo: declined.outNo, amountFen: 1314, authCode: freshWechatCode(), method: cell.t.method, billNo: 'SB-1001' });
      expect(reuse.status).toBe(409);
      expect(reuse.body.error.code).toBe('out_no_conflict');
      expect(await charges(cell.base, p)).toEqual([]);
      expect(cell.store.ledger.calls(declined.outNo).filter((c) => c.op === cell.t.payCall)).toHaveLength(1);
    });
  });

  it.each(WITH_REFUNDS)('%s: a refund number is never reused for another refund', async (p) => {
    await withStore(p, {}, async (cell) => {
      const a = await pay(cell, freshWechatCode(), 1500);
      const b = await pay(cell, freshWechatCode(), 1500);
      const refundNo = newOutNo('R');
      expect((await cell.manager.post(`/api/payments/${a.outNo}/refunds`, { refundNo, amountFen: 500, reason: 'x' })).body.status).toBe('refunded');
      const other = await cell.manager.post(`/api/payments/${b.outNo}/refunds`, { refundNo, amountFen: 500, reason: 'x' });
      expect(other.status).toBe(409);
      const more = await cell.manager.post(`/api/payments/${a.outNo}/refunds`, { refundNo, amountFen: 600, reason: 'x' });
      expect(more.status).toBe(409);
      const books = await readBooks(cell.base, p);
      expect(books.map((e) => e.refundedFen).sort()).toEqual([0, 500]);
    });
  });
});
