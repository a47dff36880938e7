/** A payment to a sales bill: the bill number is stored before the request and sent with every resend. */
import { describe, expect, it } from 'vitest';
import type { CreatePaymentRequest, PaymentView } from '../../contract/api.ts';
import { ApiError, NetworkError } from '../../web/data/api.ts';
import { bodyOf, mergeView, PaymentFlow, type FlowStore } from '../../web/data/payment-flow.ts';
import type { PaymentRecord } from '../../web/data/records.ts';

function memoryStore(log: string[]): FlowStore & { rows: Map<string, PaymentRecord> } {
  const rows = new Map<string, PaymentRecord>();
  return {
    rows,
    get: async (o) => (rows.has(o) ? structuredClone(rows.get(o)!) : undefined),
    put: async (r) => {
      log.push(`put ${r.status} bill=${r.billNo}`);
      rows.set(r.outNo, structuredClone(r));
    },
    update: async (o, fn) => {
      const r = rows.get(o);
      if (!r) return undefined;
      const next = fn(structuredClone(r));
      if (next) rows.set(o, structuredClone(next));
      return next ?? r;
    },
    unfinished: async () => [...rows.values()].filter((r) => !['paid', 'failed', 'cancelled', 'refunded'].includes(r.status)),
  };
}

describe('a payment to a sales bill', () => {
  it('stores the bill number first, sends it, and sends it again after a lost request', async () => {
    const log: string[] = [];
    const store = memoryStore(log);
    const bodies: CreatePaymentRequest[] = [];
    let posts = 0;
    const paid = (req: CreatePaymentRequest): PaymentView => ({
      outNo: req.outNo,
      status: 'paid',
      amountFen: req.amountFen,
      provider: 'posmini',
      method: 'posmini:wechat',
      bill: { billNo: 'S-0042', fullyPaid: false, balanceFen: 700 },
    });
    const flow = new PaymentFlow({
      store,
      timing: { minBackoffMs: 1, maxBackoffMs: 2, pollMs: 1 },
      api: {
        createPayment: async (req) => {
          log.push('POST');
          bodies.push(structuredClone(req));
          // The first request never reaches the proxy.
          if (posts++ === 0) throw new NetworkError('无法连接服务器 / Cannot reach the server');
          return paid(req);
        },
        getPayment: async () => {
          log.push('GET');
          throw new ApiError(404, 'payment_not_found', 'no such payment');
        },
      },
    });
    const { record, done } = await flow.start({
      amountFen: 1300,
      authCode: '134567890123456789',
      method: 'posmini:wechat',
      billNo: 'S-0042',
    });
    expect(record.billNo).toBe('S-0042');
    await done;

    expect(log).toEqual(['put pending bill=S-0042', 'POST', 'GET', 'POST']);
    expect(bodies).toHaveLength(2);
    for (const b of bodies) expect(b).toEqual({ outNo: record.outNo, amountFen: 1300, authCode: '134567890123456789', method: 'posmini:wechat', billNo: 'S-0042' });
    // The answer's bill is kept with the record, for the status screen.
    expect(store.rows.get(record.outNo)).toMatchObject({
      status: 'paid',
      billNo: 'S-0042',
      bill: { billNo: 'S-0042', fullyPaid: false, balanceFen: 700 },
    });
  });

  it('sends no billNo for a payment without one', () => {
    const rec: PaymentRecord = { outNo: 'P1', amountFen: 100, authCode: '280000000000000001', method: 'wsy:ali', status: 'pending', createdAt: '', updatedAt: '' };
    expect(bodyOf(rec)).not.toHaveProperty('billNo');
    expect(bodyOf({ ...rec, billNo: 'B7' }).billNo).toBe('B7');
  });

  it('keeps the last known bill when a later view does not carry one', () => {
    const rec: PaymentRecord = {
      outNo: 'P1',
      amountFen: 100,
      method: 'posmini:wechat',
      status: 'paid',
      billNo: 'B7',
      bill: { billNo: 'B7', fullyPaid: true },
      createdAt: '',
      updatedAt: '',
    };
    const next = mergeView(rec, { outNo: 'P1', status: 'refunded', amountFen: 100, provider: 'posmini', method: 'posmini:wechat' }, new Date());
    expect(next).toMatchObject({ status: 'refunded', billNo: 'B7', bill: { billNo: 'B7', fullyPaid: true } });
  });
});
