/**
 * Secrets stay in the proxy (DESIGN.md invariant 5). A live-mode store is configured the way a shop
 * configures one — a config file plus environment variables — with every secret the config knows
 * set to a distinctive fake value the providers (simulators behind the test's provider host) are
 * made to accept. A realistic session runs over HTTP and in a real browser: pairing, payments on all
 * four providers (one lost answer, one unverifiable signature, a QR paid by callback, cash), refunds
 * with the supervisor password, a reconciliation run, receipts, history, lists, the event stream.
 *
 * Then every secret — and every payment code in full (they may only appear masked) — is looked for
 * in: every file of the built PWA, every API response body and header of the session (the browser's
 * too), everything the proxy wrote to the console, every table of the ledger, and every IndexedDB
 * database, localStorage and sessionStorage of the browser page after its sale. Any hit fails, with
 * where it was.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configuredSecrets, loadConfig, type Config } from '../../proxy/config.ts';
import { SANDBOX_SHOP } from '../../proxy/providers/kioskv5/simulator.ts';
import { SANDBOX_STORE } from '../../proxy/providers/mct1/simulator.ts';
import { sessionKey } from '../../proxy/providers/posmini/crypto.ts';
import { SANDBOX_SESSION } from '../../proxy/providers/posmini/simulator.ts';
import { SANDBOX_ACTIVATION_CODE } from '../../proxy/providers/weishouyin/index.ts';
import { startStore, type RunningStore } from '../../proxy/server.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { pairPage, sell } from '../helpers/checkout-page.ts';
import { CODE, FAST_TIMING, freshWechatCode, newOutNo, waitFor } from '../helpers/store.ts';
import { startProviderHost, type ProviderHost } from './provider-host.ts';
import { bytesAsTexts, findAll, ledgerCells, ledgerRows, type Haystack, type Needle } from './scan.ts';

/** Every secret the config knows, fake and distinctive. */
const SECRET = {
  supervisorPassword: 'SupPw-4c7e19b2',
  weishouyinActivationCode: 'WsyAct-8d1f3a66',
  mct1OpenKey: 'Mct1Key-e5b90c2d7a1f4e38b6d0c9a1',
  mct1ShopPass: 'ShopPw-71a2e9',
  kioskToken: 'KioskTok-3b8e0f5c92d1',
  posminiToken: 'PmTok-9e4a7c21d05f',
  posminiLoginPassword: 'PmLogin-26f1b8e3',
};
const MCT1_OPEN_ID = 'SecOpenId5a1e0c7d9b3f2a4e6c8d0b1f';
const KIOSK_SHOP = 77001;

const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let host: ProviderHost;
let store: RunningStore;
let config: Config;
let workDir: string;
let browser: Browser | undefined;

/** Everything the session saw, and what it must not contain. */
const responses: Haystack[] = [];
const logs: Haystack[] = [];
const browserState: Haystack[] = [];
const codesUsed: string[] = [];
/** Secrets the proxy learns on the way (the 微收银 device key from activation). */
const learned: Needle[] = [];

// --- capturing the proxy's console (it logs through console; it runs in this process) -------------

const restore: (() => void)[] = [];
function capture() {
  for (const level of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    const original = console[level];
    console[level] = (...args: unknown[]) => {
      logs.push({ where: `console.${level}`, text: args.map((a) => (a instanceof Error ? `${a.message}\n${a.stack}` : typeof a === 'string' ? a : JSON.stringify(a))).join(' ') });
    };
    restore.push(() => (console[level] = original));
  }
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream);
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      logs.push({ where: stream === process.stdout ? 'stdout' : 'stderr', text: typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8') });
      return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
    restore.push(() => (stream.write = original as typeof stream.write));
  }
}

// --- a recording HTTP client -----------------------------------------------------------------------

async function record(where: string, res: Response): Promise<{ status: number; body: any; headers: Headers }> {
  const bytes = new Uint8Array(await res.arrayBuffer());
  const type = res.headers.get('content-type') ?? '';
  responses.push({ where: `${where} headers`, text: [...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n') });
  responses.push(...bytesAsTexts(`${where} body`, bytes));
  if (!type.includes('json') && !type.includes('text')) responses.push({ where: `${where} body (gb18030)`, text: iconv.decode(Buffer.from(bytes), 'gb18030') });
  const text = Buffer.from(bytes).toString('utf8');
  return { status: res.status, headers: res.headers, body: type.includes('json') ? JSON.parse(text) : type.includes('text') ? text : bytes };
}

function client(token?: string) {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${store.url}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    return record(`${method} ${path} → ${res.status}`, res);
  };
  return { get: (p: string) => call('GET', p), post: (p: string, b: unknown = {}) => call('POST', p, b) };
}
type Client = ReturnType<typeof client>;

async function pair(role: 'cashier' | 'manager'): Promise<Client & { token: string }> {
  const code = role === 'manager' ? store.managerPairingCode : store.pairingCode;
  const r = await client().post('/api/terminals/pair', { code, name: `sec-${role}` });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return { ...client(r.body.token), token: r.body.token };
}

async function final(c: Client, outNo: string, statuses = ['paid', 'failed', 'cancelled', 'refunded']) {
  return waitFor(async () => {
    const r = await c.get(`/api/payments/${outNo}`);
    return statuses.includes(r.body.status) ? r.body : undefined;
  }, 10_000);
}

// --- the store ------------------------------------------------------------------------------------

beforeAll(async () => {
  capture();
  host = await startProviderHost({
    kioskv5: { shops: [{ shopId: KIOSK_SHOP, name: '安全测试店', auth: { type: 'bearer', token: SECRET.kioskToken } }] },
    posmini: { auth: { type: 'bearer', token: SECRET.posminiToken }, loginPassword: SECRET.posminiLoginPassword },
  });
  host.weishouyin.state.activationCodes[SECRET.weishouyinActivationCode] = { issuedAt: '2026-01-01 00:00:00' };
  const created = await host.admin('mct1', '/stores', { body: { open_id: MCT1_OPEN_ID, open_key: SECRET.mct1OpenKey, shop_pass: SECRET.mct1ShopPass, name: '安全测试门店' } });
  expect(created.status).toBe(201);

  // The config as a shop writes it: non-secret settings in the file, secrets in the environment.
  workDir = mkdtempSync(join(tmpdir(), 'pos-sec-'));
  const file = join(workDir, 'pos.config.json');
  writeFileSync(
    file,
    JSON.stringify({
      port: 0,
      host: '127.0.0.1',
      dataDir: join(workDir, 'data'),
      providers: ['weishouyin', 'mct1', 'kioskv5', 'posmini'],
      timing: FAST_TIMING,
      weishouyin: { baseUrl: host.baseUrl('weishouyin') },
      mct1: { baseUrl: host.baseUrl('mct1'), openId: MCT1_OPEN_ID },
      kioskv5: { baseUrl: host.baseUrl('kioskv5'), shopId: KIOSK_SHOP },
      posmini: { baseUrl: host.baseUrl('posmini') },
      reconciliation: { dailyAt: '' },
    }),
  );
  config = loadConfig({
    POS_CONFIG: file,
    POS_SUPERVISOR_PASSWORD: SECRET.supervisorPassword,
    WEISHOUYIN_ACTIVATION_CODE: SECRET.weishouyinActivationCode,
    MCT1_OPEN_KEY: SECRET.mct1OpenKey,
    MCT1_SHOP_PASS: SECRET.mct1ShopPass,
    KIOSKV5_TOKEN: SECRET.kioskToken,
    POSMINI_TOKEN: SECRET.posminiToken,
    POSMINI_LOGIN_PASSWORD: SECRET.posminiLoginPassword,
  });
  expect(config.mode).toBe('live');
  expect(new Set(configuredSecrets(config))).toEqual(new Set(Object.values(SECRET)));
  store = await startStore(config);
  expect(store.providers.all().map((p) => [p.id, p.info().ready])).toEqual([
    ['weishouyin', true],
    ['mct1', true],
    ['kioskv5', true],
    ['posmini', true],
  ]);
  const device = Object.values(host.weishouyin.state.devices)[0];
  learned.push({ name: 'weishouyin device key (from activation)', value: device.key });
}, 30_000);

afterAll(async () => {
  for (const undo of restore.reverse()) undo();
  await browser?.close();
  await store?.close();
  await host?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** Needles: the secrets, what is derived from them and sent in their place, and the sandboxes' own. */
function secretNeedles(): Needle[] {
  return [
    ...Object.entries(SECRET).map(([name, value]) => ({ name, value })),
    ...learned,
    { name: 'sha1(mct1ShopPass) (the shop_pass sent)', value: sha1(SECRET.mct1ShopPass) },
    { name: 'sha1(supervisorPassword)', value: sha1(SECRET.supervisorPassword) },
    { name: 'posmini session key UPPER(MD5(login password))', value: sessionKey(SECRET.posminiLoginPassword) },
  ];
}
const codeNeedles = (): Needle[] => codesUsed.map((c) => ({ name: `payment code …${c.slice(-4)} in full`, value: c }));

// --- the session ----------------------------------------------------------------------------------

describe('a realistic session', () => {
  it('pairs, takes payments on every provider, refunds, reconciles, prints, lists and streams events', async () => {
    const health = await client().get('/api/health');
    expect(health.body).toMatchObject({ ok: true, mode: 'live' });
    const cashier = await pair('cashier');
    const manager = await pair('manager');

    // The event stream, read for the whole session.
    const events = new AbortController();
    let stream = '';
    const sseDone = (async () => {
      const res = await fetch(`${store.url}/api/events`, { headers: { authorization: `Bearer ${cashier.token}` }, signal: events.signal });
      responses.push({ where: 'GET /api/events headers', text: [...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n') });
      const reader = res.body!.getReader();
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          stream += Buffer.from(value).toString('utf8');
        }
      } catch {
        // aborted at the end of the session
      }
    })();

    for (const p of ['/api/methods', '/api/terminals/me']) expect((await cashier.get(p)).status).toBe(200);
    expect((await manager.get('/api/terminals')).status).toBe(200);
    const methods = (await cashier.get('/api/methods')).body as { id: string; provider: string; kind: string }[];
    const barcode = (provider: string) => methods.find((m) => m.provider === provider && m.kind === 'barcode')!.id;

    const pay = async (body: Record<string, unknown>) => {
      if (typeof body.authCode === 'string') codesUsed.push(body.authCode);
      const outNo = newOutNo('S');
      const r = await cashier.post('/api/payments', { outNo, ...body });
      expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
      return { outNo, first: r.body, final: await final(cashier, outNo) };
    };
    const bill = `SECB-${Date.now() % 1e6}`;
    expect((await host.admin('posmini', '/bills', { body: { billnum: bill, totalFen: 1800 } })).status).toBe(201);

    const qrOutNo = newOutNo('Q');
    const [wPaid, wPassword, wLost, mPaid, mBadSign, kPaid, pPaid, , cash] = await Promise.all([
      pay({ amountFen: 1234, authCode: freshWechatCode(), items: [{ name: '拿铁', unitFen: 1234, quantity: 1 }] }),
      pay({ amountFen: 2200, authCode: CODE.password }),
      pay({ amountFen: 3300, authCode: CODE.lost }),
      pay({ amountFen: 4400, authCode: freshWechatCode(), method: 'mct1:Weixin' }),
      pay({ amountFen: 5500, authCode: '130000000000000008', method: 'mct1:Weixin' }),
      pay({ amountFen: 6600, authCode: freshWechatCode(), method: barcode('kioskv5') }),
      pay({ amountFen: 1800, authCode: freshWechatCode(), method: barcode('posmini'), billNo: bill }),
      (async () => {
        const r = await cashier.post('/api/payments', { outNo: qrOutNo, amountFen: 700, method: 'mct1:Weixin:qr' });
        expect(r.body.status).toBe('paying');
        expect((await host.admin('mct1', `/orders/${qrOutNo}/pay`, { method: 'POST' })).status).toBe(200);
        await final(cashier, qrOutNo);
      })(),
      pay({ amountFen: 800, method: 'mct1:Cash' }),
    ]);
    for (const p of [wPaid, wPassword, wLost, mPaid, mBadSign, kPaid, pPaid, cash]) expect(p.final.status, p.outNo).toBe('paid');
    expect(wLost.first.status).toBe('unknown');
    expect(mBadSign.first.status).toBe('unknown');
    expect((await cashier.get(`/api/payments/${qrOutNo}`)).body.status).toBe('paid');

    // Refunds: the cashier with the supervisor password (once wrong first), the manager with none,
    // the manager typing mct1's shop password; one beyond what is left.
    expect((await cashier.post(`/api/payments/${mPaid.outNo}/refunds`, { refundNo: newOutNo('R'), amountFen: 100, supervisorPassword: 'wrong-password', reason: '测试' })).status).toBe(403);
    const r1 = await cashier.post(`/api/payments/${mPaid.outNo}/refunds`, { refundNo: newOutNo('R'), amountFen: 400, supervisorPassword: SECRET.supervisorPassword, reason: '顾客退货' });
    expect(r1.body, JSON.stringify(r1.body)).toMatchObject({ status: 'refunded' });
    const r2 = await manager.post(`/api/payments/${mPaid.outNo}/refunds`, { refundNo: newOutNo('R'), amountFen: 500, supervisorPassword: SECRET.mct1ShopPass, reason: '店长退款' });
    expect(r2.body).toMatchObject({ status: 'refunded' });
    const r3 = await manager.post(`/api/payments/${wPaid.outNo}/refunds`, { refundNo: newOutNo('R'), amountFen: 1234, reason: '整单退款' });
    expect(r3.body).toMatchObject({ status: 'refunded' });
    expect((await manager.post(`/api/payments/${wPaid.outNo}/refunds`, { refundNo: newOutNo('R'), amountFen: 1, reason: '多退' })).status).toBe(422);

    // A reconciliation run and the back office's reads.
    const day = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const run = await manager.post('/pay/check_record/', { provider: 'mct1', day, remark: '安全测试' });
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    await manager.post('/pay/check_record/', { provider: 'weishouyin', day });
    for (const p of [`/pay/check_record/?time=${day}`, `/pay/check_bills?code=${run.body.data?.code ?? run.body.code ?? ''}`, '/pay/consume_order', `/pay/order_details?code=${mPaid.outNo}`, '/pay/account/', '/pay/settlement/']) {
      await manager.get(p);
    }

    // Receipts, history, lists, the day report, the pass card, a bill before payment.
    const all = [wPaid, wPassword, wLost, mPaid, mBadSign, kPaid, pPaid, cash].map((p) => p.outNo).concat(qrOutNo);
    for (const outNo of all) {
      await cashier.get(`/api/payments/${outNo}/receipt`);
      await cashier.get(`/api/payments/${outNo}/receipt?format=text`);
      expect((await manager.get(`/api/payments/${outNo}/history`)).status).toBe(200);
    }
    await cashier.get(`/api/payments/${wPaid.outNo}/receipt?reprint=1`);
    for (const r of [r1, r2, r3]) await manager.get(`/api/payments/${r === r3 ? wPaid.outNo : mPaid.outNo}/refunds/${r.body.refundNo}/receipt?format=text`);
    await cashier.get(`/api/payments/${kPaid.outNo}/passcard`);
    await cashier.get('/api/passcards');
    await cashier.post('/api/bills/receipt', { items: [{ name: '拿铁', unitFen: 1234, quantity: 2 }] });
    await cashier.get('/api/payments');
    await manager.get('/api/payments?pageSize=200');
    await manager.get('/api/reports/day');
    await manager.get('/api/audit');

    // Refusals and errors say what went wrong, never with a secret in them.
    await cashier.post('/api/payments', { outNo: newOutNo(), amountFen: 100, authCode: '99999' });
    await cashier.post('/api/payments', { outNo: newOutNo(), amountFen: 100, authCode: CODE.declined });
    await fetch(`${store.url}/notify/mct1?out_no=${qrOutNo}&status=1&timestamp=1&rand_str=x&sign=${'0'.repeat(32)}`).then((r) => record('GET /notify/mct1 (forged)', r));

    await sleep(300);
    events.abort();
    await sseDone;
    responses.push({ where: 'GET /api/events stream', text: stream });
    expect(stream).toContain('"status":"paid"');
  });

  it('in the browser: pairs, sells, and leaves the terminal state behind', async () => {
    browser = await launchBrowser();
    const page = await browser.newPage();
    page.on('console', (m) => logs.push({ where: `browser console.${m.type()}`, text: m.text() }));
    page.on('response', async (res) => {
      if (!res.url().startsWith(store.url) || res.url().includes('/api/events')) return;
      const headers = Object.entries(await res.allHeaders()).map(([k, v]) => `${k}: ${v}`).join('\n');
      responses.push({ where: `browser ${res.request().method()} ${res.url()} headers`, text: headers });
      const body = await res.body().catch(() => undefined);
      if (body) responses.push(...bytesAsTexts(`browser ${res.request().method()} ${res.url()} body`, body));
    });
    await pairPage(page, store.url, store.terminals.createPairingCode('cashier', 60_000).code);
    const code = freshWechatCode();
    codesUsed.push(code);
    await sell(page, '23.45', code);
    // On a busy machine the keystrokes may come too slowly to count as a scanner: then confirm it typed.
    const paid = page.locator('[data-testid=status][data-status=paid]');
    const confirm = page.getByTestId('confirm-manual');
    try {
      await paid.or(confirm).first().waitFor({ timeout: 15_000 });
      if (await confirm.isVisible()) await confirm.click();
      await paid.waitFor({ timeout: 15_000 });
    } catch (e) {
      const screen = await page.locator('body').innerText().catch(() => '?');
      const ledger = ledgerRows(config.dataDir, 'SELECT out_no, method, status, amount_fen, message FROM payments ORDER BY created_at DESC LIMIT 3');
      throw new Error(`the browser sale did not end paid: ${(e as Error).message}\nscreen: ${screen.slice(0, 600)}\nledger: ${JSON.stringify(ledger).slice(0, 600)}`);
    }
    const outNo = await page.getByTestId('status').getAttribute('data-out-no');

    // Every IndexedDB database and table, localStorage and sessionStorage, once the sale is final there.
    const dump = () =>
      page.evaluate(async () => {
        const open = (name: string) =>
          new Promise<IDBDatabase>((resolve, reject) => {
            const r = indexedDB.open(name);
            r.onsuccess = () => resolve(r.result);
            r.onerror = () => reject(r.error);
          });
        const tables: Record<string, unknown[]> = {};
        for (const { name } of await indexedDB.databases()) {
          const db = await open(name!);
          for (const table of Array.from(db.objectStoreNames)) {
            tables[`${name}.${table}`] = await new Promise<unknown[]>((resolve, reject) => {
              const q = db.transaction(table).objectStore(table).getAll();
              q.onsuccess = () => resolve(q.result);
              q.onerror = () => reject(q.error);
            });
          }
          db.close();
        }
        return { tables, local: JSON.stringify({ ...localStorage }), session: JSON.stringify({ ...sessionStorage }) };
      });
    const state = await waitFor(async () => {
      const d = await dump();
      const payment = (d.tables['pos.payments'] ?? []).find((p) => (p as { outNo?: string }).outNo === outNo) as { status?: string } | undefined;
      return payment?.status === 'paid' ? d : undefined;
    });
    expect(Object.keys(state.tables)).toContain('pos.payments');
    for (const [table, rows] of Object.entries(state.tables)) browserState.push({ where: `IndexedDB ${table}`, text: JSON.stringify(rows) });
    browserState.push({ where: 'localStorage', text: state.local }, { where: 'sessionStorage', text: state.session });
  });
});

// --- the scan ---------------------------------------------------------------------------------------

function distFiles(dir = 'dist'): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? distFiles(path) : [path];
  });
}

describe('no secret anywhere it could leak', () => {
  it('the built PWA: no configured secret, nor any of the sandboxes\' own', () => {
    const files = distFiles();
    expect(files.some((f) => f.endsWith('.js'))).toBe(true);
    const hay = files.flatMap((f) => bytesAsTexts(f, readFileSync(f)));
    const sandboxOwn: Needle[] = [
      { name: 'mct1 sandbox open_key', value: SANDBOX_STORE.openKey },
      { name: 'kioskv5 sandbox token', value: (SANDBOX_SHOP.auth as { token: string }).token },
      { name: 'posmini sandbox token', value: (SANDBOX_SESSION.auth as { token: string }).token },
      { name: 'posmini sandbox login password', value: SANDBOX_SESSION.loginPassword },
      { name: '微收银 seed activation code', value: SANDBOX_ACTIVATION_CODE },
    ];
    expect(findAll(hay, [...secretNeedles(), ...sandboxOwn, ...codeNeedles()])).toEqual([]);
  });

  it('every API response of the session, body and headers (the browser\'s too)', () => {
    expect(responses.length).toBeGreaterThan(60);
    expect(findAll(responses, [...secretNeedles(), ...codeNeedles()])).toEqual([]);
    // The codes do appear, masked, so the payments really are in what was scanned.
    expect(responses.some((r) => r.text.includes(`**************${codesUsed[0].slice(-4)}`))).toBe(true);
  });

  it('the proxy\'s console output', () => {
    expect(logs.some((l) => l.text.includes('[notify]')), 'the forged callback was logged').toBe(true);
    expect(findAll(logs, [...secretNeedles(), ...codeNeedles()])).toEqual([]);
  });

  it('every table of the ledger (the device key only where the proxy keeps it)', () => {
    const dataDir = config.dataDir;
    // provider_state holds the 微收银 device key by design (README, "Where data lives"); no API reads it.
    const cells = ledgerCells(dataDir, ['provider_state']);
    expect(cells.length).toBeGreaterThan(100);
    expect(findAll(cells, secretNeedles())).toEqual([]);
    expect(findAll(ledgerCells(dataDir).filter((c) => c.where.includes('provider_state')), learned)).toHaveLength(1);
    // payments.auth_code keeps the code to query by it (微收银 before a bill number is known); no API shows it.
    const withoutCodes = ledgerCells(dataDir, ['provider_state', 'payments.auth_code']);
    expect(findAll(withoutCodes, codeNeedles())).toEqual([]);
    expect(findAll(ledgerCells(dataDir, ['provider_state']), codeNeedles()).length).toBeGreaterThan(0);
  });

  it('IndexedDB, localStorage and sessionStorage of the browser after its sale', () => {
    expect(browserState.length).toBeGreaterThan(2);
    expect(findAll(browserState, [...secretNeedles(), ...codeNeedles()])).toEqual([]);
  });
});
