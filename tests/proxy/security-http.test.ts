/**
 * The browser-facing HTTP surface over real HTTP: which origins may call the API (CORS), the response
 * headers (nosniff, CSP, referrer, no caching of the API), and the bodies it reads (JSON only, small;
 * the voucher upload multipart, capped, behind the token).
 */
import { request as httpRequest } from 'node:http';
import { inspectRoutes } from 'hono/dev';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../proxy/app.ts';
import { EventBus } from '../../proxy/events/bus.ts';
import type { RunningStore } from '../../proxy/server.ts';
import { freshWechatCode, newOutNo, pair, startTestStore, type Client } from '../helpers/store.ts';

const PWA_ELSEWHERE = 'https://pos.example.com';
const EVIL = 'https://evil.example';

let store: RunningStore;
let manager: Client;
let cashier: Client;

beforeAll(async () => {
  store = await startTestStore({ security: { allowedOrigins: [PWA_ELSEWHERE] } });
  manager = await pair(store, 'manager');
  cashier = await pair(store, 'cashier');
});
afterAll(() => store?.close());

const sale = () => ({ outNo: newOutNo(), amountFen: 100, authCode: freshWechatCode() });

function post(path: string, body: unknown, headers: Record<string, string>) {
  return fetch(`${store.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

describe('origins', () => {
  it('refuses a money route called from another site with 403 JSON, before anything is charged', async () => {
    const body = sale();
    const r = await post('/api/payments', body, { authorization: `Bearer ${cashier.token}`, origin: EVIL });
    expect(r.status).toBe(403);
    expect(await r.json()).toMatchObject({ error: { code: 'origin_forbidden' } });
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
    expect(store.ledger.getPayment(body.outNo)).toBeUndefined();
    // The same for a refund, the back office, a read, and "null" (a sandboxed frame, a file).
    for (const [method, path, origin] of [
      ['POST', '/api/payments/X/refunds', EVIL],
      ['POST', '/pay/check_record/', EVIL],
      ['GET', '/api/payments', EVIL],
      ['GET', '/api/events', 'null'],
      ['GET', '/api/health', `${store.url}.evil.example`],
    ]) {
      const res = await fetch(`${store.url}${path}`, { method, headers: { authorization: `Bearer ${manager.token}`, origin } });
      expect([path, res.status]).toEqual([path, 403]);
    }
  });

  it('refuses a request the browser marks as sent by another site, even without an Origin', async () => {
    const r = await fetch(`${store.url}/api/payments`, { headers: { authorization: `Bearer ${manager.token}`, 'sec-fetch-site': 'cross-site' } });
    expect(r.status).toBe(403);
    const own = await fetch(`${store.url}/api/payments`, { headers: { authorization: `Bearer ${manager.token}`, 'sec-fetch-site': 'same-origin' } });
    expect(own.status).toBe(200);
  });

  it('takes the PWA\'s own origin (same host and port), with no CORS headers needed', async () => {
    const r = await post('/api/payments', sale(), { authorization: `Bearer ${cashier.token}`, origin: store.url });
    expect(r.status).toBe(200);
    expect((await r.json()).status).toBe('paid');
    // localhost and 127.0.0.1 are different origins: only the one in Host is ours.
    const other = await post('/api/payments', sale(), { authorization: `Bearer ${cashier.token}`, origin: `http://localhost:${store.port}` });
    expect(other.status).toBe(403);
  });

  it('answers a preflight from an allowed origin, and not from any other', async () => {
    const preflight = (origin: string) =>
      fetch(`${store.url}/api/payments`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
      });
    const ok = await preflight(PWA_ELSEWHERE);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(PWA_ELSEWHERE);
    expect(ok.headers.get('access-control-allow-methods')).toContain('POST');
    expect(ok.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    expect(ok.headers.get('access-control-allow-credentials')).toBeNull();
    expect(ok.headers.get('vary')).toContain('Origin');

    const bad = await preflight(EVIL);
    expect(bad.status).toBe(403);
    expect(bad.headers.get('access-control-allow-origin')).toBeNull();

    const real = await post('/api/payments', sale(), { authorization: `Bearer ${cashier.token}`, origin: PWA_ELSEWHERE });
    expect(real.status).toBe(200);
    expect(real.headers.get('access-control-allow-origin')).toBe(PWA_ELSEWHERE);
    expect(real.headers.get('access-control-expose-headers')).toContain('Retry-After');
  });

  it('behind a reverse proxy (trustProxy), the host the browser used is X-Forwarded-Host', async () => {
    const behind = await startTestStore({ security: { trustProxy: true } });
    try {
      const till = await pair(behind, 'cashier');
      const call = (headers: Record<string, string>) =>
        fetch(`${behind.url}/api/payments`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${till.token}`, ...headers }, body: JSON.stringify(sale()) });
      expect((await call({ origin: 'https://pos.store.cn', 'x-forwarded-host': 'pos.store.cn' })).status).toBe(200);
      expect((await call({ origin: EVIL, 'x-forwarded-host': 'pos.store.cn' })).status).toBe(403);
      // Without trustProxy the header means nothing.
      expect((await post('/api/payments', sale(), { authorization: `Bearer ${cashier.token}`, origin: 'https://pos.store.cn', 'x-forwarded-host': 'pos.store.cn' })).status).toBe(403);
    } finally {
      await behind.close();
    }
  });

  it('leaves the static PWA, the provider callbacks and calls without an Origin alone', async () => {
    const page = await fetch(`${store.url}/`, { headers: { origin: EVIL } });
    expect(page.status).not.toBe(403);
    const health = await fetch(`${store.url}/api/health`);
    expect(health.status).toBe(200);
    const events = await fetch(`${store.url}/api/events`, { headers: { authorization: `Bearer ${cashier.token}`, origin: store.url } });
    expect(events.status).toBe(200);
    expect(events.headers.get('content-type')).toContain('text/event-stream');
    await events.body?.cancel();
  });
});

describe('response headers', () => {
  it('the API: nosniff, no referrer, no framing, nothing to run, never cached — errors too', async () => {
    for (const res of [
      await fetch(`${store.url}/api/health`),
      await fetch(`${store.url}/api/payments`),
      await fetch(`${store.url}/api/payments`, { headers: { authorization: `Bearer ${manager.token}` } }),
      await fetch(`${store.url}/pay/consume_order`, { headers: { authorization: `Bearer ${manager.token}` } }),
    ]) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    }
  });

  it('the PWA\'s HTML: a strict Content-Security-Policy, nothing inline, nothing from elsewhere', async () => {
    const res = await fetch(`${store.url}/orders`);
    expect(res.headers.get('content-type')).toContain('text/html');
    const csp = Object.fromEntries(
      (res.headers.get('content-security-policy') ?? '').split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name, values];
      }),
    );
    expect(csp['default-src']).toEqual(["'self'"]);
    expect(csp['script-src']).toEqual(["'self'"]);
    expect(csp['style-src']).toEqual(["'self'"]);
    expect(csp['connect-src']).toEqual(["'self'"]);
    expect(csp['object-src']).toEqual(["'none'"]);
    expect(csp['frame-ancestors']).toEqual(["'none'"]);
    expect(csp['base-uri']).toEqual(["'none'"]);
    expect(JSON.stringify(csp)).not.toMatch(/unsafe|\*/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('leaves the sandbox providers\' answers as a provider would send them', async () => {
    const res = await fetch(`${store.url}/sandbox/mct1/_admin/stores`);
    expect(res.headers.get('content-security-policy')).toBeNull();
  });
});

describe('request bodies', () => {
  it('are JSON only on every POST route the app mounts (read from the app), but the voucher upload', async () => {
    /** Routes that read no body at all, and the one multipart upload. */
    const NO_JSON: Record<string, string> = {
      'POST /api/payments/:outNo/cancel': 'reads no body',
      'POST /api/terminals/:id/revoke': 'reads no body',
      'POST /api/terminals/:id/unlock': 'reads no body',
      'POST /pay/settlement/': 'multipart_required',
      'POST /notify/:provider': 'provider callbacks: the provider\'s own format',
      'POST /notify/:provider/:store': 'provider callbacks: the provider\'s own format',
    };
    const app = createApp({ ...store, bus: new EventBus(), sandbox: store.sandbox });
    const posts = [...new Set(inspectRoutes(app).filter((r) => !r.isMiddleware && r.method === 'POST' && !r.path.startsWith('/sandbox')).map((r) => r.path))];
    expect(posts.length).toBeGreaterThan(8);
    for (const route of posts) {
      const res = await fetch(`${store.url}${route.replace(/:\w+/g, 'X')}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${manager.token}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'outNo=A&amountFen=1&code=1',
      });
      const code = res.headers.get('content-type')?.includes('json') ? (await res.json()).error?.code : await res.text();
      const why = NO_JSON[`POST ${route}`];
      if (why === 'multipart_required') expect([route, res.status, code]).toEqual([route, 415, 'multipart_required']);
      else if (why) expect([route, res.status]).not.toEqual([route, 200]);
      else expect([route, res.status, code]).toEqual([route, 415, 'json_required']);
    }
  });

  it('are refused over 64 KiB: by Content-Length before reading, and while reading a chunked one', async () => {
    const big = JSON.stringify({ ...sale(), remark: 'x'.repeat(70 * 1024) });
    const declared = await post('/api/payments', JSON.parse(big), { authorization: `Bearer ${cashier.token}` });
    expect(declared.status).toBe(413);
    expect((await declared.json()).error.code).toBe('body_too_large');

    // A chunked body declares no length: 1 MiB streamed in 16 KiB pieces is cut off, not held.
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${store.url}/api/payments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${cashier.token}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', (e) => (String(e).includes('EPIPE') || String(e).includes('ECONNRESET') ? undefined : reject(e)));
      req.write('{"remark":"');
      let sent = 0;
      const more = () => {
        while (sent < 1024 * 1024) {
          sent += 16 * 1024;
          if (!req.write('y'.repeat(16 * 1024))) return void req.once('drain', more);
        }
        req.end('"}');
      };
      more();
    });
    expect(status).toBe(413);
  });

  it('the voucher upload: multipart only, behind the manager\'s token, capped at 5 MB', async () => {
    const form = () => {
      const f = new FormData();
      f.set('code', 'NOSUCH');
      f.set('person', '店长');
      f.set('voucher', new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0])], { type: 'image/png' }), 'v.png');
      return f;
    };
    const upload = (headers: Record<string, string>, body: BodyInit) => fetch(`${store.url}/pay/settlement/`, { method: 'POST', headers, body });
    expect((await upload({}, form())).status).toBe(401);
    expect((await upload({ authorization: `Bearer ${cashier.token}` }, form())).status).toBe(403);
    expect((await upload({ authorization: `Bearer ${manager.token}`, origin: EVIL }, form())).status).toBe(403);
    expect((await upload({ authorization: `Bearer ${manager.token}` }, form())).status).toBe(404); // no such record: it got through

    const huge = new FormData();
    huge.set('code', 'NOSUCH');
    huge.set('person', '店长');
    huge.set('voucher', new Blob([new Uint8Array(6 * 1024 * 1024)], { type: 'image/png' }), 'v.png');
    const tooBig = await upload({ authorization: `Bearer ${manager.token}` }, huge);
    expect(tooBig.status).toBe(413);
    expect((await tooBig.json()).error.code).toBe('body_too_large');
  });
});
