/**
 * A chain for the tests (issue 8): several proxy processes over one PostgreSQL database, in live
 * mode against one sandbox provider server (sandbox-server.ts), and tills that talk to any of them.
 * Only for the PostgreSQL run (vitest.postgres.config.ts): the database is made on the run's
 * throwaway server (POS_TEST_POSTGRES_URL).
 */
import { randomBytes } from 'node:crypto';
import { openDb } from '../../proxy/ledger/db.ts';
import { Ledger } from '../../proxy/ledger/payments.ts';
import { openPostgres } from '../../proxy/ledger/postgres.ts';
import { SANDBOX_STORE } from '../../proxy/providers/mct1/index.ts';
import { startProxyProcess, type ProxyProcess, type StoreOverrides } from './proxy-process.ts';
import { startSandboxServer, type SandboxServer } from './sandbox-server.ts';
import { TRAITS } from './sandbox-books.ts';

export type ChainProvider = 'mct1' | 'weishouyin';

export interface ChainDatabase {
  /** What every proxy of the chain is given as `databaseUrl`: a database of its own, its public schema. */
  url: string;
  /** The test's own connection to the chain's books. */
  ledger: Ledger;
  drop(): void;
}

/**
 * A fresh database on the test server: a `databaseUrl` names a database, and the proxies use its
 * search_path as configured (proxy/ledger/postgres.ts creates no schema for a configured URL), so a
 * database of its own is what keeps a chain's books apart from every other test's.
 */
export function createChainDatabase(): ChainDatabase {
  const serverUrl = process.env.POS_TEST_POSTGRES_URL;
  if (!serverUrl) throw new Error('The chain tests need PostgreSQL: run them with vitest.postgres.config.ts (npm run test:postgres)');
  const name = `chain_${randomBytes(6).toString('hex')}`;
  const admin = openPostgres({ url: serverUrl });
  try {
    admin.exec(`CREATE DATABASE ${name}`);
  } finally {
    admin.close();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = openDb(':memory:', url.href);
  return {
    url: url.href,
    ledger: new Ledger(db),
    drop() {
      db.close();
      const a = openPostgres({ url: serverUrl });
      try {
        a.exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        a.close();
      }
    },
  };
}

/**
 * One proxy of the chain: live mode, mct1 and 微收银 at the sandbox server (mct1 with the sandbox
 * store's credentials; 微收银 with an activation code, used by the first proxy to start: the device
 * it registers is kept in provider_state, which the others read). Callbacks (mct1 notify_url) go
 * to the proxy that made the payment: `publicUrl` defaults to its own address.
 */
export function chainProxyConfig(sandbox: SandboxServer, databaseUrl: string, activationCode: string, over: StoreOverrides = {}): StoreOverrides {
  return {
    ...over,
    mode: 'live',
    databaseUrl,
    providers: ['mct1', 'weishouyin'],
    mct1: { baseUrl: `${sandbox.url}/sandbox/mct1`, openId: SANDBOX_STORE.openId, openKey: SANDBOX_STORE.openKey, shopPass: SANDBOX_STORE.shopPass },
    weishouyin: { baseUrl: `${sandbox.url}/sandbox/weishouyin`, activationCode },
    // Two proxies running the daily job is not what these tests are about.
    reconciliation: { dailyAt: '' },
  };
}

export interface Chain {
  sandbox: SandboxServer;
  db: ChainDatabase;
  a: ProxyProcess;
  b: ProxyProcess;
  /** A till paired on A. */
  till: Till;
  /** Kills what is still running, stops the sandbox, drops the database. */
  stop(): Promise<void>;
}

/**
 * The sandbox server, a fresh database and two proxies on it, A then B: A registers the 微收银
 * device, B finds it in the shared provider_state.
 */
export async function startChain(over: StoreOverrides = {}): Promise<Chain> {
  const sandbox = await startSandboxServer();
  const db = createChainDatabase();
  const procs: ProxyProcess[] = [];
  const stop = async () => {
    for (const p of procs) await p.kill();
    await sandbox.stop();
    db.drop();
  };
  try {
    const config = chainProxyConfig(sandbox, db.url, await sandbox.activationCode(), over);
    procs.push(await startProxyProcess(config));
    procs.push(await startProxyProcess(config));
    const [a, b] = procs;
    return { sandbox, db, a, b, till: await Till.pair(a.url, a.pairingCode), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

export interface Answer {
  status: number;
  body: any;
}

/** A till's terminal token, good on every proxy of the chain (the terminals table is shared). */
export class Till {
  constructor(readonly token: string) {}

  static async pair(base: string, code: string): Promise<Till> {
    const r = await fetch(`${base}/api/terminals/pair`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
    if (r.status !== 200) throw new Error(`pairing on ${base} refused: ${r.status} ${await r.text()}`);
    return new Till(((await r.json()) as { token: string }).token);
  }

  /** Rejects when the proxy cannot be reached (killed): what a till sees then. */
  async call(base: string, method: string, path: string, body?: unknown): Promise<Answer> {
    const r = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    return { status: r.status, body: r.headers.get('content-type')?.includes('json') ? await r.json() : await r.text() };
  }

  pay(base: string, body: PaymentBody): Promise<Answer> {
    return this.call(base, 'POST', '/api/payments', body);
  }

  get(base: string, outNo: string): Promise<Answer> {
    return this.call(base, 'GET', `/api/payments/${outNo}`);
  }
}

export interface PaymentBody {
  outNo: string;
  amountFen: number;
  authCode: string;
  method: string;
}

export function paymentBody(p: ChainProvider, outNo: string, amountFen: number, authCode: string): PaymentBody {
  return { outNo, amountFen, authCode, method: TRAITS[p].method };
}

/** One sale as the provider booked it: mct1 by our out_no, 微收银 (which never sees it) by payment code. */
export interface Charge {
  provider: ChainProvider;
  outNo?: string;
  authCode?: string;
  amountFen: number;
}

/** Every sale that moved the customer's money, at both providers of the sandbox server. */
export async function chargesAt(sandbox: SandboxServer): Promise<Charge[]> {
  const admin = async <T>(path: string): Promise<T> => (await (await fetch(`${sandbox.url}/sandbox${path}`)).json()) as T;
  const { orders } = await admin<{ orders: { outNo: string; ordNo: string; ordType: number; status: number; amountFen: number; originalOrdNo?: string }[] }>('/mct1/_admin/orders');
  const refunded = new Set(orders.filter((o) => o.ordType === 2 && o.status === 1).map((o) => o.originalOrdNo));
  const { bills } = await admin<{ bills: { authCode: string; status: string; amountFen: number }[] }>('/weishouyin/_admin/bills');
  return [
    ...orders
      .filter((o) => o.ordType === 1 && (o.status === 1 || refunded.has(o.ordNo)))
      .map((o): Charge => ({ provider: 'mct1', outNo: o.outNo, amountFen: o.amountFen })),
    ...bills.filter((b) => b.status === 'paid').map((b): Charge => ({ provider: 'weishouyin', authCode: b.authCode, amountFen: b.amountFen })),
  ];
}

/** The provider's charges of one payment (0 or 1 when all is well). */
export function chargesOf(all: Charge[], body: PaymentBody): Charge[] {
  const mct1 = body.method === TRAITS.mct1.method;
  return all.filter((c) => (c.provider === 'mct1' ? mct1 && c.outNo === body.outNo : !mct1 && c.authCode === body.authCode));
}

/** The ledger's payments paid (or paid and refunded since), in fen: what the provider must have taken. */
export function ledgerTakenFen(ledger: Ledger): number {
  return Number(ledger.db.prepare("SELECT COALESCE(SUM(amount_fen), 0) FROM payments WHERE status IN ('paid', 'refunded')").pluck().get());
}
