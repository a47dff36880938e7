/**
 * The 微收银 simulator on its own (app.request, no network): seed-shaped answers, mounting,
 * persistence, back office. The client-side behaviour is in client.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterAll, describe, expect, it } from 'vitest';
import {
  SANDBOX_ACTIVATION_CODE,
  WEISHOUYIN_SANDBOX_CODES as CODES,
  createWeishouyinSimulator,
} from '../../../../proxy/providers/weishouyin/simulator.ts';
import { configSign, signParams } from '../../../../proxy/providers/weishouyin/sign.ts';

type Sim = ReturnType<typeof createWeishouyinSimulator>;
const hostid = Buffer.from('<host cpu="test" mac="00:11:22:33:44:55" />').toString('base64');

async function activate(app: Hono, code = SANDBOX_ACTIVATION_CODE, retkey = '1') {
  const res = await app.request(`/o2o_dmprinter/app_device_register.php?${new URLSearchParams({ hostid, initkey: code, retkey })}`);
  const text = await res.text();
  const m = /device_id="(\d+)"(?: key="([0-9a-f]+)")?/.exec(text);
  return { text, deviceId: m?.[1] ?? '', key: m?.[2] ?? '' };
}

async function op(app: Hono, key: string, params: Record<string, string>): Promise<string> {
  const res = await app.request('/o2o-dm/op.php', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...params, sign: signParams(params, key) }),
  });
  return res.text();
}

const tmp = mkdtempSync(join(tmpdir(), 'wsy-sim-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('weishouyin simulator', () => {
  it('activation answers in the seed shape; a code works once', async () => {
    const sim = createWeishouyinSimulator();
    const a = await activate(sim.app);
    expect(a.text).toMatch(/^<dm ok="1" device_id="\d+" key="[0-9a-f]{40}" info="设备已成功注册!" \/>$/);
    expect((await activate(sim.app)).text).toBe('<dm ok="0" info="初始密钥不存在!" />');
    expect((await activate(sim.app, '123')).text).toBe('<dm ok="0" info="初始密钥不存在!" />');
    // retkey other than 1: no key in the answer.
    const fresh = sim.issueActivationCode();
    expect((await activate(sim.app, fresh, '0')).text).toMatch(/^<dm ok="1" device_id="\d+" info="设备已成功注册!" \/>$/);
  });

  it('config: the seed example methods, server derived from the mount', async () => {
    const sim = createWeishouyinSimulator();
    const { deviceId, key } = await activate(sim.app);
    const q = new URLSearchParams({ device_id: deviceId, ver: 'V1.01', sign: configSign(key, deviceId, 'V1.01') });
    const standalone = await (await sim.app.request(`/o2o_dmprinter/app.php?${q}`)).text();
    expect(standalone).toContain(' server="http://localhost" ');
    expect(standalone).toContain('<dm_code type="4" code="o2o_dm_code_wxpaysub" name="微信" coderegex="^1[0-5]\\d{16}$" cancelregex="^dm\\d+$" />');
    expect(standalone).toContain(
      '<dm_code type="30" code="o2o_dm_code_alipay_isv_beta" name="支付宝" coderegex="^28\\d{15,16}$" cancelregex="^dm\\d+$" />',
    );
    expect(standalone).toContain('payremind_template="\\x1b\\x40');

    const parent = new Hono();
    parent.route('/elsewhere/wsy', sim.app);
    const mounted = await (await parent.request(`http://shop.test:8787/elsewhere/wsy/o2o_dmprinter/app.php?${q}`)).text();
    expect(mounted).toContain(' server="http://shop.test:8787/elsewhere/wsy" ');
    const bad = new URLSearchParams({ device_id: deviceId, ver: 'V1.01', sign: configSign('wrong', deviceId, 'V1.01') });
    expect(await (await sim.app.request(`/o2o_dmprinter/app.php?${bad}`)).text()).toBe('<dm ok="-1" info="设备密钥错误" />');
    // A device deleted in the back office must activate again.
    expect((await sim.app.request(`/_admin/devices/${deviceId}`, { method: 'DELETE' })).status).toBe(200);
    expect(await (await sim.app.request(`/o2o_dmprinter/app.php?${q}`)).text()).toBe('<dm ok="-1" info="设备不存在" />');
  });

  it('micropay answers like the seed; noremind leaves out the paylist; paytype=alipay as in the seed examples', async () => {
    const sim = createWeishouyinSimulator();
    const { deviceId, key } = await activate(sim.app);
    const base = { action: 'micropay', device_id: deviceId, paytype: 'o2o_dm_code_wxpaysub', total: '0.01' };
    const full = await op(sim.app, key, { ...base, authcode: CODES.wechat.paid });
    expect(full).toMatch(
      /^<dm ok="1" info="支付成功" dm_id="dm\d+" total="0.01" pay_type="4" pay_time="[\d-]+ [\d:]+" pay_id="4200\d{24}" openid="[^"]+" no="">\n<ok>1<\/ok>\n<paylist>\n<pay>\n<id>\d+<\/id>/,
    );
    expect(full).toContain('<printinfo>\\x1b\\x40\\x1c\\x26\n');
    expect(full).toContain('<total_fee>1</total_fee>');
    const short = await op(sim.app, key, { ...base, authcode: '131234567890123456', noremind: '' });
    expect(short).toMatch(/^<dm ok="1" info="支付成功" dm_id="dm\d+" [^>]*no="">\n<\/dm>$/);
    const ali = await op(sim.app, key, { ...base, paytype: 'alipay', authcode: '287662437041841781' });
    expect(ali).toMatch(/^<dm ok="1" info="支付成功"/);
    expect(await op(sim.app, key, { ...base, paytype: 'unionpay', authcode: '287662437041841782' })).toBe('<dm ok="0" info="支付类型不存在：unionpay" />');
    expect(await op(sim.app, key, { ...base, total: '0.001', authcode: '131234567890123457' })).toBe('<dm ok="0" info="支付金额错误" />');
    expect(await op(sim.app, key, { ...base, total: '0', authcode: '131234567890123457' })).toBe('<dm ok="0" info="支付金额错误" />');
    expect(await op(sim.app, key, { ...base, action: 'reverse' })).toBe('<dm ok="0" info="未知的操作：reverse" />');
  });

  it('password polls are configurable; query by authcode of a code never seen: 订单不存在', async () => {
    const sim = createWeishouyinSimulator({ passwordPolls: 3 });
    const { deviceId, key } = await activate(sim.app);
    const first = await op(sim.app, key, { action: 'micropay', device_id: deviceId, authcode: CODES.wechat.password, paytype: 'o2o_dm_code_wxpaysub', total: '1.00' });
    expect(first).toMatch(/^<dm ok="-1" info="[^"]+" dm_id="dm\d+" total="1.00" pay_type="4" \/>$/);
    const dmId = /dm_id="(dm\d+)"/.exec(first)![1];
    const q = { action: 'query', device_id: deviceId, dm_id: dmId, noremind: '' };
    expect(await op(sim.app, key, q)).toMatch(/^<dm ok="-1"/);
    expect(await op(sim.app, key, q)).toMatch(/^<dm ok="-1"/);
    expect(await op(sim.app, key, q)).toMatch(/^<dm ok="1" total="1.00" pay_type="4" pay_time="[^"]+" info="支付成功【支付金额:1.00元】" dm_id="dm\d+" remark="\d+" openid="[^"]+" pay_id="\d+" no="">\n<\/dm>$/);
    expect(await op(sim.app, key, { action: 'query', device_id: deviceId, authcode: '135555555555555555' })).toBe('<dm ok="0" info="订单不存在" />');
  });

  it('reprint: no signature; unknown bill gives the empty 1970 voucher the seed shows', async () => {
    const sim = createWeishouyinSimulator();
    const text = await (await sim.app.request('/o2o-dm/pay_printinfo.php?reprint&dm_id=2032288236&custom_series')).text();
    const seed = readFileSync(join(import.meta.dirname, '../../../fixtures/weishouyin/reprint.txt'), 'utf8');
    // The seed's document collapsed the rule to "-----"; the simulator prints the full 32-dash line.
    expect(text.trim().replace(/-{5,}/g, '-----')).toContain(seed.trim().split('\n').slice(0, 4).join('\n'));
    expect(text).toContain('-'.repeat(32));
    expect(text).toContain('付款时间: 1970-01-01 08:00:00');
    expect(text).toContain('消费金额: \\x1D\\x21\\x11¥ 0.00');
  });

  it('persists its state to a file and survives a restart', async () => {
    const stateFile = join(tmp, 'state.json');
    const one = createWeishouyinSimulator({ stateFile });
    const { deviceId, key } = await activate(one.app);
    const paid = await op(one.app, key, { action: 'micropay', device_id: deviceId, authcode: CODES.alipay.paid, paytype: 'o2o_dm_code_alipay_isv_beta', total: '3.00' });
    const dmId = /dm_id="(dm\d+)"/.exec(paid)![1];
    await op(one.app, key, { action: 'refund', device_id: deviceId, dm_id: dmId, refund: '1.00' });

    const two = createWeishouyinSimulator({ stateFile });
    expect((await activate(two.app)).text).toBe('<dm ok="0" info="初始密钥不存在!" />');
    const read = await op(two.app, key, { action: 'read', device_id: deviceId, dm_id: dmId });
    expect(read).toMatch(new RegExp(`^<dm ok="1" dm_id="${dmId}" pay_type="支付宝" pay_total="3.00" pay_time="[^"]+" no="" refund_total="-1.00">`));
    const over = await op(two.app, key, { action: 'refund', device_id: deviceId, dm_id: dmId, refund: '2.01' });
    expect(over).toBe('<dm ok="0" info="退款金额超过可退金额（可退2.00元）" />');
    // A new bill continues the numbering.
    const next = await op(two.app, key, { action: 'micropay', device_id: deviceId, authcode: CODES.alipay.paid, paytype: 'o2o_dm_code_alipay_isv_beta', total: '4.00' });
    expect(Number(/dm_id="dm(\d+)"/.exec(next)![1])).toBe(Number(dmId.slice(2)) + 1);
  });

  it('back office: sandbox-labelled JSON, 404s, fault on any op, drop without a socket hangs', async () => {
    const sim: Sim = createWeishouyinSimulator({ hangMs: 30 });
    const res = await sim.app.request('/_admin/bills/dm1');
    expect(res.status).toBe(404);
    expect(res.headers.get('x-sandbox')).toBe('weishouyin');
    expect(await res.json()).toMatchObject({ sandbox: true });
    const code = await sim.app.request('/_admin/activation-codes', { method: 'POST' });
    expect(await code.json()).toEqual({ sandbox: true, code: expect.stringMatching(/^\d{14}$/) });

    await sim.app.request('/_admin/faults', { method: 'POST', body: JSON.stringify({ op: 'any', fault: '5xx' }) });
    expect((await sim.app.request('/o2o_dmprinter/time.php?device_id=1&sign=x')).status).toBe(503);
    expect(await (await sim.app.request('/o2o_dmprinter/time.php?device_id=1&sign=x')).text()).toBe('<dm ok="0" info="签名错误" />');

    // app.request has no Node socket to destroy: the "answer lost" path hangs instead (then 504).
    const { deviceId, key } = await activate(sim.app);
    const started = Date.now();
    const lost = await sim.app.request('/o2o-dm/op.php', {
      method: 'POST',
      body: new URLSearchParams({
        ...{ action: 'micropay', device_id: deviceId, authcode: CODES.wechat.answerLost, paytype: 'o2o_dm_code_wxpaysub', total: '0.05' },
        sign: signParams({ action: 'micropay', device_id: deviceId, authcode: CODES.wechat.answerLost, paytype: 'o2o_dm_code_wxpaysub', total: '0.05' }, key),
      }),
    });
    expect(lost.status).toBe(504);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    const bills = (await (await sim.app.request('/_admin/bills')).json()) as { bills: { status: string; amountFen: number; authCodeMasked: string }[] };
    expect(bills.bills).toEqual([expect.objectContaining({ status: 'paid', amountFen: 5, authCodeMasked: '**************0004' })]);
  });

  it('refuses oversize request bodies', async () => {
    const sim = createWeishouyinSimulator();
    const res = await sim.app.request('/o2o-dm/op.php', { method: 'POST', body: 'x='.padEnd(70 * 1024, 'y') });
    expect(res.status).toBe(413);
  });
});
