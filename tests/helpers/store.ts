/** Starts a whole store (proxy + in-process sandbox) on loopback, the way `npm start` does, with quick timings. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, mergeConfig, type Config } from '../../proxy/config.ts';
import { startStore, type RunningStore } from '../../proxy/server.ts';

type Overrides = Parameters<typeof mergeConfig>[1];

export const FAST_TIMING = {
  pollIntervalMs: 100,
  payingTimeoutMs: 1_500,
  requestTimeoutMs: 1_000,
  unknownRetryMs: 100,
  unknownGraceMs: 600,
  watchMs: 10_000,
  watchIntervalMs: 200,
  tickMs: 50,
};

export function testConfig(over: Overrides = {}): Config {
  const base = mergeConfig(defaultConfig(), {
    port: 0,
    host: '127.0.0.1',
    dataDir: ':memory:',
    supervisorPassword: 'sup-secret-8841',
    timing: FAST_TIMING,
    sandbox: { passwordPolls: 2, hangMs: 3_000, notifyBaseMs: 200 },
  });
  return mergeConfig(base, over);
}

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'pos-test-'));
}

export async function startTestStore(over: Overrides = {}): Promise<RunningStore> {
  return startStore(testConfig(over));
}

export interface Client {
  token: string;
  terminalId: string;
  get(path: string): Promise<{ status: number; body: any; headers: Headers }>;
  post(path: string, body?: unknown): Promise<{ status: number; body: any; headers: Headers }>;
}

/** Pairs a terminal over HTTP and returns a small JSON client that carries its token. */
export async function pair(store: RunningStore, role: 'cashier' | 'manager' = 'cashier', name?: string, storeId?: string): Promise<Client> {
  const code = store.terminals.createPairingCode(role, 60_000, storeId).code;
  const res = await fetch(`${store.url}/api/terminals/pair`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code, name }),
  });
  const { token, terminalId } = (await res.json()) as { token: string; terminalId: string };
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${store.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const type = r.headers.get('content-type') ?? '';
    const parsed = type.includes('json') ? await r.json() : type.includes('text') ? await r.text() : new Uint8Array(await r.arrayBuffer());
    return { status: r.status, body: parsed, headers: r.headers };
  };
  return { token, terminalId, get: (p) => call('GET', p), post: (p, b) => call('POST', p, b ?? {}) };
}

let seq = 0;
export function newOutNo(prefix = 'T'): string {
  return `${prefix}${Date.now().toString(36)}${(seq++).toString(36)}${Math.random().toString(36).slice(2, 6)}`.slice(0, 32);
}

/** Polls until `fn` returns a truthy value or the time runs out. */
export async function waitFor<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000, stepMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`waitFor: timed out after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** Sandbox payment codes (see README): prefix 13 = WeChat, 28 = Alipay; last digit picks the behaviour. */
export const CODE = {
  paid: '130000000000000001',
  password: '130000000000000002',
  declined: '130000000000000003',
  lost: '130000000000000004',
  hang: '130000000000000005',
  passwordForever: '130000000000000006',
  garbage: '130000000000000007',
  alipayPaid: '280000000000000001',
};

/** A fresh "any other well-formed code pays at once" WeChat code. */
export function freshWechatCode(): string {
  return '134' + String(Date.now()).slice(-9) + String(Math.floor(Math.random() * 1e6)).padStart(6, '0');
}
