/**
 * The fault matrix (issue 7), the proxy process killed: a real SIGKILL of a child process running
 * the whole store (tests/faults/proxy-runner.ts: proxy + in-process sandboxes, all four providers,
 * a file data directory), then a new process on the same data directory and port. Nothing runs on
 * the way down — no close(), no flush, no finally — as in a power cut or an OOM kill. The ledger is
 * SQLite (WAL, synchronous=FULL) and each sandbox keeps its books in its own file, as a real
 * provider would keep its own.
 *
 * The first life is slow on purpose (no poll, retry or time limit falls due), so every payment is
 * still where the cell left it when the process dies. Cells, for each of 微收银, mct1, kioskv5, posmini:
 *   (a) killed before the request reaches the proxy: the POST fails to connect; after the restart
 *       the till asks (404: never stored) and sends the same outNo again → paid once.
 *   (b) killed after the proxy stored the payment, its provider call in flight and not executed
 *       (the provider hangs) → after the restart: failed, nothing charged.
 *       kioskv5 also with the create call in flight: failed, and a new sale after the restart gets
 *       a new order id (oid) — an order number is never handed out twice.
 *   (c) killed after the provider charged and the answer was lost (dropped), before the proxy
 *       could ask → after the restart: paid, charged once.
 *   (d) killed while the customer is entering the password → after the restart the proxy polls
 *       again; the customer confirms → paid once.
 *   (e) killed during a refund (微收银, mct1): the refund executed and its answer lost → refunded
 *       once; the refund call in flight, not executed → the refund failed, the money stays, and
 *       the payment can be refunded again.
 * After the restart every cell asserts that the ledger, the provider's books and the cashier's
 * view (`GET /api/payments/:outNo`, with the terminal token from before the kill) agree, and that
 * the provider charged once or not at all.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../proxy/ledger/db.ts';
import { Ledger } from '../../proxy/ledger/payments.ts';
import { freePort, startProxyProcess, type ProxyProcess, type StoreOverrides } from '../helpers/proxy-process.ts';
import { TRAITS, customerPays, injectFault, newSalesBill, queuedFaults, readBooks, type ProviderName } from '../helpers/sandbox-books.ts';
import { freshWechatCode, newOutNo, tempDataDir, waitFor } from '../helpers/store.ts';

const PROVIDERS: ProviderName[] = ['weishouyin', 'mct1', 'kioskv5', 'posmini'];
const REFUNDING: ProviderName[] = ['weishouyin', 'mct1'];
const PASSWORD_FOREVER = '130000000000000006';

/** First life: nothing falls due before the kill; a hung call stays in flight. */
const SLOW: StoreOverrides = {
  providers: PROVIDERS,
  timing: { pollIntervalMs: 60_000, payingTimeoutMs: 120_000, requestTimeoutMs: 30_000, unknownRetryMs: 60_000, watchIntervalMs: 60_000 },
  sandbox: { hangMs: 60_000 },
};
/**
 * Second life: the tests' quick timings, but the customer gets 5 s to confirm (a posmini payment
 * left `unknown` starts its time limit only when the new process first finds it waiting).
 */
const QUICK: StoreOverrides = { providers: PROVIDERS, timing: { payingTimeoutMs: 5_000 } };

let dataDir: string;
let port: number;
let proc: ProxyProcess | null = null;
let db: Db;
let ledger: Ledger;
let cashierToken: string;
let managerToken: string;

const base = () => `http://127.0.0.1:${port}`;

async function call(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const r = await fetch(`${base()}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  return { status: r.status, body: r.headers.get('content-type')?.includes('json') ? await r.json() : await r.text() };
}

async function pairOver(code: string): Promise<string> {
  const r = await fetch(`${base()}/api/terminals/pair`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
  return ((await r.json()) as { token: string }).token;
}

/** A barcode payment's body as the PWA sends it (posmini on a fresh sales bill). */
async function body(p: ProviderName, amountFen: number, authCode = freshWechatCode()): Promise<Record<string, unknown>> {
  const b: Record<string, unknown> = { outNo: newOutNo('K'), amountFen, authCode, method: TRAITS[p].method };
  if (TRAITS[p].needsBill) b.billNo = await newSalesBill(base(), amountFen);
  return b;
}

/** Sent, and left to the kill: resolves once the proxy has the payment and the provider has taken the call. */
async function inFlight(p: ProviderName, b: Record<string, unknown>): Promise<void> {
  void call(cashierToken, 'POST', '/api/payments', b).catch(() => undefined); // the kill answers it
  await waitFor(() => ledger.getPayment(b.outNo as string) !== undefined, 10_000);
  await waitFor(async () => (await queuedFaults(base(), p)).length === 0, 10_000);
}

interface Cell {
  name: string;
  p: ProviderName;
  outNo: string;
  amountFen: number;
  want: { status: string; charged: 0 | 1; refundedFen?: number };
  /** Set up in the first life, before the kill. */
  before?(): Promise<void>;
  /** After the restart, before the agreement is checked (e.g. the customer confirms). */
  after?(): Promise<void>;
  refundNo?: string;
  /** Its pay (or create) call was in flight when the process was killed. */
  inFlightAtKill?: boolean;
}

const cells: Cell[] = [];

async function setUp(): Promise<void> {
  for (const p of PROVIDERS) {
    const t = TRAITS[p];

    // (b) stored, the pay call in flight at the provider, not executed.
    const b = await body(p, 1601);
    await injectFault(base(), p, t.payOp, 'hang');
    await inFlight(p, b);
    expect(ledger.getPayment(b.outNo as string)?.status).toBe('unknown');
    cells.push({ name: `${p} (b) the pay call in flight`, p, outNo: b.outNo as string, amountFen: 1601, want: { status: 'failed', charged: 0 }, inFlightAtKill: true });

    // (c) charged, the answer lost, the proxy killed before it asked.
    const c = await body(p, 1702);
    await injectFault(base(), p, t.payOp, 'drop');
    expect((await call(cashierToken, 'POST', '/api/payments', c)).body.status).toBe('unknown');
    cells.push({ name: `${p} (c) charged, the answer lost`, p, outNo: c.outNo as string, amountFen: 1702, want: { status: 'paid', charged: 1 } });

    // (d) the customer is typing the password.
    const d = await body(p, 1803, PASSWORD_FOREVER);
    expect(['paying', 'unknown']).toContain((await call(cashierToken, 'POST', '/api/payments', d)).body.status);
    cells.push({
      name: `${p} (d) waiting for the password`,
      p,
      outNo: d.outNo as string,
      amountFen: 1803,
      want: { status: 'paid', charged: 1 },
      async after() {
        const ref = ledger.getPayment(d.outNo as string)!.providerRef ?? (d.outNo as string);
        expect(await customerPays(base(), p, ref)).toBe(200);
      },
    });
  }

  // kioskv5: the create call in flight (its oid already stored, nothing at the backend yet).
  const k = await body('kioskv5', 1904);
  await injectFault(base(), 'kioskv5', 'create', 'hang');
  await inFlight('kioskv5', k);
  cells.push({ name: 'kioskv5 (b) the create call in flight', p: 'kioskv5', outNo: k.outNo as string, amountFen: 1904, want: { status: 'failed', charged: 0 }, inFlightAtKill: true });

  // (e) refunds.
  for (const p of REFUNDING) {
    const refundOp = TRAITS[p].refundOp!;
    for (const [fault, want] of [
      ['drop', { status: 'refunded', charged: 1, refundedFen: 2005 }],
      ['hang', { status: 'paid', charged: 1, refundedFen: 0 }],
    ] as const) {
      const e = await body(p, 2005);
      expect((await call(cashierToken, 'POST', '/api/payments', e)).body.status).toBe('paid');
      await injectFault(base(), p, refundOp, fault);
      const refundNo = newOutNo('R');
      const refund = call(managerToken, 'POST', `/api/payments/${e.outNo}/refunds`, { refundNo, amountFen: 2005, reason: 'fault matrix' });
      if (fault === 'drop') expect((await refund).body.status).toBe('unknown');
      else {
        void refund.catch(() => undefined);
        await waitFor(() => ledger.getRefund(refundNo) !== undefined, 10_000);
        await waitFor(async () => (await queuedFaults(base(), p)).length === 0, 10_000);
      }
      cells.push({ name: `${p} (e) the refund ${fault === 'drop' ? 'executed, its answer lost' : 'in flight, not executed'}`, p, outNo: e.outNo as string, amountFen: 2005, want, refundNo });
    }
  }
}

beforeAll(async () => {
  dataDir = tempDataDir();
  port = await freePort();
  proc = await startProxyProcess({ ...SLOW, dataDir, port });
  db = openDb(dataDir);
  ledger = new Ledger(db);
  cashierToken = await pairOver(proc.pairingCode);
  managerToken = await pairOver(proc.managerPairingCode);
  await setUp();
}, 60_000);

afterAll(async () => {
  await proc?.kill();
  db?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the proxy process killed (SIGKILL) and started again on the same data', () => {
  const aCells: { p: ProviderName; body: Record<string, unknown> }[] = [];

  it('kill -9, with every cell where it was left', async () => {
    await proc!.kill();
    proc = null;
    // (a) the till sends while the proxy is dead: the request never reaches it.
    for (const p of PROVIDERS) {
      const b: Record<string, unknown> = { outNo: newOutNo('A'), amountFen: 1505, authCode: freshWechatCode(), method: TRAITS[p].method, billNo: TRAITS[p].needsBill ? 'SB-1004' : undefined };
      await expect(call(cashierToken, 'POST', '/api/payments', b)).rejects.toThrow();
      expect(ledger.getPayment(b.outNo as string)).toBeUndefined();
      aCells.push({ p, body: b });
    }
    proc = await startProxyProcess({ ...QUICK, dataDir, port });
    // (d) the customer, who was typing the password all along, confirms.
    await Promise.all(cells.map((c) => c.after?.()));
  }, 60_000);

  it.each(PROVIDERS)('%s (a) killed before the request arrived: asked (404), sent again with the same outNo, paid once', async (p) => {
    const { body: b } = aCells.find((x) => x.p === p)!;
    expect((await call(cashierToken, 'GET', `/api/payments/${b.outNo}`)).status).toBe(404);
    const r = await call(cashierToken, 'POST', '/api/payments', b);
    expect(r.body.status).toBe('paid');
    const charged = (await readBooks(base(), p)).filter((e) => e.charged && e.key === r.body.providerRef);
    expect(charged).toMatchObject([{ amountFen: 1505 }]);
  });
});

describe('after the restart, every cell agrees: ledger, provider books, the cashier', () => {
  it('each cell settles to the truth, the provider charged once or not at all, the pay call sent once', async () => {
    expect(cells.length).toBe(PROVIDERS.length * 3 + 1 + REFUNDING.length * 2);
    const problems: string[] = [];
    await Promise.all(
      cells.map(async (c) => {
        try {
          await waitFor(async () => {
            const shown = (await call(cashierToken, 'GET', `/api/payments/${c.outNo}`)).body;
            const refund = c.refundNo ? ledger.getRefund(c.refundNo) : undefined;
            return shown.status === c.want.status && (!refund || refund.status !== 'unknown');
          }, 15_000, 100);
        } catch {
          problems.push(`${c.name}: ${JSON.stringify(ledger.getPayment(c.outNo))} ${c.refundNo ? JSON.stringify(ledger.getRefund(c.refundNo)) : ''}`);
        }
      }),
    );
    expect(problems).toEqual([]);

    for (const c of cells) {
      const rec = ledger.getPayment(c.outNo)!;
      const shown = (await call(cashierToken, 'GET', `/api/payments/${c.outNo}`)).body;
      const books = await readBooks(base(), c.p);
      const mine = books.filter((e) => (e.outNo ? e.outNo === c.outNo : rec.providerRef !== undefined && e.key === rec.providerRef));
      const context = `${c.name}: ${JSON.stringify(rec)} books ${JSON.stringify(mine)}`;
      expect(rec.status, context).toBe(c.want.status);
      expect(shown.status, context).toBe(c.want.status);
      expect(mine.filter((e) => e.charged), context).toHaveLength(c.want.charged);
      if (c.want.charged) {
        expect(mine[0].amountFen, context).toBe(c.amountFen);
        expect(mine[0].refundedFen, context).toBe(c.want.refundedFen ?? 0);
      }
      expect(rec.refundedFen, context).toBe(c.want.refundedFen ?? 0);
      // Never sent again after the restart: a call cut by the kill left no record (it is logged
      // with its answer); every other cell made its one pay call before the kill.
      const payCalls = ledger.calls(c.outNo).filter((x) => x.op === TRAITS[c.p].payCall);
      expect(payCalls, context).toHaveLength(c.inFlightAtKill ? 0 : 1);
      // Paid by the customer, never voided on the way (a void then a late payment would also end 'paid').
      if (c.after) expect(ledger.events(c.outNo).map((e) => e.to), context).not.toContain('failed');
      if (c.refundNo) {
        const refund = ledger.getRefund(c.refundNo)!;
        expect(refund.status, context).toBe(c.want.refundedFen ? 'refunded' : 'failed');
        expect(mine[0].refunds, context).toBe(c.want.refundedFen ? 1 : 0);
      }
    }
  }, 30_000);

  it('a refund that was in flight at the kill can be made again, once', async () => {
    for (const c of cells.filter((x) => x.refundNo && !x.want.refundedFen)) {
      const r = await call(managerToken, 'POST', `/api/payments/${c.outNo}/refunds`, { refundNo: newOutNo('R'), amountFen: c.amountFen, reason: 'again' });
      expect(r.body, c.name).toMatchObject({ status: 'refunded', refundableFen: 0 });
      const mine = (await readBooks(base(), c.p)).filter((e) => e.key === ledger.getPayment(c.outNo)!.providerRef);
      expect(mine, c.name).toMatchObject([{ charged: true, refundedFen: c.amountFen, refunds: 1 }]);
    }
  });

  it('kioskv5: a new sale after the restart gets an order id (oid) no earlier sale had', async () => {
    const b = await body('kioskv5', 2106);
    const r = await call(cashierToken, 'POST', '/api/payments', b);
    expect(r.body.status).toBe('paid');
    const res = await fetch(`${base()}/sandbox/kioskv5/_admin/records`);
    const records = ((await res.json()) as { records: { record: { OrderId: number; Desc: string } }[] }).records.map((x) => x.record);
    const oids = records.map((x) => x.OrderId);
    expect(new Set(oids).size).toBe(oids.length);
    const mine = records.filter((x) => x.Desc.startsWith(b.outNo as string));
    expect(mine).toHaveLength(1);
  });
});
