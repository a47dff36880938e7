/**
 * The sandbox providers' own books and back offices, one shape for all four, for the fault matrix:
 * what each provider charged and refunded (to compare with the ledger and IndexedDB), its fault
 * queue, and the customer completing a payment that waits for the password.
 */

export type ProviderName = 'weishouyin' | 'mct1' | 'kioskv5' | 'posmini';

/** One sale in a provider's books. */
export interface BookEntry {
  provider: ProviderName;
  /** The provider's own key: 微收银 dm_id, mct1 ord_no, kioskv5 record Id, posmini autoid. */
  key: string;
  /** Our outNo, where the provider keeps it (mct1 out_no; kioskv5 record Desc). */
  outNo?: string;
  amountFen: number;
  /** The customer's money moved (paid; a refund later does not undo that). */
  charged: boolean;
  refundedFen: number;
  /** How many refunds the provider booked. */
  refunds: number;
  /** The provider's own state word or number, for messages. */
  state: string;
}

/** Per provider: the method a barcode payment names, the back office's fault ops, what it can do. */
export interface ProviderTraits {
  /** The barcode method a payment names (the store routes by it, whichever providers are on). */
  method: string;
  /** Fault ops: the pay call, the query, the refund (absent: no refunds in the seed). */
  payOp: string;
  queryOp: string;
  refundOp?: string;
  /** The provider_calls op name of the pay call (what must happen exactly once). */
  payCall: string;
  /** A fault that executes the call and then spoils its answer (cut in half, or a bad signature). */
  spoilFaults: string[];
  /** The provider can cancel a payment waiting for the password (else it is voided and watched). */
  cancels: boolean;
  /** Payments name a sales bill of the backend (posmini). */
  needsBill: boolean;
}

export const TRAITS: Record<ProviderName, ProviderTraits> = {
  weishouyin: {
    method: 'weishouyin:o2o_dm_code_wxpaysub',
    payOp: 'micropay',
    queryOp: 'query',
    refundOp: 'refund',
    payCall: 'micropay',
    spoilFaults: ['badxml'],
    cancels: false,
    needsBill: false,
  },
  mct1: {
    method: 'mct1:Weixin',
    payOp: 'payorder',
    queryOp: 'paystatus',
    refundOp: 'payrefund',
    payCall: 'payorder',
    spoilFaults: ['badsign', 'badjson'],
    cancels: true,
    needsBill: false,
  },
  kioskv5: {
    method: 'kioskv5:312',
    payOp: 'pay',
    queryOp: 'get',
    payCall: 'pay_pay_record',
    spoilFaults: ['badjson'],
    cancels: false,
    needsBill: false,
  },
  posmini: {
    method: 'posmini:wechat',
    payOp: 'pay',
    queryOp: 'query',
    payCall: 'pay',
    spoilFaults: ['badbody'],
    cancels: false,
    needsBill: true,
  },
};

async function admin<T>(base: string, provider: ProviderName, path: string, init?: { method?: string; body?: unknown }): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}/sandbox/${provider}/_admin${path}`, {
    method: init?.method ?? 'GET',
    headers: init?.body !== undefined ? { 'content-type': 'application/json' } : undefined,
    body: init?.body !== undefined ? JSON.stringify(init.body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as T };
}

/** Every sale in the provider's books (refund orders folded into their sale). */
export async function readBooks(base: string, provider: ProviderName): Promise<BookEntry[]> {
  switch (provider) {
    case 'weishouyin': {
      const { body } = await admin<{ bills: { dmId: string; status: string; amountFen: number; refundedFen: number; refunds: unknown[] }[] }>(base, provider, '/bills');
      return body.bills.map((b) => ({
        provider,
        key: b.dmId,
        amountFen: b.amountFen,
        charged: b.status === 'paid',
        refundedFen: b.refundedFen,
        refunds: b.refunds.length,
        state: b.status,
      }));
    }
    case 'mct1': {
      type Order = { ordNo: string; outNo: string; ordType: number; status: number; amountFen: number; originalOrdNo?: string };
      const { body } = await admin<{ orders: Order[] }>(base, provider, '/orders');
      const refunds = body.orders.filter((o) => o.ordType === 2 && o.status === 1);
      return body.orders
        .filter((o) => o.ordType === 1)
        .map((o) => {
          const mine = refunds.filter((r) => r.originalOrdNo === o.ordNo);
          return {
            provider,
            key: o.ordNo,
            outNo: o.outNo,
            amountFen: o.amountFen,
            // 1 paid; 4 closed — charged only if it was paid before (a refund order exists then).
            charged: o.status === 1 || mine.length > 0,
            refundedFen: mine.reduce((s, r) => s + r.amountFen, 0),
            refunds: mine.length,
            state: String(o.status),
          };
        });
    }
    case 'kioskv5': {
      type Rec = { record: { Id: number; Status?: number; Price?: number; Desc?: string } };
      const { body } = await admin<{ records: Rec[] }>(base, provider, '/records');
      return body.records.map(({ record: r }) => ({
        provider,
        key: String(r.Id),
        outNo: r.Desc?.split(/\s/)[0],
        amountFen: r.Price ?? 0,
        charged: r.Status === 1,
        refundedFen: 0,
        refunds: 0,
        state: String(r.Status ?? 0),
      }));
    }
    case 'posmini': {
      type Pay = { autoid: string; billnum: string; amountFen: number; state: string };
      const { body } = await admin<{ payments: Pay[] }>(base, provider, '/payments');
      return body.payments.map((p) => ({
        provider,
        key: String(p.autoid),
        amountFen: p.amountFen,
        charged: p.state === 'paid',
        refundedFen: 0,
        refunds: 0,
        state: p.state,
      }));
    }
  }
}

/** The provider's sales that moved money. */
export async function charges(base: string, provider: ProviderName): Promise<BookEntry[]> {
  return (await readBooks(base, provider)).filter((e) => e.charged);
}

/** Queues a fault in the provider's back office (README "The sandboxes' back offices"). */
export async function injectFault(base: string, provider: ProviderName, op: string, fault: string, count = 1): Promise<void> {
  const r = await admin(base, provider, '/faults', { method: 'POST', body: { op, fault, count } });
  if (r.status !== 201) throw new Error(`${provider}: fault ${op}/${fault} refused: ${JSON.stringify(r.body)}`);
}

/** The faults still queued (a cell checks its fault was really taken). */
export async function queuedFaults(base: string, provider: ProviderName): Promise<unknown[]> {
  return (await admin<{ faults: unknown[] }>(base, provider, '/faults')).body.faults;
}

/**
 * The customer confirms a payment waiting for the password, in the provider's back office.
 * `ref`: the ledger's providerRef (mct1 also takes our outNo). Answers the back office's status
 * (409 when the payment is no longer waiting, e.g. cancelled at the provider).
 */
export async function customerPays(base: string, provider: ProviderName, ref: string): Promise<number> {
  const path = {
    weishouyin: `/bills/${ref}/pay`,
    mct1: `/orders/${ref}/pay`,
    kioskv5: `/records/${ref}/pay`,
    posmini: `/payments/${ref}/pay`,
  }[provider];
  return (await admin(base, provider, path, { method: 'POST', body: {} })).status;
}

/** A new sales bill at the posmini backend (each posmini payment names one). */
export async function newSalesBill(base: string, totalFen: number): Promise<string> {
  const r = await admin<{ bill: { billnum: string } }>(base, 'posmini', '/bills', { method: 'POST', body: { totalFen } });
  if (r.status !== 201) throw new Error(`posmini: bill refused: ${JSON.stringify(r.body)}`);
  return r.body.bill.billnum;
}
