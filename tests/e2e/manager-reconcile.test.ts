/**
 * The manager's 对账 and 结算 screens in headless Chromium against a whole store: mct1 payments with
 * discrepancies planted in the sandbox's books (one dropped, one a fen off, a sale we never made),
 * reconciled from the screen — the header figures, each row's label, the legend, the order details,
 * the orders needing attention with their auto flag; a provider with no day bill and 微收银's
 * partial bill said plainly; then the settlement record the run made, settled by uploading a PNG
 * voucher through the file input (a text file refused first, a record settled elsewhere refused),
 * shown back as an image; and an account added and changed.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStore } from '../../proxy/server.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { pairPage } from '../helpers/checkout-page.ts';
import { freshWechatCode, newOutNo, pair, startTestStore, type Client } from '../helpers/store.ts';

let store: RunningStore;
let browser: Browser;
let page: Page;
let cashier: Client;
let manager: Client;
/** The day the payments were made (China time), and the page's terminal name. */
let day = '';
let pageTerminalName = '';
const o: Record<string, string> = {};
const STRANGER = 'STRANGERE2E01';

const chinaDay = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);
/** A 1×1 PNG: a real image the browser decodes. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

async function pay(name: string, amountFen: number) {
  const r = await cashier.post('/api/payments', { outNo: newOutNo('RC'), amountFen, method: 'mct1:Weixin', authCode: freshWechatCode() });
  expect(r.body.status).toBe('paid');
  o[name] = r.body.outNo;
}

const row = (outNo: string) => page.locator(`[data-testid=recon-row][data-out-no="${outNo}"]`);
const rowOrder = () => page.locator('[data-testid=recon-row]').evaluateAll((els) => els.map((e) => e.getAttribute('data-out-no')));
const record = (code: string) => page.locator(`[data-testid=settle-record][data-code="${code}"]`);

beforeAll(async () => {
  // kioskv5 has no day bill; no carry-over window, so a run near midnight gives the same rows.
  store = await startTestStore({ providers: ['weishouyin', 'mct1', 'kioskv5'], reconciliation: { carryWindowMs: 1, dailyAt: '' } });
  cashier = await pair(store, 'cashier');
  manager = await pair(store, 'manager', '后台店长');
  day = chinaDay(Date.now());
  await pay('normal', 1000);
  await pay('dropped', 700);
  await pay('offByOne', 1234);
  await pay('refunded', 500);
  expect((await manager.post(`/api/payments/${o.refunded}/refunds`, { refundNo: newOutNo('R'), amountFen: 200, reason: '退货' })).body.status).toBe('refunded');
  const planted = await fetch(`${store.url}/sandbox/mct1/_admin/discrepancies`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ reset: true, drop: [o.dropped], amountOff: [{ outNo: o.offByOne, deltaFen: 1 }], extra: [{ amountFen: 777, outNo: STRANGER }] }),
  });
  expect(planted.status).toBe(201);

  browser = await launchBrowser();
  page = await (await browser.newContext()).newPage();
  await pairPage(page, store.url, store.managerPairingCode);
  pageTerminalName = store.terminals.list().find((t) => t.role === 'manager' && t.name !== '后台店长')!.name;
  await page.getByTestId('open-orders').click();
  await page.locator('[data-testid=orders][data-state=ready]').waitFor();
  await page.getByTestId('orders-tab-reconcile').click();
  await page.getByTestId('reconcile').waitFor();
});
afterAll(async () => {
  await browser?.close();
  await store?.close();
});

describe('对账 / Reconcile', () => {
  it('says plainly that a provider without a day bill cannot be reconciled', async () => {
    // The day defaults to yesterday.
    expect(await page.getByTestId('recon-day').inputValue()).toBe(chinaDay(Date.now() - 86_400_000));
    await page.locator('[data-testid=recon-provider][data-provider=kioskv5]').click();
    await page.getByTestId('recon-day').fill(day);
    await page.getByTestId('recon-run').click();
    const problem = page.getByTestId('recon-run-problem');
    await problem.waitFor();
    expect(await problem.innerText()).toBe('一体机 kioskv5 不提供可读取的对账单，不能对账 / 一体机 kioskv5 offers no day bill to read: it cannot be reconciled');
    expect(await page.locator('[data-testid=recon-provider][data-provider=kioskv5]').innerText()).toContain('不能对账');
  });

  it('runs mct1\'s day and shows the header figures, each row\'s label and the legend', async () => {
    await page.locator('[data-testid=recon-provider][data-provider=mct1]').click();
    await page.getByTestId('recon-run').click();
    await page.locator('[data-testid=recon-run][data-state=ready]').waitFor({ timeout: 15_000 });

    const code = (await page.getByTestId('recon-run').getAttribute('data-code'))!;
    const api = (await manager.get(`/pay/check_bills?code=${code}`)).body.data;
    const h = page.getByTestId('recon-header');
    // Rows: 正常 10.00, 短款 7.00, 异常 12.34 (the provider has 12.35), 已退款 5.00, 长款 7.77.
    const want = { count: 5, total: 1000 + 700 + 1234 + 500 + 777, successCount: 2, successFen: 1500, abnormalCount: 3, abnormalFen: 700 + 1234 + 777 };
    const shown = {
      count: Number(await h.getAttribute('data-count')),
      total: Number(await h.getAttribute('data-total')),
      successCount: Number(await h.getAttribute('data-success-count')),
      successFen: Number(await h.getAttribute('data-success-fen')),
      abnormalCount: Number(await h.getAttribute('data-abnormal-count')),
      abnormalFen: Number(await h.getAttribute('data-abnormal-fen')),
    };
    expect(shown).toEqual(want);
    const [ah] = api.header;
    expect([ah.always_singular, ah.total, ah.singular_success, ah.singular_amount, ah.abnormal_singular, ah.abnormal_amount]).toEqual(Object.values(want));
    expect(await page.getByTestId('recon-total').innerText()).toBe('¥42.11');
    expect(await page.getByTestId('recon-success-fen').innerText()).toBe('¥15.00');
    expect(await page.getByTestId('recon-abnormal-count').innerText()).toBe('3');
    expect(await page.getByTestId('recon-abnormal-fen').innerText()).toBe('¥27.11');
    expect(await h.getAttribute('data-carried')).toBe('0');
    expect(await page.getByTestId('recon-complete').getAttribute('data-complete')).toBe('true');

    // One row per order (and the stranger's money), in the API's order, each with its label.
    expect(await rowOrder()).toEqual(api.grid.map((g: { out_trade_no: string }) => g.out_trade_no));
    const label = async (outNo: string) => (await row(outNo).getByTestId('recon-issue').innerText()).split(' / ')[0];
    expect(await label(o.normal)).toBe('正常');
    expect(await label(o.dropped)).toBe('短款');
    expect(await label(o.offByOne)).toBe('异常');
    expect(await label(o.refunded)).toBe('已退款');
    expect(await label(STRANGER)).toBe('长款');
    expect(await row(o.dropped).getByTestId('recon-row-note').innerText()).toContain('短款');
    expect(await row(o.offByOne).innerText()).toContain('¥12.34 ≠ ¥12.35');

    // The legend, zh-CN first, from the store's side.
    const legend = async (issue: number) => page.locator(`[data-testid=recon-legend-item][data-issue="${issue}"]`).innerText();
    const long = await legend(1);
    expect(long).toMatch(/^长款/);
    expect(long.indexOf('渠道收到了钱，本店账本却没有这笔已支付的订单')).toBeLessThan(long.indexOf('the provider holds money we have no paid order for'));
    expect(long).toContain('the provider holds money we have no paid order for');
    expect(await legend(2)).toContain('our books say paid, the provider does not have the money');
    expect(await legend(3)).toContain('amounts differ');
    expect(await page.locator('[data-testid=recon-legend-item]').count()).toBe(7);
    expect(await page.getByTestId('recon-legend').innerText()).toContain("here they are always from the store's side");
  });

  it('filters the rows by issue', async () => {
    await page.locator('[data-testid=recon-filter][data-issue="2"]').click();
    await expect.poll(rowOrder).toEqual([o.dropped]);
    expect(await page.locator('[data-testid=recon-filter][data-issue="4"]').innerText()).toContain('(1)');
    await page.locator('[data-testid=recon-filter][data-issue="1"]').click();
    await expect.poll(rowOrder).toEqual([STRANGER]);
    await page.locator('[data-testid=recon-filter][data-issue=all]').click();
    await expect.poll(async () => (await rowOrder()).length).toBe(5);
  });

  it('a row opens our bill, the provider\'s line and the note', async () => {
    await row(o.offByOne).click();
    const detail = page.locator(`[data-testid=recon-detail][data-code="${o.offByOne}"]`);
    await detail.locator('xpath=self::*[@data-state="ready"]').waitFor();
    expect(await detail.getByTestId('recon-detail-ours').getAttribute('data-fen')).toBe('1234');
    expect(await detail.getByTestId('recon-detail-theirs').getAttribute('data-fen')).toBe('1235');
    expect(await detail.getByTestId('recon-detail-ours').innerText()).toContain('¥12.34');
    expect(await detail.getByTestId('recon-detail-theirs').innerText()).toContain('¥12.35');
    expect(await detail.getByTestId('recon-detail-status').getAttribute('data-status')).toBe('3');
    expect(await detail.getByTestId('recon-detail-note').innerText()).toContain('金额不符');
    await detail.getByTestId('recon-detail-close').click();
    await detail.waitFor({ state: 'detached' });

    // Money we have no order for: only the provider's side.
    await row(STRANGER).click();
    const stranger = page.locator(`[data-testid=recon-detail][data-code="${STRANGER}"][data-state=theirs-only]`);
    await stranger.waitFor();
    expect(await stranger.getByTestId('recon-detail-their-fen').getAttribute('data-fen')).toBe('777');
    expect(await stranger.getByTestId('recon-detail-note').innerText()).toContain('长款');

    // The dropped one: ours, and nothing on the provider's bill.
    await row(o.dropped).click();
    const dropped = page.locator(`[data-testid=recon-detail][data-code="${o.dropped}"][data-state=ready]`);
    await dropped.waitFor();
    await dropped.getByTestId('recon-detail-no-line').waitFor();
  });

  it('lists the run among the past runs, and the orders needing attention with their auto flag', async () => {
    await page.getByTestId('recon-run-back').click();
    const runRow = page.locator(`[data-testid=recon-run-row][data-provider=mct1][data-day="${day}"]`);
    await runRow.waitFor();
    expect(await runRow.innerText()).toContain(pageTerminalName);
    // Filtered by someone else's name: none.
    await page.getByTestId('recon-runs-user').fill('后台店长');
    await page.getByTestId('recon-runs-apply').click();
    await page.getByTestId('recon-runs-empty').waitFor();
    await page.getByTestId('recon-runs-clear').click();
    await runRow.waitFor();
    // Filtered by the day it was run on.
    await page.getByTestId('recon-runs-time').fill('2020-04-02');
    await page.getByTestId('recon-runs-apply').click();
    await page.getByTestId('recon-runs-empty').waitFor();
    await page.getByTestId('recon-runs-time').fill(chinaDay(Date.now()));
    await page.getByTestId('recon-runs-apply').click();
    await runRow.waitFor();

    await page.getByTestId('recon-open-orders').click();
    await page.locator('[data-testid=recon-orders][data-status="3"][data-state=ready]').waitFor();
    const codes = await page.locator('[data-testid=recon-order]').evaluateAll((els) => els.map((e) => e.getAttribute('data-code')));
    expect(codes.sort()).toEqual([o.dropped, o.offByOne].sort());
    expect(await page.getByTestId('recon-orders-sum').getAttribute('data-fen')).toBe(String(700 + 1234));

    const auto = page.locator(`[data-testid=recon-order][data-code="${o.dropped}"]`);
    expect(await auto.getAttribute('data-auto')).toBe('true');
    await auto.getByTestId('recon-order-auto').click();
    await expect.poll(() => auto.getAttribute('data-auto')).toBe('false');
    expect(store.recon.statusOf(o.dropped)).toEqual({ status: 3, auto: false });

    await page.locator('[data-testid=recon-orders-status][data-status="1"]').click();
    await page.locator('[data-testid=recon-orders][data-status="1"][data-state=ready]').waitFor();
    const reconciled = await page.locator('[data-testid=recon-order]').evaluateAll((els) => els.map((e) => e.getAttribute('data-code')));
    expect(reconciled.sort()).toEqual([o.normal, o.refunded].sort());
    await page.getByTestId('recon-orders-back').click();
  });

  it('says that 微收银 cannot show 长款: it has no day list', async () => {
    await page.locator('[data-testid=recon-provider][data-provider=weishouyin]').click();
    await page.getByTestId('recon-day').fill(day);
    await page.getByTestId('recon-run').click();
    const note = page.locator('[data-testid=recon-complete][data-complete=false]');
    await note.waitFor({ timeout: 15_000 });
    const text = await note.innerText();
    expect(text).toMatch(/^微收银 没有全天账单.*（长款）在这里无法显示/);
    expect(text).toContain('cannot show here');
    await page.getByTestId('recon-grid-empty').waitFor();
  });
});

describe('结算 / Settlement', () => {
  const mct1Account = async () => (await manager.get('/pay/account/')).body.data.data.find((a: { provider: string }) => a.provider === 'mct1').code as string;
  const recordOf = async (account: string) => (await manager.get('/pay/settlement/')).body.data.data.find((s: { account_code: string }) => s.account_code === account);

  it('settles the run\'s pending record with a PNG voucher, and shows it', async () => {
    await page.getByTestId('orders-tab-settle').click();
    await page.getByTestId('settle-records').waitFor();
    const pending = await recordOf(await mct1Account());
    // The reconciled orders of the day, net of refunds: 10.00 + (5.00 − 2.00).
    expect(pending).toMatchObject({ state: 1, num: 2, total: 1300 });
    const rec = record(pending.code);
    expect(await rec.getAttribute('data-state')).toBe('1');
    expect(await rec.getByTestId('settle-total').innerText()).toBe('¥13.00');
    expect(await rec.getByTestId('settle-state-label').innerText()).toMatch(/^待结算/);
    expect(await rec.innerText()).toContain(day);

    await rec.getByTestId('settle-upload-open').click();
    const form = rec.getByTestId('settle-upload');
    expect(await form.getByTestId('settle-person').inputValue()).toBe(pageTerminalName);

    // Not an image: the proxy refuses it by its bytes, and the record stays pending.
    await form.getByTestId('settle-file').setInputFiles({ name: 'voucher.png', mimeType: 'image/png', buffer: Buffer.from('not really a picture') });
    await form.getByTestId('settle-submit').click();
    await expect.poll(() => form.getByTestId('settle-upload-problem').innerText()).toMatch(/^凭证必须是图片.* \/ The voucher must be an image/);
    expect((await recordOf(await mct1Account())).state).toBe(1);

    // Too big: said before anything is sent.
    await form.getByTestId('settle-file').setInputFiles({ name: 'huge.png', mimeType: 'image/png', buffer: Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024)]) });
    await form.getByTestId('settle-submit').click();
    await expect.poll(() => form.getByTestId('settle-upload-problem').innerText()).toMatch(/^凭证图片超过 5 MB/);

    await form.getByTestId('settle-file').setInputFiles({ name: '凭证.png', mimeType: 'image/png', buffer: PNG });
    await form.getByTestId('settle-remark').fill('银行到账');
    await form.getByTestId('settle-submit').click();
    await expect.poll(() => rec.getAttribute('data-state')).toBe('2');
    expect(await rec.getByTestId('settle-state-label').innerText()).toMatch(/^已结算/);
    const img = rec.getByTestId('settle-voucher-img');
    await img.waitFor();
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(1);
    expect(await img.getAttribute('src')).toMatch(/^blob:/);

    const settled = await recordOf(await mct1Account());
    expect(settled).toMatchObject({ state: 2, person: pageTerminalName, remark: '银行到账', total: 1300 });
    const voucher = await fetch(`${store.url}/pay/settlement/voucher?code=${settled.code}`, { headers: { authorization: `Bearer ${manager.token}` } });
    expect(Buffer.from(await voucher.arrayBuffer())).toEqual(PNG);
  });

  it('refuses a record settled meanwhile elsewhere, and shows it settled', async () => {
    const wsyAccount = (await manager.get('/pay/account/')).body.data.data.find((a: { provider: string }) => a.provider === 'weishouyin').code;
    const pending = await recordOf(wsyAccount);
    expect(pending.state).toBe(1);
    const rec = record(pending.code);
    await rec.getByTestId('settle-upload-open').click();
    const form = rec.getByTestId('settle-upload');
    await form.getByTestId('settle-file').setInputFiles({ name: 'v.png', mimeType: 'image/png', buffer: PNG });
    // Another manager settles it first.
    const other = new FormData();
    other.set('code', pending.code);
    other.set('person', '后台店长');
    other.set('voucher', new Blob([PNG], { type: 'image/png' }), 'v.png');
    expect((await fetch(`${store.url}/pay/settlement/`, { method: 'POST', headers: { authorization: `Bearer ${manager.token}` }, body: other })).status).toBe(200);
    await form.getByTestId('settle-submit').click();
    await expect.poll(() => form.getByTestId('settle-upload-problem').innerText()).toMatch(/^这条记录已经结算过了.* \/ This record was already settled/);
    await expect.poll(() => rec.getAttribute('data-state')).toBe('2');
    expect(await rec.innerText()).toContain('后台店长');
  });

  it('adds an account and changes its period', async () => {
    await page.getByTestId('settle-account-add').click();
    const form = page.getByTestId('settle-account-form');
    await form.locator('[data-testid=account-provider][data-value=mct1]').click();
    await form.locator('[data-testid=account-method][data-value="2"]').click();
    await form.locator('[data-testid=account-period][data-value="2"]').click();
    await form.getByTestId('account-name').fill('微信周结');
    await form.getByTestId('account-account').fill('6222 0000 1234');
    await form.getByTestId('account-remarks').fill('工商银行');
    await form.getByTestId('account-save').click();
    await form.waitFor({ state: 'detached' });
    const added = (await manager.get('/pay/account/')).body.data.data.find((a: { name: string }) => a.name === '微信周结');
    expect(added).toMatchObject({ provider: 'mct1', method: 2, period: 2, account: '6222 0000 1234', remarks: '工商银行' });
    const shown = page.locator(`[data-testid=settle-account][data-code="${added.code}"]`);
    expect(await shown.innerText()).toContain('周结');

    await shown.getByTestId('settle-account-edit').click();
    await form.locator('[data-testid=account-period][data-value="3"]').click();
    await form.getByTestId('account-save').click();
    await expect.poll(() => shown.getAttribute('data-period')).toBe('3');
    expect((await manager.get('/pay/account/')).body.data.data.find((a: { code: string }) => a.code === added.code)).toMatchObject({ period: 3, method: 2, name: '微信周结' });

    // A required field left empty is refused on screen.
    await page.getByTestId('settle-account-add').click();
    await form.getByTestId('account-save').click();
    expect(await form.getByTestId('account-problem').innerText()).toMatch(/^账号名称和账号不能为空/);
    await form.getByTestId('account-cancel').click();
  });
});
