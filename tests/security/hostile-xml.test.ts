/**
 * XML from providers, at the proxy level over real HTTP: 微收银 (seed 001) and posmini (seed 003, XML
 * format) answer through a host that can replace any answer with a hostile document — a billion
 * laughs, an external entity, a document over the size cap and one just under it nested deep,
 * numeric character references (control characters, NUL, `<` to smuggle elements, surrogate halves,
 * out-of-range code points), duplicated attributes and elements, a UTF-8 BOM and GB18030.
 *
 * Each case asserts what the cashier and the books see: the payment ends in a safe state (a garbled
 * answer is `unknown`, then settled by a query: paid only if the provider really charged, never on
 * the hostile document's word), quickly, with an actionable message in Chinese and English; nothing
 * of the hostile document (marked EVIL) is in the ledger as the payment's data. The cases of one
 * test run at once, each keyed to its own payment code or sales bill.
 */
import iconv from 'iconv-lite';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ANSWER_BYTES } from '../../proxy/providers/posmini/codec.ts';
import { MAX_XML_DEPTH } from '../../proxy/providers/provider-xml.ts';
import { maskAuthCode } from '../../proxy/providers/redact-text.ts';
import { MAX_XML_BYTES } from '../../proxy/providers/weishouyin/codec.ts';
import type { RunningStore } from '../../proxy/server.ts';
import { freshWechatCode, newOutNo, pair, startTestStore, tempDataDir, waitFor, type Client } from '../helpers/store.ts';
import { startProviderHost, type HostCall, type ProviderHost } from './provider-host.ts';
import { ledgerRows } from './scan.ts';

const FINAL = ['paid', 'failed', 'cancelled', 'refunded'];
const MARK = 'EVIL';

interface Store {
  store: RunningStore;
  cashier: Client;
  dataDir: string;
}
let host: ProviderHost;
let wsy: Store;
let pm: Store;

beforeAll(async () => {
  host = await startProviderHost();
  const start = async (over: Parameters<typeof startTestStore>[0]): Promise<Store> => {
    const dataDir = tempDataDir();
    const store = await startTestStore({ dataDir, timing: { unknownGraceMs: 300 }, ...over });
    return { store, dataDir, cashier: await pair(store, 'cashier') };
  };
  [wsy, pm] = await Promise.all([
    start({ providers: ['weishouyin'], weishouyin: { baseUrl: host.baseUrl('weishouyin') } }),
    start({ providers: ['posmini'], posmini: { baseUrl: host.baseUrl('posmini'), format: 'xml' } }),
  ]);
  for (const s of [wsy, pm]) expect(s.store.providers.all().every((p) => p.info().ready)).toBe(true);
});
afterAll(async () => {
  await Promise.all([wsy?.store.close(), pm?.store.close()]);
  await host?.close();
  for (const s of [wsy, pm]) if (s) rmSync(s.dataDir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// Hostile documents. Unless a case says otherwise, each claims paid (ok="1" / errcode 0).
// ---------------------------------------------------------------------------------------------

const laughs = (root: string) => {
  const levels = [`<!ENTITY lol0 "${MARK}">`];
  for (let i = 1; i <= 9; i++) levels.push(`<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`);
  return `<?xml version="1.0"?><!DOCTYPE lolz [${levels.join('')}]>${root}`;
};
const xxe = (root: string) => `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${root}`;
/** `depth` elements deep inside the root, padded with text to `bytes` in all. */
const deep = (open: string, close: string, depth: number, bytes: number) => {
  const head = `${open}${'<n a="1">'.repeat(depth)}`;
  const tail = `${'</n>'.repeat(depth)}${close}`;
  return head + MARK.padEnd(bytes - head.length - tail.length, 'x') + tail;
};
/** Numeric references XML forbids (ESC p 0 25 250 opens the cash drawer, ESC @ resets the printer), then the same raw. */
const FORBIDDEN_REFS = ['&#x1b;p0&#25;&#250;', '&#27;@', '&#0;', '&#xD800;', '&#xdfff;', '&#x110000;', '&#99999999999;', '\x1bp0\x19', '\x00'];

const wsyPaid = (fen: number) =>
  `<dm ok="1" info="${MARK}支付成功" dm_id="dm${MARK}1" total="${(fen / 100).toFixed(2)}" pay_type="4" pay_time="2026-01-01 10:00:00" pay_id="${MARK}42"></dm>`;

const pmAnswer = (billnum: string, errcode = '0', errmsg = MARK) =>
  `<CommonOperationResultWithTagOfPosSellPaymentResultldpHZqFJ xmlns="http://schemas.datacontract.org/2004/07/DigitalScience.DataTransfer" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">` +
  `<errcode>${errcode}</errcode><errmsg>${errmsg}</errmsg><tag xmlns:d2p1="http://schemas.datacontract.org/2004/07/DigitalScience.DataTransfer.Tour.V5.Result">` +
  `<d2p1:autoid>999</d2p1:autoid><d2p1:billnum>${billnum}</d2p1:billnum><d2p1:billpaystate>3</d2p1:billpaystate></tag></CommonOperationResultWithTagOfPosSellPaymentResultldpHZqFJ>`;

interface Case {
  name: string;
  /** The simulator runs the call (and charges) before its answer is replaced. */
  execute: boolean;
  /** The hostile answer; `original` is the simulator's own when `execute`. */
  body(original: string | undefined, amountFen: number, billnum: string): string | Uint8Array;
  contentType?: string;
  /** What the cashier sees first: unknown unless the document is read as the provider meant it. */
  first?: 'unknown' | 'paid' | 'failed';
  check?(r: Sale): void | Promise<void>;
}

interface Sale {
  outNo: string;
  code: string;
  billNo?: string;
  first: { status: string; message?: string; providerRef?: string };
  final: { status: string; message?: string; providerRef?: string; amountFen: number };
  states: string[];
  ms: number;
}

let billSeq = 0;

/** One case: a sale whose payment call gets the hostile answer, then every assertion every case shares. */
async function run(s: Store, provider: 'weishouyin' | 'posmini', c: Case, amountFen = 1000 + Math.floor(Math.random() * 9000)): Promise<Sale> {
  const code = freshWechatCode();
  let billNo: string | undefined;
  if (provider === 'posmini') {
    billNo = `SEC${process.pid % 1000}-${++billSeq}`;
    expect((await host.admin('posmini', '/bills', { body: { billnum: billNo, totalFen: amountFen } })).status).toBe(201);
  }
  const mine = (call: HostCall) =>
    provider === 'weishouyin'
      ? call.provider === 'weishouyin' && call.params.action === 'micropay' && call.params.authcode === code
      : call.provider === 'posmini' && call.path.endsWith('/Pay/WithWechat/Barcode') && call.body.includes(`<billnum>${billNo}</billnum>`);
  host.tamper({
    match: mine,
    execute: c.execute,
    answer: (original) => ({ body: c.body(original, amountFen, billNo ?? ''), contentType: c.contentType ?? (provider === 'posmini' ? 'application/xml; charset=utf-8' : undefined) }),
  });

  const outNo = newOutNo('X');
  const started = Date.now();
  const res = await s.cashier.post('/api/payments', { outNo, amountFen, authCode: code, ...(billNo ? { billNo } : {}) });
  expect(res.status, `${c.name}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
  const final = await waitFor(async () => {
    const r = await s.cashier.get(`/api/payments/${outNo}`);
    return FINAL.includes(r.body.status) ? r.body : undefined;
  }, 8_000);
  const sale: Sale = { outNo, code, billNo, first: res.body, final, states: s.store.ledger.events(outNo).map((e) => e.to), ms: Date.now() - started };
  expect(host.tampered.some(mine), `${c.name}: the hostile answer was sent`).toBe(true);

  // Unknown first (the answer was not believed), with a message that tells the cashier what to do.
  const first = c.first ?? 'unknown';
  expect(sale.first.status, c.name).toBe(first);
  if (first === 'unknown') {
    expect(sale.first.message, c.name).toMatch(/[\u4e00-\u9fff].*请勿重复收款.*\/.*do not charge again/);
  }
  // Settled by the provider's truth: paid exactly once if it really charged, else never paid.
  expect(sale.final.status, c.name).toBe(c.execute ? 'paid' : first === 'paid' ? 'paid' : 'failed');
  expect(sale.states.filter((x) => x === 'paid'), c.name).toHaveLength(sale.final.status === 'paid' ? 1 : 0);
  if (c.execute) {
    expect(sale.final.amountFen).toBe(amountFen);
    if (provider === 'weishouyin') {
      const bills = (await host.admin('weishouyin', '/bills')).body.bills as { dmId: string; authCodeMasked: string; amountFen: number }[];
      const bill = bills.find((b) => b.authCodeMasked === maskAuthCode(code) && b.amountFen === amountFen);
      expect(sale.final.providerRef, c.name).toBe(bill?.dmId);
    } else {
      expect((await host.admin('posmini', `/bills/${billNo}`)).body.bill.paidFen, c.name).toBe(amountFen);
    }
  }
  expect(sale.final.message ?? '', c.name).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff]/);
  expectNoHostileData(s, outNo, c.name);
  expect(sale.ms, c.name).toBeLessThan(5_000);
  await c.check?.(sale);
  return sale;
}

/** The payment's own rows and its state changes: nothing of the hostile document may be there. */
function expectNoHostileData(s: Store, outNo: string, name: string) {
  const rows = [
    ...ledgerRows(s.dataDir, 'SELECT * FROM payments WHERE out_no = ?', outNo),
    ...ledgerRows(s.dataDir, 'SELECT * FROM payment_events WHERE out_no = ?', outNo),
    ...ledgerRows(s.dataDir, 'SELECT * FROM refunds WHERE out_no = ?', outNo),
  ];
  expect(rows.length).toBeGreaterThan(1);
  for (const row of rows) {
    for (const [column, value] of Object.entries(row)) {
      const text = String(value ?? '');
      expect(text, `${name}: ${column}`).not.toContain(MARK);
      expect(text, `${name}: ${column}`).not.toContain('root:');
      // No control character but the printer's own (printinfo), no NUL, no lone surrogate.
      if (column !== 'printinfo') expect(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(text), `${name}: ${column} has a control character`).toBe(false);
      expect(/[\ud800-\udfff]/.test(text), `${name}: ${column} has a surrogate`).toBe(false);
    }
  }
  // Not even the call log holds the content of a file the document pointed at.
  for (const call of ledgerRows(s.dataDir, 'SELECT response FROM provider_calls WHERE out_no = ?', outNo)) {
    expect(String(call.response)).not.toContain('root:x:0:0');
  }
}

const all = (s: Store, provider: 'weishouyin' | 'posmini', cases: Case[]) => Promise.all(cases.map((c) => run(s, provider, c)));

describe('微收银: hostile XML answers to micropay', () => {
  it('a billion laughs and an external entity (XXE): refused unparsed, unknown, then the truth by query', async () => {
    await all(wsy, 'weishouyin', [
      { name: 'laughs after a real charge', execute: true, body: (_o, fen) => laughs(wsyPaid(fen).replace('info="', 'info="&lol9;')) },
      { name: 'laughs, nothing charged', execute: false, body: (_o, fen) => laughs(wsyPaid(fen).replace('info="', 'info="&lol9;')) },
      { name: 'xxe, nothing charged', execute: false, body: (_o, fen) => xxe(wsyPaid(fen).replace('info="', 'info="&xxe;')) },
      { name: 'xxe after a real charge', execute: true, body: (o) => xxe(o!.replace('info="', 'info="&xxe;')) },
    ]);
  });

  it('over the size cap (not read to its end), and just under it nested deep: refused, unknown, then failed', async () => {
    const over = (fen: number) => wsyPaid(fen).replace('></dm>', `>${`<x>${MARK}</x>`.repeat(Math.ceil((MAX_XML_BYTES * 4) / 11))}</dm>`);
    const under = (fen: number) => deep(wsyPaid(fen).replace('></dm>', '>'), '</dm>', 99, MAX_XML_BYTES - 16);
    expect(Buffer.byteLength(under(1))).toBeLessThan(MAX_XML_BYTES);
    const sales = await all(wsy, 'weishouyin', [
      { name: 'over the cap', execute: false, body: (_o, fen) => over(fen) },
      { name: 'under the cap, 99 deep', execute: false, body: (_o, fen) => under(fen) },
      { name: 'one level deeper than MAX_XML_DEPTH', execute: false, body: (_o, fen) => deep(wsyPaid(fen).replace('></dm>', '>'), '</dm>', MAX_XML_DEPTH + 1, 4_000) },
    ]);
    // The huge one was cut off by the transport: the call log does not hold it.
    const logged = ledgerRows(wsy.dataDir, 'SELECT length(response) AS n FROM provider_calls WHERE out_no = ?', sales[0].outNo);
    expect(Math.max(...logged.map((c) => Number(c.n)))).toBeLessThanOrEqual(MAX_XML_BYTES);
  });

  it('references to characters XML forbids (drawer kick, NUL, surrogates, > U+10FFFF), even under version 1.1: refused whole', async () => {
    const inject = (o: string, what: string) =>
      `<?xml version="1.1"?>${o.replace(/<printinfo>/, `<printinfo>${MARK}${what}`).replace(/info="/, `info="${MARK}${what}`)}`;
    await all(
      wsy,
      'weishouyin',
      FORBIDDEN_REFS.map((what) => ({
        name: `forbidden ${JSON.stringify(what)}`,
        execute: true,
        body: (o) => inject(o!, what),
        // The receipt is the one the query brought: nothing of the refused answer, no drawer kick.
        async check(r) {
          const receipt = await wsy.cashier.get(`/api/payments/${r.outNo}/receipt`);
          expect(receipt.status).toBe(200);
          const bytes = Buffer.from(receipt.body as Uint8Array);
          expect(bytes.includes(MARK)).toBe(false);
          expect(bytes.includes(Buffer.from([0x1b, 0x70]))).toBe(false);
        },
      })),
    );
  });

  it('references that expand to `<` smuggle no element: a refusal stays a refusal, shown as text', async () => {
    const smuggled = '&#60;/dm&#62;&#60;dm ok=&quot;1&quot; total=&quot;5.67&quot; dm_id=&quot;dm1&quot;/&#62;&lt;dm ok=&quot;1&quot;/&gt;余额不足';
    await all(wsy, 'weishouyin', [
      {
        name: 'smuggled <dm ok="1">',
        execute: false,
        first: 'failed',
        body: () => `<dm ok="0" info="${smuggled}"><paylist>&#60;pay&#62;&#60;id&#62;1&#60;/id&#62;&#60;/pay&#62;</paylist></dm>`,
        check: (r) => expect(r.first.message).toContain('<dm ok="1" total="5.67" dm_id="dm1"/><dm ok="1"/>余额不足'),
      },
    ]);
  });

  it('duplicated attributes, elements and roots: never read as one of them — unknown, then the truth by query', async () => {
    await all(wsy, 'weishouyin', [
      { name: 'two roots, a refusal then a payment', execute: false, body: (_o, fen) => `<dm ok="0" info="余额不足"/>${wsyPaid(fen)}` },
      { name: 'ok twice', execute: false, body: (_o, fen) => wsyPaid(fen).replace('ok="1"', 'ok="0" ok="1"') },
      { name: 'total twice', execute: false, body: (_o, fen) => wsyPaid(fen).replace(' total="', ' total="0.01" total="') },
      {
        name: 'a real charge answered with two bills and no dm_id',
        execute: true,
        body: (o) => o!.replace(/<paylist>/, `<paylist><pay><id>${MARK}</id></pay>`).replace(/ dm_id="[^"]*"/, ''),
      },
    ]);
  });

  it('a UTF-8 BOM, and GB18030 named in Content-Type or only in the XML declaration: read as the provider meant them', async () => {
    const receiptText = async (r: Sale) => {
      const text = await wsy.cashier.get(`/api/payments/${r.outNo}/receipt?format=text`);
      expect(text.body).toMatch(/[\u4e00-\u9fff]{2}/);
      expect(text.body).not.toContain('\ufffd');
    };
    await all(wsy, 'weishouyin', [
      { name: 'bom', execute: true, first: 'paid', body: (o) => `\uFEFF${o}`, check: receiptText },
      {
        name: 'gb18030, charset in Content-Type',
        execute: true,
        first: 'paid',
        body: (o) => iconv.encode(`<?xml version="1.0" encoding="GB18030"?>${o!}`, 'gb18030'),
        contentType: 'text/xml; charset=GB18030',
        check: receiptText,
      },
      {
        name: 'gb18030, encoding in the declaration only',
        execute: true,
        first: 'paid',
        body: (o) => iconv.encode(`<?xml version="1.0" encoding="GB18030"?>${o!}`, 'gb18030'),
        contentType: 'text/xml',
        check: receiptText,
      },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('posmini (XML format): hostile XML answers to the barcode payment', () => {
  it('billion laughs, XXE, over the cap, deep under the cap, forbidden references: unknown, then the truth by query', async () => {
    await all(pm, 'posmini', [
      { name: 'laughs after a real charge', execute: true, body: (_o, _f, bill) => laughs(pmAnswer(bill, '0', '&lol9;')) },
      { name: 'xxe, nothing charged', execute: false, body: (_o, _f, bill) => xxe(pmAnswer(bill, '0', '&xxe;')) },
      { name: 'over the cap', execute: false, body: (_o, _f, bill) => pmAnswer(bill, '0', 'x'.repeat(MAX_ANSWER_BYTES * 2)) },
      {
        name: 'deep, under the cap',
        execute: false,
        body: () => deep('<CommonOperationResultWithTagOfX><errcode>0</errcode><errmsg>ok</errmsg><tag>', '</tag></CommonOperationResultWithTagOfX>', 99, MAX_ANSWER_BYTES - 16),
      },
      ...FORBIDDEN_REFS.map((what) => ({ name: `forbidden ${JSON.stringify(what)}`, execute: true, body: (o?: string) => o!.replace(/<errmsg>/, `<errmsg>${what}`) })),
    ]);
  });

  it('smuggled elements and duplicated fields: a refusal is not turned into a payment', async () => {
    await all(pm, 'posmini', [
      {
        name: 'errcode -1 with a smuggled errcode 0',
        execute: false,
        first: 'failed',
        body: (_o, _f, bill) => pmAnswer(bill, '-1', '&#60;/errmsg&#62;&#60;errcode&#62;0&#60;/errcode&#62;余额不足'),
        check: (r) => expect(r.first.message).toContain('<errcode>0</errcode>余额不足'),
      },
      // Which of two errcodes is meant is unknowable: unknown, then asked.
      { name: 'two errcodes', execute: false, body: (_o, _f, bill) => pmAnswer(bill).replace('<errcode>0</errcode>', '<errcode>-1</errcode><errcode>0</errcode>') },
      { name: 'another bill', execute: false, body: () => pmAnswer(`${MARK}-1`) },
    ]);
  });

  it('a UTF-8 BOM and GB18030 are read as the provider meant them', async () => {
    await all(pm, 'posmini', [
      { name: 'bom', execute: true, first: 'paid', body: (o) => `\uFEFF${o}` },
      { name: 'gb18030', execute: true, first: 'paid', body: (o) => iconv.encode(o!, 'gb18030'), contentType: 'application/xml; charset=gb18030' },
      {
        name: 'gb18030 in the declaration only',
        execute: true,
        first: 'paid',
        body: (o) => iconv.encode(`<?xml version="1.0" encoding="gb18030"?>${o!.replace(/^<\?xml[^>]*\?>/, '')}`, 'gb18030'),
        contentType: 'application/xml',
      },
    ]);
  });
});
