/**
 * Who may call what, over real HTTP: every route the app mounts (read from the Hono app itself, so a
 * new route without a row here fails), called with no token, a cashier's, a manager's and a revoked
 * one. Then pairing codes (single use, expiry), and revocation (manager-only, never oneself, at once
 * on every route and on an open event stream).
 */
import { inspectRoutes } from 'hono/dev';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../proxy/app.ts';
import { EventBus } from '../../proxy/events/bus.ts';
import type { RunningStore } from '../../proxy/server.ts';
import { freshWechatCode, newOutNo, pair, startTestStore, type Client } from '../helpers/store.ts';

/** public: anyone; terminal: any paired terminal; manager: manager terminals only (cashier → 403). */
type Access = 'public' | 'terminal' | 'manager';

interface Row {
  access: Access;
  /** The path to call, parameters filled in. */
  path?: (ids: Ids) => string;
  body?: (ids: Ids) => unknown;
  /** Why a cashier is refused or allowed, when it is not obvious. */
  note?: string;
}

interface Ids {
  outNo: string;
  refundNo: string;
  /** A terminal nobody minds being revoked. */
  victim: () => Promise<string>;
}

const today = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

/**
 * Every route of the app but the sandbox simulators (mounted only in sandbox mode; they play the
 * providers' own servers and their back offices). Keyed by "METHOD path" exactly as Hono lists them.
 */
const ROUTES: Record<string, Row> = {
  'GET /api/health': { access: 'public' },
  'POST /api/terminals/pair': { access: 'public', body: () => ({}), note: 'the pairing code is the credential' },
  'GET /api/terminals/me': { access: 'terminal' },
  'GET /api/terminals': { access: 'manager' },
  'POST /api/terminals/pairing-codes': { access: 'manager', body: () => ({ role: 'cashier' }) },
  'POST /api/terminals/:id/revoke': { access: 'manager' },
  'POST /api/terminals/:id/unlock': { access: 'manager', note: 'a till locked out by wrong supervisor passwords (security-limits.test.ts)' },
  'GET /api/methods': { access: 'terminal' },
  'POST /api/payments': { access: 'terminal', body: () => ({ outNo: newOutNo(), amountFen: 1, authCode: freshWechatCode() }) },
  'GET /api/payments': { access: 'terminal', note: 'a cashier sees its own terminal\'s only' },
  'GET /api/payments/:outNo': { access: 'terminal' },
  'POST /api/payments/:outNo/cancel': { access: 'terminal', body: () => ({}) },
  'POST /api/payments/:outNo/refunds': {
    access: 'manager',
    body: () => ({ refundNo: newOutNo('R'), amountFen: 1, reason: 'table' }),
    note: 'a cashier only with the supervisor password (security-limits.test.ts)',
  },
  'GET /api/payments/:outNo/history': { access: 'manager' },
  'GET /api/payments/:outNo/receipt': { access: 'terminal' },
  'GET /api/payments/:outNo/refunds/:refundNo/receipt': { access: 'terminal' },
  'POST /api/bills/receipt': { access: 'terminal', body: () => ({ amountFen: 100 }) },
  'GET /api/passcards': { access: 'terminal' },
  'GET /api/payments/:outNo/passcard': { access: 'terminal' },
  'GET /api/payments/:outNo/passcard/receipt': { access: 'terminal' },
  'GET /api/reports/day': { access: 'manager' },
  'GET /api/stores': { access: 'terminal', note: 'a store-bound terminal sees its own store only (stores.test.ts)' },
  'GET /api/audit': { access: 'manager' },
  'GET /api/events': { access: 'terminal' },
  'ALL /api/*': { access: 'terminal', path: () => '/api/no-such-call', note: '404 for a terminal' },
  'GET /pay/consume_order': { access: 'manager' },
  'POST /pay/consume_order': { access: 'manager', body: (ids) => ({ code: ids.outNo, auto: true }) },
  'GET /pay/order_details': { access: 'manager' },
  'GET /pay/check_record/': { access: 'manager' },
  'POST /pay/check_record/': { access: 'manager', body: () => ({ provider: 'weishouyin', day: today() }) },
  'GET /pay/check_bills': { access: 'manager' },
  'GET /pay/account/': { access: 'manager' },
  'POST /pay/account/': { access: 'manager', body: () => ({}) },
  'GET /pay/settlement/': { access: 'manager' },
  'POST /pay/settlement/': { access: 'manager', body: () => ({}), note: 'multipart: JSON is 415 for a manager' },
  'GET /pay/settlement/voucher': { access: 'manager' },
  'ALL /pay/*': { access: 'manager', path: () => '/pay/no-such-call' },
  'GET /notify/:provider': { access: 'public', path: () => '/notify/mct1', note: 'the provider\'s signature is the credential' },
  'POST /notify/:provider': { access: 'public', path: () => '/notify/mct1', body: () => ({}) },
  'GET /notify/:provider/:store': { access: 'public', path: () => '/notify/mct1/main', note: 'a chain store\'s callbacks' },
  'POST /notify/:provider/:store': { access: 'public', path: () => '/notify/mct1/main', body: () => ({}) },
  'GET /*': { access: 'public', path: () => '/', note: 'the PWA' },
};

let store: RunningStore;
let cashier: Client;
let manager: Client;
let revoked: Client;
let ids: Ids;

beforeAll(async () => {
  store = await startTestStore({ pairingCodeTtlMs: 400 });
  cashier = await pair(store, 'cashier', '收银一号');
  manager = await pair(store, 'manager', '店长');
  revoked = await pair(store, 'manager', '丢失的平板');
  const outNo = newOutNo();
  const paid = await cashier.post('/api/payments', { outNo, amountFen: 500, authCode: freshWechatCode() });
  expect(paid.body.status).toBe('paid');
  const refundNo = newOutNo('R');
  expect((await manager.post(`/api/payments/${outNo}/refunds`, { refundNo, amountFen: 1, reason: 'setup' })).body.status).toBe('refunded');
  expect((await manager.post(`/api/terminals/${revoked.terminalId}/revoke`)).status).toBe(200);
  ids = { outNo, refundNo, victim: async () => (await pair(store, 'cashier', 'victim')).terminalId };
});
afterAll(() => store?.close());

/** Calls a route; for an event stream, only its status (the stream is dropped at once). */
async function call(method: string, path: string, token: string | undefined, body: unknown) {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const stop = new AbortController();
  const res = await fetch(`${store.url}${path}`, {
    method: method === 'ALL' ? 'GET' : method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: stop.signal,
  });
  const type = res.headers.get('content-type') ?? '';
  const json = type.includes('json') ? await res.json() : undefined;
  if (!json) stop.abort();
  return { status: res.status, code: json?.error?.code as string | undefined };
}

async function pathOf(key: string, row: Row): Promise<string> {
  if (row.path) return row.path(ids);
  const route = key.slice(key.indexOf(' ') + 1);
  let path = route.replace(':outNo', ids.outNo).replace(':refundNo', ids.refundNo);
  if (path.includes(':id')) path = path.replace(':id', await ids.victim());
  return path;
}

describe('every route × every role', () => {
  it('has a row for every route the app mounts, and no row for a route that is gone', () => {
    const app = createApp({ ...store, bus: new EventBus(), sandbox: store.sandbox });
    const mounted = new Set(
      inspectRoutes(app)
        .filter((r) => !r.isMiddleware && !r.path.startsWith('/sandbox'))
        .map((r) => `${r.method} ${r.path}`),
    );
    expect([...mounted].filter((k) => !(k in ROUTES)), 'routes without a row in ROUTES').toEqual([]);
    expect(Object.keys(ROUTES).filter((k) => !mounted.has(k)), 'rows for routes that are not mounted').toEqual([]);
  });

  for (const [key, row] of Object.entries(ROUTES)) {
    const method = key.slice(0, key.indexOf(' '));
    it(`${key}: ${row.access}${row.note ? ` (${row.note})` : ''}`, async () => {
      // The callback endpoint logs every unsigned callback it refuses: expected here.
      if (key.includes('/notify/')) vi.spyOn(console, 'warn').mockImplementation(() => {});
      const body = row.body?.(ids);
      const none = await call(method, await pathOf(key, row), undefined, body);
      const gone = await call(method, await pathOf(key, row), revoked.token, body);
      const asCashier = await call(method, await pathOf(key, row), cashier.token, row.body?.(ids));
      const asManager = await call(method, await pathOf(key, row), manager.token, row.body?.(ids));
      vi.restoreAllMocks();
      if (row.access === 'public') {
        for (const r of [none, asCashier, asManager]) expect(r.status).not.toBe(401);
        return;
      }
      expect(none).toMatchObject({ status: 401, code: 'unauthorized' });
      expect(gone, 'a revoked token').toMatchObject({ status: 401, code: 'unauthorized' });
      expect([401, 403], `a manager is refused ${JSON.stringify(asManager)}`).not.toContain(asManager.status);
      if (row.access === 'manager') expect(asCashier.status, `a cashier on ${key}`).toBe(403);
      else expect([401, 403], `a cashier is refused ${JSON.stringify(asCashier)}`).not.toContain(asCashier.status);
    });
  }
});

describe('pairing codes', () => {
  const pairWith = (code: string) =>
    fetch(`${store.url}/api/terminals/pair`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) }).then(
      async (r) => ({ status: r.status, body: await r.json() }),
    );

  it('are made by a manager only, work once, and expire after pairingCodeTtlMs', async () => {
    expect((await cashier.post('/api/terminals/pairing-codes', { role: 'manager' })).status).toBe(403);
    const made = await manager.post('/api/terminals/pairing-codes', { role: 'cashier' });
    expect(made.status).toBe(200);
    expect(made.body.code).toMatch(/^\d{8}$/);
    expect(Date.parse(made.body.expiresAt) - Date.now()).toBeLessThanOrEqual(400);

    const first = await pairWith(made.body.code);
    expect(first).toMatchObject({ status: 200, body: { role: 'cashier', token: expect.any(String) } });
    expect(await pairWith(made.body.code)).toMatchObject({ status: 401, body: { error: { code: 'pairing_code_invalid' } } });

    const late = await manager.post('/api/terminals/pairing-codes', { role: 'manager' });
    await new Promise((r) => setTimeout(r, 500));
    expect(await pairWith(late.body.code)).toMatchObject({ status: 401, body: { error: { code: 'pairing_code_expired' } } });
    // The codes printed at start-up have the same lifetime.
    expect((await pairWith(store.managerPairingCode)).status).toBe(401);
  });
});

describe('revoking a terminal', () => {
  it('lists the terminals for a manager, with who is revoked', async () => {
    const list = await manager.get('/api/terminals');
    expect(list.status).toBe(200);
    expect(list.body).toEqual(expect.arrayContaining([
      expect.objectContaining({ id: cashier.terminalId, name: '收银一号', role: 'cashier' }),
      expect.objectContaining({ id: revoked.terminalId, revokedAt: expect.any(String) }),
    ]));
    expect(JSON.stringify(list.body)).not.toMatch(/token/i);
  });

  it('is refused for oneself, twice, or an unknown terminal', async () => {
    expect((await manager.post(`/api/terminals/${manager.terminalId}/revoke`)).body.error.code).toBe('revoke_self');
    expect((await manager.get('/api/terminals/me')).status).toBe(200);
    expect((await manager.post(`/api/terminals/${revoked.terminalId}/revoke`)).body.error.code).toBe('terminal_already_revoked');
    expect((await manager.post('/api/terminals/TNOSUCH/revoke')).status).toBe(404);
  });

  it('closes the terminal\'s open event stream at once, and its next request is 401', async () => {
    const victim = await pair(store, 'cashier', 'stream');
    const res = await fetch(`${store.url}/api/events`, { headers: { authorization: `Bearer ${victim.token}` } });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain('event: hello');

    // Another terminal's stream stays open.
    const other = await fetch(`${store.url}/api/events`, { headers: { authorization: `Bearer ${cashier.token}` } });
    const otherReader = other.body!.getReader();
    await otherReader.read();

    expect((await manager.post(`/api/terminals/${victim.terminalId}/revoke`)).status).toBe(200);
    const ended = await Promise.race([reader.read().then((r) => r.done), new Promise((r) => setTimeout(() => r('still open'), 2_000))]);
    expect(ended).toBe(true);
    expect((await victim.get('/api/terminals/me')).status).toBe(401);
    expect((await victim.get('/api/events')).status).toBe(401);

    const otherState = await Promise.race([otherReader.read().then((r) => (r.done ? 'closed' : 'data')), new Promise((r) => setTimeout(() => r('open'), 300))]);
    expect(otherState).not.toBe('closed');
    await otherReader.cancel();
  });
});
