/**
 * Test harness: the kioskv5 simulator mounted in a parent Hono app at /sandbox/kioskv5 (as the
 * proxy mounts it), served over real HTTP on loopback; clients with an in-memory state store; a raw
 * request helper that speaks the protocol without the client.
 */
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { applyAuth, type HttpAuth } from '../../../../proxy/providers/http-auth.ts';
import { createKioskV5Provider, type KioskV5Options } from '../../../../proxy/providers/kioskv5/client.ts';
import { createKioskV5Simulator, SANDBOX_SHOP, type KioskV5SimulatorOptions } from '../../../../proxy/providers/kioskv5/simulator.ts';
import type { CallRecord, ProviderStateStore, Result } from '../../../../proxy/providers/types.ts';

export function memoryStore(initial: Record<string, string> = {}): ProviderStateStore & { data: Map<string, string> } {
  const data = new Map(Object.entries(initial));
  return {
    data,
    get: (k) => data.get(k),
    set: (k, v) => void data.set(k, v),
    delete: (k) => void data.delete(k),
  };
}

export interface RawAnswer {
  status: number;
  text: string;
  json?: unknown;
}

export interface RawOptions {
  /** Default: the sandbox shop's bearer token. */
  auth?: HttpAuth;
  encoding?: 'json' | 'form';
  method?: 'GET' | 'POST';
}

export type Client = ReturnType<typeof createKioskV5Provider> & { calls: CallRecord[]; store: ReturnType<typeof memoryStore> };

export interface Sandbox {
  sim: ReturnType<typeof createKioskV5Simulator>;
  /** Where the simulator is mounted, e.g. http://127.0.0.1:PORT/sandbox/kioskv5 */
  baseUrl: string;
  /** Every CallRecord of every client made with `client()`. */
  calls: CallRecord[];
  admin(path: string, init?: RequestInit): Promise<Response>;
  adminJson<T = Record<string, unknown>>(path: string, init?: RequestInit): Promise<T>;
  /** POSTs parameters to a path of the simulator, authenticated like a client would. */
  raw(path: string, params: Record<string, unknown>, o?: RawOptions): Promise<RawAnswer>;
  client(over?: Partial<KioskV5Options>): Client;
  close(): Promise<void>;
}

export async function startSandbox(opts: KioskV5SimulatorOptions = {}): Promise<Sandbox> {
  const sim = createKioskV5Simulator({ hangMs: 1_000, ...opts });
  const parent = new Hono();
  parent.route('/sandbox/kioskv5', sim.app);
  const server: ServerType = serve({ fetch: parent.fetch, port: 0, hostname: '127.0.0.1' });
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}/sandbox/kioskv5`;
  const calls: CallRecord[] = [];
  const admin = (path: string, init?: RequestInit) =>
    fetch(`${baseUrl}/_admin${path}`, init?.body && !init.headers ? { ...init, headers: { 'content-type': 'application/json' } } : init);
  let oidSeq = 5_000_000;
  return {
    sim,
    baseUrl,
    calls,
    admin,
    async adminJson<T>(path: string, init?: RequestInit) {
      return (await (await admin(path, init)).json()) as T;
    },
    async raw(path, params, o = {}) {
      const authed = applyAuth(o.auth ?? SANDBOX_SHOP.auth);
      const all: Record<string, unknown> = { ...params, ...authed.params };
      let res: Response;
      if (o.method === 'GET') {
        const qs = new URLSearchParams(Object.entries(all).map(([k, v]) => [k, String(v)]));
        res = await fetch(`${baseUrl}${path}?${qs}`, { headers: authed.headers });
      } else if (o.encoding === 'form') {
        const form = new URLSearchParams(Object.entries(all).map(([k, v]) => [k, String(v)]));
        res = await fetch(`${baseUrl}${path}`, { method: 'POST', headers: { ...authed.headers, 'content-type': 'application/x-www-form-urlencoded' }, body: form });
      } else {
        res = await fetch(`${baseUrl}${path}`, { method: 'POST', headers: { ...authed.headers, 'content-type': 'application/json' }, body: JSON.stringify(all) });
      }
      const text = await res.text();
      const out: RawAnswer = { status: res.status, text };
      try {
        out.json = JSON.parse(text);
      } catch {
        // not JSON: kept as text
      }
      return out;
    },
    client(over = {}) {
      const own: CallRecord[] = [];
      const store = (over.store as ReturnType<typeof memoryStore> | undefined) ?? memoryStore();
      const client = createKioskV5Provider({
        baseUrl,
        shopId: SANDBOX_SHOP.shopId,
        auth: SANDBOX_SHOP.auth,
        timeoutMs: 2_000,
        // Distinct oids per client, so clients with fresh stores never share an order.
        oidStart: (oidSeq += 1_000),
        ...over,
        store,
        onCall: (c) => {
          own.push(c);
          calls.push(c);
          over.onCall?.(c);
        },
      });
      return Object.assign(client, { calls: own, store });
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

export function ok<T extends object>(r: Result<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.kind}: ${r.error.message}`);
  return r;
}

/** The pay record in an envelope answer's data (or a bare answer). */
export function recordOf(a: RawAnswer): Record<string, unknown> {
  const j = a.json as Record<string, unknown>;
  return (j && 'code' in j && !('Id' in j) ? j.data : j) as Record<string, unknown>;
}
