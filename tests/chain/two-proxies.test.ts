/**
 * A chain (issue 8): two proxy processes, A and B, over one PostgreSQL database, in live mode
 * against one sandbox provider server (mct1 and 微收银) that outlives them. A till paired on A pays
 * through either. Then A is killed (SIGKILL: no close, no flush) with a batch of payments in flight
 * at the provider — held there, so each is stored in the shared ledger and not yet answered — and
 * the tills go on paying through B. A's orphans are left to B's resolver (nothing asks B about them
 * over HTTP, and the provider's callbacks go to the dead A), and in the end the books agree: every
 * payment a till was told is paid is paid once in the ledger and once at the provider, none is
 * charged twice, a call the provider never executed is failed and not charged, and the ledger's
 * takings equal the provider's to the fen.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chargesAt, chargesOf, ledgerTakenFen, paymentBody, startChain, type Chain, type ChainDatabase, type ChainProvider, type PaymentBody, type Till } from '../helpers/chain.ts';
import type { ProxyProcess } from '../helpers/proxy-process.ts';
import { TRAITS } from '../helpers/sandbox-books.ts';
import type { SandboxServer } from '../helpers/sandbox-server.ts';
import { CODE, freshWechatCode, newOutNo, waitFor } from '../helpers/store.ts';

/**
 * A call held at the provider outlives the kill (the provider executes it afterwards), and A's
 * orphans fall due on B after requestTimeoutMs + unknownRetryMs. "No such order" is believed only
 * after unknownGraceMs, well after a held call has been executed.
 */
const TIMING = { requestTimeoutMs: 3_000, unknownGraceMs: 8_000, payingTimeoutMs: 10_000 };
const HOLD_MS = 1_500;
const FINAL = ['paid', 'failed', 'cancelled', 'refunded'];

let running: Chain | undefined;
let sandbox: SandboxServer;
let chain: ChainDatabase;
let a: ProxyProcess;
let b: ProxyProcess;
let till: Till;

/** Every payment sent in this file, and the status the till was last told. */
const sent: { body: PaymentBody; told?: string }[] = [];
let amount = 1_000;

function payment(p: ChainProvider, authCode = freshWechatCode()): PaymentBody {
  const body = paymentBody(p, newOutNo('C'), ++amount, authCode);
  sent.push({ body });
  return body;
}

function tell(body: PaymentBody, status: string): void {
  sent.find((s) => s.body.outNo === body.outNo)!.told = status;
}

const statusOf = (outNo: string) => chain.ledger.getPayment(outNo)?.status;

beforeAll(async () => {
  running = await startChain({ timing: TIMING });
  ({ sandbox, db: chain, a, b, till } = running);
}, 60_000);

afterAll(() => running?.stop());

describe('two proxies over one PostgreSQL ledger', () => {
  it('a terminal paired on A pays through B as well (微收银 with the device A registered); each proxy answers for the other one\'s payments', async () => {
    const viaA = payment('mct1');
    const viaB = payment('weishouyin');
    const [ra, rb] = await Promise.all([till.pay(a.url, viaA), till.pay(b.url, viaB)]);
    expect(ra.body).toMatchObject({ outNo: viaA.outNo, status: 'paid', amountFen: viaA.amountFen });
    expect(rb.body).toMatchObject({ outNo: viaB.outNo, status: 'paid', amountFen: viaB.amountFen });
    tell(viaA, 'paid');
    tell(viaB, 'paid');
    expect((await till.get(b.url, viaA.outNo)).body).toMatchObject({ status: 'paid', amountFen: viaA.amountFen });
    expect((await till.get(a.url, viaB.outNo)).body).toMatchObject({ status: 'paid', amountFen: viaB.amountFen });
  });

  it('both alive: payments through both at once, two waiting for the password (polled by one resolver at a time), all paid once', async () => {
    const bodies = Array.from({ length: 10 }, (_, i) => payment(i % 2 ? 'mct1' : 'weishouyin'));
    const waiting = [payment('mct1', CODE.password), payment('weishouyin', CODE.password)];
    const answers = await Promise.all([...bodies, ...waiting].map((body, i) => till.pay(i % 3 ? a.url : b.url, body)));
    answers.slice(0, bodies.length).forEach((r, i) => {
      expect(r.body, bodies[i].outNo).toMatchObject({ status: 'paid', amountFen: bodies[i].amountFen });
      tell(bodies[i], 'paid');
    });
    for (const r of answers.slice(bodies.length)) expect(r.body.status).toBe('paying');
    for (const w of waiting) {
      // Both resolvers would poll it; each poll is claimed, so one proxy makes it and no older answer
      // lands after 'paid'. Only the resolvers here: a till's GET checks a due payment unclaimed.
      await waitFor(() => statusOf(w.outNo) === 'paid', 10_000);
      const to = chain.ledger.events(w.outNo).map((e) => e.to);
      expect(to.slice(to.indexOf('paid')), JSON.stringify(to)).toEqual(['paid']);
      expect((await till.get(b.url, w.outNo)).body.status).toBe('paid');
      tell(w, 'paid');
    }
  });

  it('A killed (SIGKILL) with payments in flight at the provider; the tills go on through B; B\'s resolver settles A\'s orphans', async () => {
    const fresh = [payment('mct1'), payment('mct1'), payment('mct1'), payment('weishouyin'), payment('weishouyin'), payment('weishouyin')];
    const hung = [payment('mct1', CODE.hang), payment('weishouyin', CODE.hang)];
    const password = payment('mct1', CODE.password);
    const batch = [...fresh, ...hung, password];

    sandbox.holdCalls(HOLD_MS);
    const answered = batch.map((body) => till.pay(a.url, body).then(() => true, () => false));
    // Every payment stored by A and its pay call at the provider, unanswered.
    await waitFor(() => batch.every((x) => statusOf(x.outNo) === 'unknown') && sandbox.heldCalls() >= batch.length, 10_000, 10);
    await a.kill();
    sandbox.holdCalls(0);
    expect(await Promise.all(answered)).toEqual(batch.map(() => false));

    // The tills go on through B; two of them had sent theirs to A after it died.
    const afterKill = [payment('weishouyin'), payment('mct1')];
    for (const body of afterKill) {
      await expect(till.pay(a.url, body)).rejects.toThrow();
      expect((await till.get(b.url, body.outNo)).status).toBe(404);
    }
    const throughB = [...Array.from({ length: 6 }, (_, i) => payment(i % 2 ? 'mct1' : 'weishouyin')), ...afterKill];
    const answers = await Promise.all(throughB.map((body) => till.pay(b.url, body)));
    answers.forEach((r, i) => {
      expect(r.body, throughB[i].outNo).toMatchObject({ status: 'paid', amountFen: throughB[i].amountFen });
      tell(throughB[i], 'paid');
    });

    // Nothing asks B about the orphans: only its resolver can settle them.
    await waitFor(() => batch.every((x) => FINAL.includes(statusOf(x.outNo) ?? '')), 30_000, 100).catch(() => {
      throw new Error(`A's orphans not settled by B: ${JSON.stringify(batch.map((x) => chain.ledger.getPayment(x.outNo)))}`);
    });
    for (const body of batch) {
      const rec = chain.ledger.getPayment(body.outNo)!;
      const calls = chain.ledger.calls(body.outNo);
      const context = `${body.outNo}: ${JSON.stringify(rec)} ${JSON.stringify(calls.map((x) => x.op))}`;
      expect(rec.status, context).toBe(hung.includes(body) ? 'failed' : 'paid');
      // Sent once, by A; the call cut by the kill left no record, and B only asked.
      expect(calls.filter((x) => x.op === TRAITS[body.method === TRAITS.mct1.method ? 'mct1' : 'weishouyin'].payCall), context).toHaveLength(0);
      expect(calls.length, context).toBeGreaterThan(0);
      // What the till sees when it asks B.
      const shown = (await till.get(b.url, body.outNo)).body;
      expect(shown.status, context).toBe(rec.status);
      tell(body, shown.status);
    }
  }, 90_000);

  it('the books agree: each payment a till was told is paid was charged once, nothing else was, the takings equal to the fen', async () => {
    const charges = await chargesAt(sandbox);
    for (const { body, told } of sent) {
      const rec = chain.ledger.getPayment(body.outNo);
      const mine = chargesOf(charges, body);
      const context = `${body.outNo}: told ${told}, ${JSON.stringify(rec)}, charges ${JSON.stringify(mine)}`;
      expect(told, context).toBeDefined();
      expect(rec?.status, context).toBe(told);
      expect(rec?.amountFen, context).toBe(body.amountFen);
      expect(mine, context).toHaveLength(told === 'paid' ? 1 : 0);
      if (told === 'paid') expect(mine[0].amountFen, context).toBe(body.amountFen);
    }
    // Nothing charged that the ledger does not know of, nothing reversed on the way.
    const paid = sent.filter((s) => s.told === 'paid');
    expect(charges).toHaveLength(paid.length);
    const providerFen = charges.reduce((s, x) => s + x.amountFen, 0);
    expect(providerFen).toBe(paid.reduce((s, x) => s + x.body.amountFen, 0));
    expect(ledgerTakenFen(chain.ledger)).toBe(providerFen);
    expect(chain.ledger.db.prepare("SELECT COUNT(*) FROM refunds").pluck().get()).toBe(0);
  });
});
