/**
 * The 微收银 client against the sandbox simulator over real HTTP on loopback (simulator mounted at
 * /sandbox/weishouyin in a parent Hono app, as the proxy mounts it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_ACTIVATION_CODE, WEISHOUYIN_SANDBOX_CODES as CODES } from '../../../../proxy/providers/weishouyin/index.ts';
import { signParams, timeSign } from '../../../../proxy/providers/weishouyin/sign.ts';
import type { PayOutcome, ProviderMethod, Result } from '../../../../proxy/providers/types.ts';
import { startSandbox, memoryStore, type Sandbox } from './harness.ts';

interface BillView {
  dmId: string;
  deviceId: string;
  status: string;
  amountFen: number;
  refundedFen: number;
  refunds: { refundId: string; amountFen: number }[];
  authCodeMasked: string;
}

let sb: Sandbox;
let main: ReturnType<Sandbox['client']>;
let wechat: ProviderMethod;
let alipay: ProviderMethod;
/** Every activation code the sandbox issued during the tests (must never appear in a CallRecord). */
const issuedCodes: string[] = [SANDBOX_ACTIVATION_CODE];
/** Every payment code used (must appear only masked). */
const usedAuthCodes = new Set<string>();

async function bills(): Promise<BillView[]> {
  return ((await (await sb.admin('/bills')).json()) as { bills: BillView[] }).bills;
}
async function freshCode(): Promise<string> {
  const code = await sb.freshCode();
  issuedCodes.push(code);
  return code;
}
function paid<T extends object>(r: Result<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.kind}: ${r.error.message}`);
  return r;
}
function pay(authCode: string, amountFen: number, method = authCode.startsWith('28') ? alipay : wechat, client = main) {
  usedAuthCodes.add(authCode);
  return client.pay({ outNo: `o-${authCode}-${amountFen}`, amountFen, authCode, method });
}
function ref(o: { providerRef?: string }, amountFen: number, authCode?: string, method = wechat) {
  return { outNo: 'ref', amountFen, method, providerRef: o.providerRef, authCode };
}

beforeAll(async () => {
  sb = await startSandbox({ passwordPolls: 2, hangMs: 1_000 });
  main = sb.client({ activationCode: SANDBOX_ACTIVATION_CODE });
  const init = paid(await main.init());
  [wechat, alipay] = init.methods;
});
afterAll(async () => {
  await sb?.close();
});

describe('activation and config', () => {
  it('activates with the seed test code, reads the config: two methods with working regexes', () => {
    expect(main.store.data.get('device_id')).toMatch(/^\d+$/);
    expect(main.store.data.get('key')).toMatch(/^[0-9a-f]{40}$/);
    expect(main.calls.map((c) => c.op)).toEqual(['activate', 'config']);
    expect(main.methods()).toEqual([
      { id: 'weishouyin:o2o_dm_code_wxpaysub', code: 'o2o_dm_code_wxpaysub', name: '微信', kind: 'barcode', codePattern: '^1[0-5]\\d{16}$' },
      {
        id: 'weishouyin:o2o_dm_code_alipay_isv_beta',
        code: 'o2o_dm_code_alipay_isv_beta',
        name: '支付宝',
        kind: 'barcode',
        codePattern: '^28\\d{15,16}$',
      },
    ]);
    for (const code of Object.values(CODES.wechat)) expect(new RegExp(wechat.codePattern!).test(code)).toBe(true);
    for (const code of Object.values(CODES.alipay)) expect(new RegExp(alipay.codePattern!).test(code)).toBe(true);
    expect(new RegExp(wechat.codePattern!).test(CODES.alipay.paid)).toBe(false);
    expect(main.info()).toEqual({ ready: true, storeName: expect.stringContaining('微收银沙箱门店') });
    const cfg = main.payConfig()!;
    expect(cfg.server).toBe(sb.baseUrl);
    expect(cfg.templates.payremind.startsWith('\x1b\x40')).toBe(true);
    expect(cfg.templates.payremind).toContain('{total}');
  });

  it('init again reads the config without activating', async () => {
    paid(await main.init());
    expect(main.calls.slice(-1).map((c) => c.op)).toEqual(['config']);
  });

  it('the seed code works only once; a wrong code is a clear config error', async () => {
    const again = sb.client({ activationCode: SANDBOX_ACTIVATION_CODE });
    const r = await again.init();
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.kind).toBe('config');
      expect(r.error.message).toContain('初始密钥不存在');
      expect(r.error.message).not.toContain(SANDBOX_ACTIVATION_CODE);
    }
    expect(again.info().ready).toBe(false);
    expect(again.info().message).toContain('激活失败');

    const wrong = sb.client({ activationCode: '11112222333344' });
    issuedCodes.push('11112222333344');
    const w = await wrong.init();
    expect(!w.ok && w.error.kind).toBe('config');
    const none = sb.client({});
    const n = await none.init();
    expect(!n.ok && n.error.kind).toBe('config');
    expect(!n.ok && n.error.message).toContain('激活');
  });

  it('onActivationFailed supplies a fresh code when the configured one is used', async () => {
    const c = sb.client({ activationCode: SANDBOX_ACTIVATION_CODE, onActivationFailed: freshCode });
    paid(await c.init());
    expect(c.calls.map((x) => [x.op, x.ok])).toEqual([
      ['activate', false],
      ['activate', true],
      ['config', true],
    ]);
  });

  it('re-activates once on 设备密钥错误 (stored key wrong), then reads the config', async () => {
    const store = memoryStore({ device_id: main.store.data.get('device_id')!, key: '0'.repeat(40) });
    const c = sb.client({ store, activationCode: SANDBOX_ACTIVATION_CODE, onActivationFailed: freshCode });
    paid(await c.init());
    expect(c.calls.map((x) => x.op)).toEqual(['config', 'activate', 'activate', 'config']);
    expect(c.calls[0].response).toBe('<dm ok="-1" info="设备密钥错误" />');
    expect(store.data.get('device_id')).not.toBe(main.store.data.get('device_id'));
    expect(store.data.get('key')).not.toBe('0'.repeat(40));
  });

  it('re-activates when the back office changed the device key', async () => {
    const c = sb.client({ onActivationFailed: freshCode });
    paid(await c.init());
    const id = c.store.data.get('device_id')!;
    expect((await sb.admin(`/devices/${id}/rekey`, { method: 'POST' })).status).toBe(200);
    paid(await c.init());
    expect(c.store.data.get('device_id')).not.toBe(id);
  });

  it('device id and key given by hand: no activation; a wrong key is a config error', async () => {
    const deviceId = main.store.data.get('device_id')!;
    const key = main.store.data.get('key')!;
    const c = sb.client({ deviceId, key });
    paid(await c.init());
    expect(c.calls.map((x) => x.op)).toEqual(['config']);
    const bad = sb.client({ deviceId, key: 'f'.repeat(40), onActivationFailed: freshCode });
    const r = await bad.init();
    expect(!r.ok && r.error.kind).toBe('config');
    expect(!r.ok && r.error.message).toContain('设备密钥错误');
    expect(bad.calls.map((x) => x.op)).toEqual(['config']);
  });

  it('not activated → config error on every payment call', async () => {
    const c = sb.client({});
    for (const r of [await c.pay({ outNo: 'x', amountFen: 1, authCode: CODES.wechat.paid, method: wechat }), await c.query(ref({ providerRef: 'dm1' }, 1)), await c.time()]) {
      expect(!r.ok && r.error.kind).toBe('config');
    }
    expect(c.calls).toEqual([]);
  });

  it('time', async () => {
    const t = paid(await main.time());
    expect(t.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
    expect(Math.abs(Date.parse(t.time) - Date.now())).toBeLessThan(5_000);
  });
});

describe('payments: every sandbox code', () => {
  it('1: paid at once (微信 and 支付宝), with decoded printinfo', async () => {
    const w = paid(await pay(CODES.wechat.paid, 101));
    expect(w).toMatchObject({ state: 'paid', amountFen: 101, providerCode: '1', message: '支付成功' });
    expect(w.providerRef).toMatch(/^dm\d+$/);
    expect(w.tradeNo).toMatch(/^4200\d{24}$/);
    expect(w.paidAt).toMatch(/\+08:00$/);
    expect(w.printinfo).toContain('\x1b\x40\x1c\x26');
    expect(w.printinfo).toContain('付款回执');
    expect(w.printinfo).toContain('¥1.01');
    expect(w.printinfo).not.toMatch(/\\x[0-9a-f]{2}/i);
    const a = paid(await pay(CODES.alipay.paid, 102));
    expect(a).toMatchObject({ state: 'paid', amountFen: 102 });
    expect(a.tradeNo).toMatch(/^\d{28}$/);
  });

  it('any other well-formed code pays at once; items are sent as infoaddo', async () => {
    usedAuthCodes.add('134604005619969099');
    const r = paid(
      await main.pay({
        outNo: 'items-1',
        amountFen: 560,
        authCode: '134604005619969099',
        method: wechat,
        items: [{ name: '双汇王中王80克', unitFen: 280, quantity: 2, barcode: '6902890227670' }],
      }),
    );
    expect(r.state).toBe('paid');
    const rec = main.calls.at(-1)!;
    const sent = new URLSearchParams(rec.request.split('\n')[1]);
    expect(sent.get('info')).toBe('分店');
    expect(sent.get('infoaddo')).toMatch(/^分店:items-1 NO\. \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\r\n货号\/品名 单价 数量 小计\r\n双汇王中王80克 2\.80 2\.00 5\.60\r\nGS1:6902890227670\r\n$/);
  });

  it('2: password — paying, then paid on the 2nd query by dm_id', async () => {
    const p = paid(await pay(CODES.wechat.password, 201));
    expect(p).toMatchObject({ state: 'paying', providerCode: '-1' });
    expect(p.providerRef).toMatch(/^dm\d+$/);
    const q1 = paid(await main.query(ref(p, 201)));
    expect(q1.state).toBe('paying');
    const q2 = paid(await main.query(ref(p, 201)));
    expect(q2).toMatchObject({ state: 'paid', providerRef: p.providerRef, amountFen: 201 });
    expect(q2.printinfo).toContain('支付凭证');
    expect(q2.printinfo).toContain('￥2.01');
  });

  it('3: declined', async () => {
    const r = paid(await pay(CODES.alipay.declined, 301));
    expect(r).toMatchObject({ state: 'failed', message: '支付失败：用户余额不足', providerCode: '0' });
    expect(main.calls.at(-1)).toMatchObject({ op: 'micropay', ok: false, errorKind: 'declined' });
  });

  it('4: charged, answer lost → network; a later query by authcode says paid', async () => {
    const r = await pay(CODES.wechat.answerLost, 401);
    expect(!r.ok && r.error.kind).toBe('network');
    const q = paid(await main.query({ outNo: 'x', amountFen: 401, method: wechat, authCode: CODES.wechat.answerLost }));
    expect(q).toMatchObject({ state: 'paid', amountFen: 401 });
    const b = (await bills()).filter((x) => x.dmId === q.providerRef);
    expect(b).toEqual([expect.objectContaining({ status: 'paid', amountFen: 401, authCodeMasked: '**************0004' })]);
  });

  it('5: provider hangs → timeout; query by authcode: 订单不存在, nothing charged', async () => {
    const impatient = sb.client({ deviceId: main.store.data.get('device_id'), key: main.store.data.get('key'), timeoutMs: 150 });
    paid(await impatient.init());
    const started = Date.now();
    const r = await pay(CODES.wechat.hang, 501, wechat, impatient);
    expect(!r.ok && r.error.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(900);
    const q = paid(await main.query({ outNo: 'x', amountFen: 501, method: wechat, authCode: CODES.wechat.hang }));
    expect(q).toMatchObject({ state: 'failed', message: '订单不存在', providerCode: '0' });
    expect((await bills()).some((b) => b.amountFen === 501)).toBe(false);
  });

  it('6: password forever, until the customer completes it in the back office', async () => {
    const p = paid(await pay(CODES.alipay.passwordForever, 601));
    expect(p.state).toBe('paying');
    for (let i = 0; i < 4; i++) expect(paid(await main.query(ref(p, 601, undefined, alipay))).state).toBe('paying');
    expect((await sb.admin(`/bills/${p.providerRef}/pay`, { method: 'POST' })).status).toBe(200);
    expect(paid(await main.query(ref(p, 601, undefined, alipay))).state).toBe('paid');
    // Only a paying bill can be completed.
    expect((await sb.admin(`/bills/${p.providerRef}/pay`, { method: 'POST' })).status).toBe(409);
  });

  it('7: garbage (HTTP 502 HTML) → response error, nothing charged', async () => {
    const r = await pay(CODES.wechat.garbage, 701);
    expect(!r.ok && r.error.kind).toBe('response');
    expect(!r.ok && r.error.provider?.code).toBe('502');
    expect((await bills()).some((b) => b.amountFen === 701)).toBe(false);
  });

  it('query by dm_id and by authcode give the same bill', async () => {
    usedAuthCodes.add('281234567890123456');
    const p = paid(await pay('281234567890123456', 801));
    const byRef = paid(await main.query(ref(p, 801, undefined, alipay)));
    const byCode = paid(await main.query({ outNo: 'x', amountFen: 801, method: alipay, authCode: '281234567890123456' }));
    expect(byRef).toMatchObject({ state: 'paid', providerRef: p.providerRef, tradeNo: p.tradeNo });
    expect(byCode).toMatchObject({ state: 'paid', providerRef: p.providerRef, tradeNo: p.tradeNo });
    const none = await main.query({ outNo: 'x', amountFen: 1, method: wechat });
    expect(!none.ok && none.error.kind).toBe('params');
    // An amount that differs from ours is not a payment we can accept.
    const other = await main.query(ref(p, 800, undefined, alipay));
    expect(!other.ok && other.error.kind).toBe('response');
  });

  it('refuses bad input before sending', async () => {
    const before = main.calls.length;
    const cases = [
      { amountFen: 0, authCode: CODES.wechat.paid, method: wechat },
      { amountFen: 1.5, authCode: CODES.wechat.paid, method: wechat },
      { amountFen: 1, authCode: '12ab', method: wechat },
      { amountFen: 1, authCode: CODES.alipay.paid, method: wechat },
    ];
    for (const c of cases) {
      const r = await main.pay({ outNo: 'bad', ...c });
      expect(!r.ok && r.error.kind).toBe('params');
    }
    const unknown = await main.pay({ outNo: 'bad', amountFen: 1, authCode: CODES.wechat.paid, method: { ...wechat, code: 'nope' } });
    expect(!unknown.ok && unknown.error.kind).toBe('config');
    expect(main.calls.length).toBe(before);
  });

  it('cancel is unsupported (the seed has no such call)', async () => {
    const r = await main.cancel(ref({ providerRef: 'dm1' }, 1));
    expect(!r.ok && r.error.kind).toBe('unsupported');
  });
});

describe('idempotency', () => {
  it('the same authcode twice never charges twice', async () => {
    const code = '139999999999999999';
    usedAuthCodes.add(code);
    const first = paid(await pay(code, 901));
    const second = paid(await pay(code, 901));
    expect(second).toMatchObject({ state: 'paid', providerRef: first.providerRef, tradeNo: first.tradeNo });
    // Another total with a used code: refused, still one bill.
    const third = paid(await pay(code, 902));
    expect(third).toMatchObject({ state: 'failed', message: '授权码已使用' });
    expect((await bills()).filter((b) => b.authCodeMasked.endsWith('9999'))).toHaveLength(1);
  });

  it('a sandbox code repeated as a retry is not charged again either', async () => {
    const first = paid(await pay(CODES.alipay.paid, 903));
    const again = paid(await pay(CODES.alipay.paid, 903));
    expect(again.providerRef).toBe(first.providerRef);
    expect((await bills()).filter((b) => b.amountFen === 903)).toHaveLength(1);
  });
});

describe('refunds, bill, reprint', () => {
  it('partial refunds add up; an over-refund is refused', async () => {
    const p = paid(await pay(CODES.wechat.paid, 1000));
    const r1 = paid(await main.refund(ref(p, 1000), { refundNo: 'r1', amountFen: 300 }));
    expect(r1).toMatchObject({ state: 'refunded', amountFen: 300, providerRef: p.providerRef, message: '退款成功' });
    expect(r1.refundedAt).toMatch(/\+08:00$/);
    expect(r1.printinfo).toContain('退款凭证');
    expect(r1.printinfo).toContain('¥ -3.00');
    paid(await main.refund(ref(p, 1000), { refundNo: 'r2', amountFen: 500 }));
    const over = await main.refund(ref(p, 1000), { refundNo: 'r3', amountFen: 201 });
    expect(!over.ok && over.error.kind).toBe('declined');
    expect(!over.ok && over.error.provider?.message).toContain('可退2.00元');
    paid(await main.refund(ref(p, 1000), { refundNo: 'r4', amountFen: 200 }));
    const none = await main.refund(ref(p, 1000), { refundNo: 'r5', amountFen: 1 });
    expect(!none.ok && none.error.kind).toBe('declined');
    const b = paid(await main.bill(ref(p, 1000)));
    expect(b).toMatchObject({ providerRef: p.providerRef, amountFen: 1000, refundedFen: 1000 });
    expect(b.lines.map((l) => l.amountFen)).toEqual([1000, -300, -500, -200]);
    const view = (await bills()).find((x) => x.dmId === p.providerRef)!;
    expect(view).toMatchObject({ amountFen: 1000, refundedFen: 1000 });
    expect(view.refunds.map((r) => r.amountFen)).toEqual([300, 500, 200]);
  });

  it('read after two refunds has the seed shape', async () => {
    const p = paid(await pay(CODES.wechat.paid, 2));
    paid(await main.refund(ref(p, 2), { refundNo: 'a', amountFen: 1 }));
    paid(await main.refund(ref(p, 2), { refundNo: 'b', amountFen: 1 }));
    const b = paid(await main.bill(ref(p, 2)));
    expect(b).toMatchObject({ amountFen: 2, refundedFen: 2, paidAt: p.paidAt });
    expect(b.lines).toEqual([
      { amountFen: 2, at: p.paidAt, tradeNo: p.tradeNo, methodName: '微信' },
      { amountFen: -1, at: expect.stringMatching(/\+08:00$/), tradeNo: expect.stringMatching(new RegExp(`^${p.providerRef}\\d{10}$`)), methodName: '微信' },
      { amountFen: -1, at: expect.stringMatching(/\+08:00$/), tradeNo: expect.stringMatching(new RegExp(`^${p.providerRef}\\d{10}$`)), methodName: '微信' },
    ]);
    expect(b.lines[1].tradeNo).not.toBe(b.lines[2].tradeNo);
    const raw = main.calls.at(-1)!.response;
    const t = '\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d';
    expect(raw).toMatch(
      new RegExp(
        `^<dm ok="1" dm_id="${p.providerRef}" pay_type="微信" pay_total="0.02" pay_time="${t}" no="" refund_total="-0.02">\\n` +
          `<pay pay_type="4" pay_name="微信" pay_total="0.02" pay_time="${t}" pay_id="4200\\d{24}" />\\n` +
          `<pay pay_type="4" pay_name="微信" pay_total="-0.01" pay_time="${t}" pay_id="${p.providerRef}\\d{10}" />\\n` +
          `<pay pay_type="4" pay_name="微信" pay_total="-0.01" pay_time="${t}" pay_id="${p.providerRef}\\d{10}" />\\n</dm>$`,
      ),
    );
  });

  it('refund and bill of an unknown or unpaid bill', async () => {
    const r = await main.refund(ref({ providerRef: 'dm1' }, 1), { refundNo: 'x', amountFen: 1 });
    expect(!r.ok && r.error.kind).toBe('not_found');
    const b = await main.bill(ref({ providerRef: 'dm1' }, 1));
    expect(!b.ok && b.error.kind).toBe('not_found');
    const p = paid(await pay(CODES.wechat.passwordForever, 1101));
    const u = await main.refund(ref(p, 1101), { refundNo: 'x', amountFen: 1 });
    expect(!u.ok && u.error.kind).toBe('declined');
    const noRef = await main.refund(ref({}, 1), { refundNo: 'x', amountFen: 1 });
    expect(!noRef.ok && noRef.error.kind).toBe('params');
  });

  it('reprint: the provider voucher, decoded; an unknown bill is not_found', async () => {
    const p = paid(await pay(CODES.wechat.paid, 1201));
    const r = paid(await main.reprint(ref(p, 1201)));
    expect(r.printinfo).toContain('\x1b\x40\x1d\x21\x11\x1b\x4d\x02微信支付凭证');
    expect(r.printinfo).toContain(`凭 证 号: ${p.providerRef!.slice(2)}`);
    expect(r.printinfo).toContain('¥ 12.01');
    expect(main.calls.at(-1)!.request).toMatch(/pay_printinfo\.php\?reprint&dm_id=\d+&custom_series=0$/);
    const none = await main.reprint(ref({ providerRef: 'dm1' }, 1));
    expect(!none.ok && none.error.kind).toBe('not_found');
  });
});

describe('signatures', () => {
  it('the simulator rejects a bad signature the way the seed shows; nothing is charged', async () => {
    const c = sb.client({ store: memoryStore({ device_id: main.store.data.get('device_id')!, key: main.store.data.get('key')! }) });
    paid(await c.init());
    c.store.set('key', 'e'.repeat(40));
    const before = (await bills()).length;
    const r = await pay(CODES.wechat.paid, 1301, wechat, c);
    expect(!r.ok && r.error.kind).toBe('sign');
    expect(c.calls.at(-1)!.response).toBe('<dm ok="0" info="签名错误" />');
    expect((await bills()).length).toBe(before);
    const t = await c.time(); // the time call's key is fixed, so it still works
    expect(t.ok).toBe(true);
  });

  it('raw op.php and time.php with a bad signature', async () => {
    const device_id = main.store.data.get('device_id')!;
    const params = { action: 'read', device_id, dm_id: 'dm1' };
    const bad = await fetch(`${sb.baseUrl}/o2o-dm/op.php`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...params, sign: signParams(params, 'nope') }),
    });
    expect(await bad.text()).toBe('<dm ok="0" info="签名错误" />');
    // GET works too, and the signature is case-insensitive.
    const good = await fetch(`${sb.baseUrl}/o2o-dm/op.php?${new URLSearchParams({ ...params, sign: signParams(params, main.store.data.get('key')!).toLowerCase() })}`);
    expect(await good.text()).toBe('<dm ok="0" info="账单不存在" />');
    const time = await fetch(`${sb.baseUrl}/o2o_dmprinter/time.php?device_id=${device_id}&sign=${timeSign('other')}`);
    expect(await time.text()).toBe('<dm ok="0" info="签名错误" />');
  });

  it('a code that does not match the method regex is refused by the simulator', async () => {
    const device_id = main.store.data.get('device_id')!;
    const params = { action: 'micropay', device_id, authcode: CODES.alipay.paid, paytype: 'o2o_dm_code_wxpaysub', total: '0.01' };
    const res = await fetch(`${sb.baseUrl}/o2o-dm/op.php`, {
      method: 'POST',
      body: new URLSearchParams({ ...params, sign: signParams(params, main.store.data.get('key')!) }),
    });
    expect(await res.text()).toBe('<dm ok="0" info="授权码格式错误，不是有效的微信付款码" />');
  });
});

describe('fault injection', () => {
  async function fault(body: object) {
    const res = await sb.admin('/faults', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(201);
  }

  it('5xx, then the next call is normal again', async () => {
    const p = paid(await pay(CODES.wechat.paid, 1401));
    await fault({ op: 'query', fault: '5xx' });
    const r = await main.query(ref(p, 1401));
    expect(!r.ok && r.error.kind).toBe('response');
    expect(!r.ok && r.error.provider?.code).toBe('503');
    expect(paid(await main.query(ref(p, 1401))).state).toBe('paid');
  });

  it('drop on micropay: executed, answer lost → network; query says paid', async () => {
    await fault({ op: 'micropay', fault: 'drop' });
    usedAuthCodes.add('131111111111111111');
    const r = await pay('131111111111111111', 1501);
    expect(!r.ok && r.error.kind).toBe('network');
    const q = paid(await main.query({ outNo: 'x', amountFen: 1501, method: wechat, authCode: '131111111111111111' }));
    expect(q.state).toBe('paid');
  });

  it('badxml on read, garbage on config, count', async () => {
    const p = paid(await pay(CODES.wechat.paid, 1601));
    await fault({ op: 'read', fault: 'badxml', count: 2 });
    for (let i = 0; i < 2; i++) {
      const r = await main.bill(ref(p, 1601));
      expect(!r.ok && r.error.kind).toBe('response');
    }
    paid(await main.bill(ref(p, 1601)));
    await fault({ op: 'config', fault: 'garbage' });
    const c = sb.client({ deviceId: main.store.data.get('device_id'), key: main.store.data.get('key') });
    const r = await c.init();
    expect(!r.ok && r.error.kind).toBe('response');
    paid(await c.init());
    // A configured client keeps its config through a transient failure of a later init.
    await fault({ op: 'config', fault: '5xx' });
    const again = await main.init();
    expect(!again.ok && again.error.kind).toBe('response');
    expect(main.info().ready).toBe(true);
    expect(paid(await pay(CODES.wechat.paid, 1602)).state).toBe('paid');
  });

  it('hang on refund: timeout, not executed', async () => {
    const p = paid(await pay(CODES.wechat.paid, 1701));
    const impatient = sb.client({ deviceId: main.store.data.get('device_id'), key: main.store.data.get('key'), timeoutMs: 150 });
    paid(await impatient.init());
    await fault({ op: 'refund', fault: 'hang' });
    const r = await impatient.refund(ref(p, 1701), { refundNo: 'x', amountFen: 1 });
    expect(!r.ok && r.error.kind).toBe('timeout');
    expect(paid(await main.bill(ref(p, 1701))).refundedFen).toBe(0);
  });

  it('refuses a malformed fault', async () => {
    const res = await sb.admin('/faults', { method: 'POST', body: JSON.stringify({ op: 'pay', fault: 'boom' }) });
    expect(res.status).toBe(400);
    const list = (await (await sb.admin('/faults')).json()) as { sandbox: boolean; faults: unknown[] };
    expect(list).toEqual({ sandbox: true, faults: [] });
  });
});

describe('call records', () => {
  it('every recorded call is redacted: no key, no activation code, no full payment code, no signature', () => {
    const keys = Object.values(sb.sim.state.devices).map((d) => d.key);
    expect(keys.length).toBeGreaterThan(3);
    expect(sb.calls.length).toBeGreaterThan(50);
    for (const call of sb.calls) {
      const text = `${call.request}\n${call.response}`;
      for (const k of keys) expect(text).not.toContain(k);
      for (const code of issuedCodes) expect(text).not.toContain(code);
      for (const code of usedAuthCodes) expect(text).not.toContain(code);
      expect(text).not.toMatch(/sign=(?!\*\*\*)[^&\s]/);
      expect(text).not.toMatch(/initkey=(?!\*\*\*)/);
      expect(text).not.toMatch(/\bkey="(?!\*\*\*")/);
      expect(call.provider).toBe('weishouyin');
      expect(call.durationMs).toBeGreaterThanOrEqual(0);
    }
    const micropay = sb.calls.find((c) => c.op === 'micropay')!;
    expect(micropay.request).toMatch(/authcode=\*{14}\d{4}/);
    const activate = sb.calls.find((c) => c.op === 'activate' && c.ok)!;
    expect(activate.request).toContain('initkey=***');
    expect(activate.response).toContain('key="***"');
  });
});
