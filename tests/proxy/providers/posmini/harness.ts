/**
 * Test harness: the posmini simulator mounted in a parent Hono app at /sandbox/posmini (as the proxy
 * mounts it), served over real HTTP on loopback; clients with the sandbox session that record their
 * CallRecords; back-office helpers.
 */
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createPosMiniProvider, type PosMiniOptions, type PosMiniProvider } from '../../../../proxy/providers/posmini/client.ts';
import { createPosMiniSimulator, SANDBOX_SESSION, type PosMiniSimulatorOptions } from '../../../../proxy/providers/posmini/simulator.ts';
import type { CallRecord, Result } from '../../../../proxy/providers/types.ts';

export interface BillView {
  billnum: string;
  totalFen: number;
  paidFen: number;
  pendingFen: number;
  balanceFen: number;
  billpaystate: string;
  payments: number[];
}

export interface PaymentView {
  autoid: number;
  billnum: string;
  amountFen: number;
  state: 'paying' | 'paid' | 'failed';
  errmsg: string;
  authCodeMasked: string;
}

export interface Sandbox {
  sim: ReturnType<typeof createPosMiniSimulator>;
  /** The mount: clients use it as baseUrl. */
  baseUrl: string;
  /** Every CallRecord of every client made with `client()`. */
  calls: CallRecord[];
  admin(path: string, init?: RequestInit): Promise<Response>;
  adminJson<T = Record<string, unknown>>(path: string, init?: RequestInit): Promise<T>;
  /** Opens a fresh sales bill of `totalFen` and returns its number. */
  newBill(totalFen: number): Promise<string>;
  bill(billnum: string): Promise<{ bill: BillView; payments: PaymentView[] }>;
  client(over?: Partial<PosMiniOptions>): PosMiniProvider & { calls: CallRecord[] };
  close(): Promise<void>;
}

let billSeq = 0;

export async function startSandbox(opts: PosMiniSimulatorOptions = {}): Promise<Sandbox> {
  const sim = createPosMiniSimulator({ hangMs: 1_000, passwordPolls: 2, ...opts });
  const parent = new Hono();
  parent.route('/sandbox/posmini', sim.app);
  const server: ServerType = serve({ fetch: parent.fetch, port: 0, hostname: '127.0.0.1' });
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}/sandbox/posmini`;
  const calls: CallRecord[] = [];
  const admin = (path: string, init?: RequestInit) =>
    fetch(`${baseUrl}/_admin${path}`, init?.body && !init.headers ? { ...init, headers: { 'content-type': 'application/json' } } : init);
  const adminJson = async <T>(path: string, init?: RequestInit) => (await (await admin(path, init)).json()) as T;
  return {
    sim,
    baseUrl,
    calls,
    admin,
    adminJson,
    async newBill(totalFen) {
      const billnum = `T${process.pid % 1000}-${++billSeq}`;
      const res = await admin('/bills', { method: 'POST', body: JSON.stringify({ billnum, totalFen }) });
      if (res.status !== 201) throw new Error(`could not open bill: ${res.status} ${await res.text()}`);
      return billnum;
    },
    bill: (billnum) => adminJson(`/bills/${encodeURIComponent(billnum)}`),
    client(over = {}) {
      const own: CallRecord[] = [];
      const client = createPosMiniProvider({
        baseUrl,
        auth: SANDBOX_SESSION.auth,
        loginPassword: SANDBOX_SESSION.loginPassword,
        timeoutMs: 2_000,
        ...over,
        onCall: (c) => {
          own.push(c);
          calls.push(c);
          over.onCall?.(c);
        },
      });
      return Object.assign(client, { calls: own });
    },
    async close() {
      sim.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeAllConnections(): void }).closeAllConnections();
      });
    },
  };
}

let codeSeq = 0;
/** A fresh real-looking WeChat payment code (18 digits, "14…"): pays at once in the sandbox, once. */
export function freshCode(): string {
  return `14${String(Date.now() % 1e8).padStart(8, '0')}${String(++codeSeq).padStart(8, '0')}`;
}

export function ok<T extends object>(r: Result<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.kind}: ${r.error.message}`);
  return r;
}
