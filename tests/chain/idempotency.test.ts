/**
 * One outNo, two proxies (issue 8): the till's retry may land on another proxy of the chain at the
 * very moment the first is still working on it. payments.out_no is the key of the shared ledger, so
 * one proxy stores the payment and calls the provider; the other finds it (or loses the insert) and
 * answers the same payment. Each round sends the same outNo to A and B together, twice each: one
 * charge at the provider, one pay call, every answer the same payment and amount. A used outNo with
 * another amount is a conflict (409) on either proxy, also when both arrive together.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chargesAt, chargesOf, ledgerTakenFen, paymentBody, startChain, type Answer, type Chain, type ChainProvider } from '../helpers/chain.ts';
import { TRAITS } from '../helpers/sandbox-books.ts';
import { freshWechatCode, newOutNo, waitFor } from '../helpers/store.ts';

const ROUNDS: ChainProvider[] = ['mct1', 'weishouyin', 'mct1', 'weishouyin', 'mct1', 'weishouyin'];

let c: Chain;

beforeAll(async () => {
  c = await startChain({ timing: { requestTimeoutMs: 3_000 } });
}, 60_000);

afterAll(() => c?.stop());

describe('the same outNo at two proxies of a chain', () => {
  it.each(ROUNDS.map((p, i) => [i + 1, p] as const))('round %i (%s): sent to A and B at once, charged once, every answer the same payment', async (_round, p) => {
    // The provider answers a little late, so the copies meet while the first is in flight.
    c.sandbox.holdCalls(200);
    const body = paymentBody(p, newOutNo('I'), 2_000 + Math.floor(Math.random() * 1_000), freshWechatCode());
    let answers: Answer[];
    try {
      answers = await Promise.all([c.a.url, c.b.url, c.a.url, c.b.url].map((base) => c.till.pay(base, body)));
    } finally {
      c.sandbox.holdCalls(0);
    }
    for (const r of answers) {
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body).toMatchObject({ outNo: body.outNo, amountFen: body.amountFen, method: body.method, provider: p });
      // The copy that found the payment stored by the other proxy, its call still in flight there,
      // says so ('unknown': asking) and the till asks again.
      expect(['paid', 'unknown']).toContain(r.body.status);
    }
    expect(answers.map((r) => r.body.status)).toContain('paid');
    for (const base of [c.a.url, c.b.url]) {
      await waitFor(async () => (await c.till.get(base, body.outNo)).body.status === 'paid', 10_000);
    }
    const calls = c.db.ledger.calls(body.outNo).filter((x) => x.op === TRAITS[p].payCall);
    expect(calls).toHaveLength(1);
    const mine = chargesOf(await chargesAt(c.sandbox), body);
    expect(mine).toHaveLength(1);
    expect(mine[0].amountFen).toBe(body.amountFen);
  });

  it('a used outNo with another amount: 409 out_no_conflict on the other proxy, nothing charged', async () => {
    const body = paymentBody('mct1', newOutNo('I'), 3_001, freshWechatCode());
    expect((await c.till.pay(c.a.url, body)).body.status).toBe('paid');
    for (const base of [c.b.url, c.a.url]) {
      const r = await c.till.pay(base, { ...body, amountFen: 3_002, authCode: freshWechatCode() });
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe('out_no_conflict');
    }
    expect(c.db.ledger.getPayment(body.outNo)).toMatchObject({ amountFen: 3_001, status: 'paid' });
    expect(chargesOf(await chargesAt(c.sandbox), body)).toMatchObject([{ amountFen: 3_001 }]);
  });

  it('one outNo with two amounts at once on A and B: one payment, the other 409', async () => {
    for (const p of ['mct1', 'weishouyin'] as const) {
      const outNo = newOutNo('I');
      const bodies = [paymentBody(p, outNo, 4_001, freshWechatCode()), paymentBody(p, outNo, 4_002, freshWechatCode())];
      const answers = await Promise.all([c.till.pay(c.a.url, bodies[0]), c.till.pay(c.b.url, bodies[1])]);
      expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
      const won = answers.findIndex((r) => r.status === 200);
      expect(answers[1 - won].body.error.code).toBe('out_no_conflict');
      expect(answers[won].body).toMatchObject({ outNo, amountFen: bodies[won].amountFen, status: 'paid' });
      // One sale at the provider, of the amount that won (mct1 knows it by the outNo, 微收银 by the code).
      const charges = await chargesAt(c.sandbox);
      const either = new Set([...chargesOf(charges, bodies[0]), ...chargesOf(charges, bodies[1])]);
      expect([...either]).toMatchObject([{ amountFen: bodies[won].amountFen }]);
    }
  });

  it('the ledger\'s takings equal the provider\'s to the fen', async () => {
    const charges = await chargesAt(c.sandbox);
    expect(charges).toHaveLength(ROUNDS.length + 3);
    expect(ledgerTakenFen(c.db.ledger)).toBe(charges.reduce((s, x) => s + x.amountFen, 0));
  });
});
