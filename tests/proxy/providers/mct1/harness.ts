/**
 * Test harness: the mct1 simulator mounted in a parent Hono app at /sandbox/mct1, served over real
 * HTTP on loopback; a tiny notify endpoint that answers per test; a raw request builder that speaks
 * the protocol with crypto.ts/sign.ts directly (not through the client).
 */
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createMct1Provider, type Mct1Options } from '../../../../proxy/providers/mct1/client.ts';
import { decryptData, encryptData } from '../../../../proxy/providers/mct1/crypto.ts';
import { createMct1Simulator, SANDBOX_STORE, type Mct1SimulatorOptions } from '../../../../proxy/providers/mct1/simulator.ts';
import { signParams } from '../../../../proxy/providers/mct1/sign.ts';
import type { CallRecord, Result } from '../../../../proxy/providers/types.ts';

async function listen(fetchApp: (req: Request, env?: unknown) => Response | Promise<Response>): Promise<{ server: ServerType; port: number }> {
  const server: ServerType = serve({ fetch: fetchApp, port: 0, hostname: '127.0.0.1' });
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port };
}

async function shut(server: ServerType): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    (server as unknown as { closeAllConnections(): void }).closeAllConnections();
  });
}

export interface RawAnswer {
  status: number;
  text: string;
  json?: Record<string, unknown>;
  /** The decrypted data, parsed. */
  data?: unknown;
  /** The decrypted data text, as the simulator encoded it. */
  dataText?: string;
}

export interface RawOptions {
  openId?: string;
  openKey?: string;
  /** Unix seconds. Default now. */
  timestamp?: number;
  /** Replaces the computed signature. */
  sign?: string;
  /** Replaces the encrypted data. */
  data?: string;
  /** Omits these form fields. */
  omit?: string[];
  /** Extra form fields (signed). */
  extra?: Record<string, string>;
  hexCase?: 'lower' | 'upper';
}

/** The form a client would POST: open_id, timestamp, data (AES hex of the JSON), sign. */
export function rawForm(payload: unknown, o: RawOptions = {}): URLSearchParams {
  const openKey: string = o.openKey ?? SANDBOX_STORE.openKey;
  const form: Record<string, string> = {
    open_id: o.openId ?? SANDBOX_STORE.openId,
    timestamp: String(o.timestamp ?? Math.floor(Date.now() / 1000)),
    data: o.data ?? encryptData(typeof payload === 'string' ? payload : JSON.stringify(payload), openKey, o.hexCase ?? 'lower'),
    ...(o.extra ?? {}),
  };
  for (const k of o.omit ?? []) delete form[k];
  form.sign = o.sign ?? signParams(form, openKey);
  if (o.omit?.includes('sign')) delete form.sign;
  return new URLSearchParams(form);
}

/** Reads an answer: the envelope, and the data decrypted with the store's key. */
export async function readAnswer(res: Response, openKey: string = SANDBOX_STORE.openKey): Promise<RawAnswer> {
  const text = await res.text();
  const out: RawAnswer = { status: res.status, text };
  try {
    out.json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return out;
  }
  if (typeof out.json.data === 'string') {
    const plain = decryptData(out.json.data, openKey);
    if (plain.ok) {
      out.dataText = plain.text;
      out.data = JSON.parse(plain.text);
    }
  }
  return out;
}

export interface Sandbox {
  sim: ReturnType<typeof createMct1Simulator>;
  baseUrl: string;
  /** Every CallRecord of every client made with `client()`. */
  calls: CallRecord[];
  admin(path: string, init?: RequestInit): Promise<Response>;
  adminJson<T = Record<string, unknown>>(path: string, init?: RequestInit): Promise<T>;
  raw(path: string, payload: unknown, o?: RawOptions): Promise<RawAnswer>;
  client(over?: Partial<Mct1Options>): ReturnType<typeof createMct1Provider> & { calls: CallRecord[] };
  close(): Promise<void>;
}

export async function startSandbox(opts: Mct1SimulatorOptions = {}): Promise<Sandbox> {
  const sim = createMct1Simulator({ hangMs: 1_000, notifyBaseMs: 20, notifyTimeoutMs: 200, ...opts });
  const parent = new Hono();
  parent.route('/sandbox/mct1', sim.app);
  const { server, port } = await listen(parent.fetch);
  const baseUrl = `http://127.0.0.1:${port}/sandbox/mct1`;
  const calls: CallRecord[] = [];
  const admin = (path: string, init?: RequestInit) =>
    fetch(`${baseUrl}/_admin${path}`, init?.body && !init.headers ? { ...init, headers: { 'content-type': 'application/json' } } : init);
  return {
    sim,
    baseUrl,
    calls,
    admin,
    async adminJson<T>(path: string, init?: RequestInit) {
      return (await (await admin(path, init)).json()) as T;
    },
    async raw(path, payload, o = {}) {
      const res = await fetch(`${baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: rawForm(payload, o),
      });
      return readAnswer(res, o.openKey);
    },
    client(over = {}) {
      const own: CallRecord[] = [];
      const client = createMct1Provider({
        baseUrl,
        openId: SANDBOX_STORE.openId,
        openKey: SANDBOX_STORE.openKey,
        shopPass: SANDBOX_STORE.shopPass,
        timeoutMs: 2_000,
        diyMethods: ['会员卡'],
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
      sim.close();
      await shut(server);
    },
  };
}

export interface NotifyHit {
  query: Record<string, string>;
  at: number;
}

/** A merchant's notify endpoint: records every callback and answers with `handler` (default notify_success). */
export async function startNotifyEndpoint() {
  const hits: NotifyHit[] = [];
  let handler: (hit: NotifyHit, n: number) => Response | Promise<Response> = () => new Response('notify_success');
  const app = new Hono();
  app.get('/notify/mct1', async (c) => {
    const hit = { query: Object.fromEntries(new URL(c.req.url).searchParams), at: Date.now() };
    hits.push(hit);
    return handler(hit, hits.length);
  });
  const { server, port } = await listen(app.fetch);
  return {
    url: `http://127.0.0.1:${port}/notify/mct1`,
    hits,
    answer(h: typeof handler) {
      handler = h;
    },
    close: () => shut(server),
  };
}

export function ok<T extends object>(r: Result<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.kind}: ${r.error.message}`);
  return r;
}

export async function until(check: () => boolean, timeoutMs = 3_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
