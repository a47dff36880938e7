/**
 * Refunds from the manager's order detail in headless Chromium against a whole store whose mct1 has
 * no supervisor password configured (the manager must type the provider's: the sandbox's 123456):
 * a partial refund, "more than is left" refused by the proxy (422) and shown, then the rest; the
 * reason kept in the ledger; each refund receipt printed on a receipt printer (navigator.serial
 * replaced by a test device that captures the bytes, decoded from GB18030); reprints.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStore } from '../../proxy/server.ts';
import { previewText, renderEscPos } from '../../web/devices/escpos-preview.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { fakeSerial } from '../helpers/fake-serial.ts';
import { pairPage } from '../helpers/checkout-page.ts';
import { freshWechatCode, newOutNo, pair, startTestStore, type Client } from '../helpers/store.ts';

let store: RunningStore;
let browser: Browser;
let page: Page;
let manager: Client;
let mct1Pay = '';
let wsyPay = '';

const printed = () => page.evaluate(() => (window as unknown as { __printed: number[][] }).__printed);
const printedCount = async () => (await printed()).length;
const gb = (b: number[]) => new TextDecoder('gb18030').decode(Uint8Array.from(b));
const receiptText = (b: number[]) => previewText(renderEscPos(Uint8Array.from(b)));
const mct1Code = () => '25' + String(Date.now()).slice(-10) + String(Math.floor(Math.random() * 1e6)).padStart(6, '0');

async function openOrder(outNo: string) {
  if (await page.getByTestId('order-detail').isVisible()) await page.getByTestId('orders-back').click();
  await page.locator(`[data-testid=order-row][data-out-no="${outNo}"]`).click();
  await page.locator(`[data-testid=order-detail][data-out-no="${outNo}"][data-state=ready]`).waitFor();
}

beforeAll(async () => {
  // No mct1.shopPass: the provider's supervisor password must come from the manager.
  store = await startTestStore({ mct1: { shopPass: '' } });
  const cashier = await pair(store, 'cashier');
  manager = await pair(store, 'manager');
  mct1Pay = newOutNo('M');
  expect((await cashier.post('/api/payments', { outNo: mct1Pay, amountFen: 10000, authCode: mct1Code() })).body).toMatchObject({ status: 'paid', provider: 'mct1' });
  wsyPay = newOutNo('W');
  expect((await cashier.post('/api/payments', { outNo: wsyPay, amountFen: 2000, authCode: freshWechatCode() })).body).toMatchObject({ status: 'paid', provider: 'weishouyin' });

  browser = await launchBrowser();
  const context = await browser.newContext();
  await context.addInitScript(fakeSerial);
  page = await context.newPage();
  await pairPage(page, store.url, store.managerPairingCode);
  await page.getByTestId('open-settings').click();
  await page.getByTestId('choose-serial-printer').click();
  await page.locator('[data-testid=printer-chip][data-state=ready]').waitFor({ timeout: 10_000 });
  await page.getByTestId('close-settings').click();
  await page.getByTestId('open-orders').click();
  await page.locator('[data-testid=orders][data-state=ready]').waitFor();
});
afterAll(async () => {
  await browser?.close();
  await store?.close();
});

describe('refunds from the order detail', () => {
  it('refunds part of an mct1 payment once the manager types the provider\'s password, and prints its receipt', async () => {
    await openOrder(mct1Pay);
    await page.getByTestId('refund-open').click();
    expect(await page.getByTestId('refund-amount').inputValue()).toBe('100.00'); // the refundable rest
    await page.getByTestId('refund-amount').fill('30.00');
    await page.getByTestId('refund-reason').fill('顾客退货（部分）');
    await page.getByTestId('refund-submit').click();
    // The provider asks for its supervisor password: said in Chinese first, the field marked.
    const error = page.getByTestId('refund-error');
    await error.waitFor();
    expect(await error.getAttribute('data-code')).toBe('mct1_supervisor_password_required');
    expect(await error.innerText()).toMatch(/^退款需要主管密码.* \/ a supervisor password is required/);
    expect(await page.getByTestId('refund-password').getAttribute('class')).toContain('bad');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('refund-password');
    expect(await printedCount()).toBe(0);

    await page.getByTestId('refund-password').fill('123456');
    await page.getByTestId('refund-submit').click();
    const done = page.locator('[data-testid=refund-done][data-status=refunded]');
    await done.waitFor({ timeout: 15_000 });
    expect(await done.innerText()).toContain('已退款 ¥30.00');
    const refundNo = (await done.getAttribute('data-refund-no'))!;
    expect(store.ledger.getRefund(refundNo)).toMatchObject({ outNo: mct1Pay, amountFen: 3000, status: 'refunded', reason: '顾客退货（部分）' });
    await expect.poll(() => page.getByTestId('field-refunded').innerText()).toBe('¥30.00');
    expect(await page.getByTestId('field-status').getAttribute('data-status')).toBe('paid');

    // Its receipt went to the printer, in GB18030 (never UTF-8), with the refund's figures.
    await expect.poll(printedCount, { timeout: 10_000 }).toBe(1);
    const [slip] = await printed();
    expect(gb(slip)).toContain('退款凭证');
    expect(receiptText(slip)).toContain('￥30.00');
    expect(receiptText(slip)).toContain(refundNo);
    expect(receiptText(slip)).toContain(mct1Pay);
    expect(Buffer.from(slip).includes(Buffer.from('退款凭证', 'utf8'))).toBe(false);
    await expect.poll(() => page.locator(`[data-testid=order-refund][data-refund-no="${refundNo}"] [data-testid=refund-print-note]`).innerText()).toBe('已打印 / Printed');
  });

  it('shows the proxy\'s refusal of more than is left (another terminal refunded meanwhile), then refunds the rest', async () => {
    await page.getByTestId('refund-open').click();
    expect(await page.getByTestId('refund-amount').inputValue()).toBe('70.00');
    // Another manager refunds 20.00 while this form is open.
    const other = await manager.post(`/api/payments/${mct1Pay}/refunds`, { refundNo: newOutNo('R'), amountFen: 2000, supervisorPassword: '123456', reason: '柜台退款' });
    expect(other.body).toMatchObject({ status: 'refunded', refundableFen: 5000 });
    await page.getByTestId('refund-amount').fill('70.00');
    await page.getByTestId('refund-reason').fill('全部退货');
    await page.getByTestId('refund-password').fill('123456');
    await page.getByTestId('refund-submit').click();
    const error = page.locator('[data-testid=refund-error][data-code=refund_exceeds]');
    await error.waitFor({ timeout: 10_000 });
    expect(await error.innerText()).toBe('最多可退 50.00 元 / At most 50.00 yuan can be refunded');
    // The order was read again: the form now offers what is left.
    await expect.poll(() => page.getByTestId('refund-amount').inputValue()).toBe('50.00');
    expect(await page.getByTestId('refundable').innerText()).toContain('¥50.00');
    expect(store.ledger.committedRefundFen(mct1Pay)).toBe(5000);

    await page.getByTestId('refund-full').click();
    expect(await page.getByTestId('refund-amount').inputValue()).toBe('50.00');
    await page.getByTestId('refund-password').fill('123456');
    await page.getByTestId('refund-submit').click();
    const done = page.locator('[data-testid=refund-done][data-status=refunded]');
    await done.waitFor({ timeout: 15_000 });
    expect(await done.innerText()).toContain('已退款 ¥50.00');
    await page.locator('[data-testid=field-status][data-status=refunded]').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('refund-panel').count()).toBe(0); // nothing left to refund
    expect(store.ledger.getPayment(mct1Pay)).toMatchObject({ status: 'refunded', refundedFen: 10000 });
    const refunds = store.ledger.refundsOf(mct1Pay);
    expect(refunds.filter((r) => r.status === 'refunded').map((r) => [r.amountFen, r.reason])).toEqual([
      [3000, '顾客退货（部分）'],
      [2000, '柜台退款'],
      [5000, '全部退货'],
    ]);
    // The screen lists every attempt: the one refused for the password too.
    await expect.poll(() => page.locator('[data-testid=order-refund]').count()).toBe(refunds.length);
    expect(await page.locator('[data-testid=order-refund][data-status=failed]').count()).toBe(1);

    await expect.poll(printedCount, { timeout: 10_000 }).toBe(2);
    const slip = (await printed())[1];
    expect(receiptText(slip)).toContain('￥50.00');
    expect(receiptText(slip)).toContain('退款成功');
  });

  it('refunds a 微收银 payment with no password asked, and reprints receipts on request', async () => {
    await openOrder(wsyPay);
    await page.getByTestId('refund-open').click();
    expect(await page.getByTestId('refund-password').count()).toBe(0);
    expect(await page.getByTestId('refund-amount').inputValue()).toBe('20.00');
    // No reason: refused on screen before anything is sent.
    await page.getByTestId('refund-submit').click();
    await page.locator('[data-testid=refund-error][data-code=form]').waitFor();
    expect(await page.getByTestId('refund-error').innerText()).toBe('请填写退款原因 / Enter the reason for the refund');
    expect(store.ledger.refundsOf(wsyPay)).toHaveLength(0);
    await page.getByTestId('refund-reason').fill('商品质量问题');
    await page.getByTestId('refund-submit').click();
    await page.locator('[data-testid=refund-done][data-status=refunded]').waitFor({ timeout: 15_000 });
    await expect.poll(printedCount, { timeout: 10_000 }).toBe(3);
    expect(receiptText((await printed())[2])).toContain('20.00');
    expect(store.ledger.refundsOf(wsyPay)).toMatchObject([{ amountFen: 2000, status: 'refunded', reason: '商品质量问题' }]);

    // The payment's receipt again, through the provider's reprint interface, on the printer.
    await page.getByTestId('reprint').click();
    await expect.poll(printedCount, { timeout: 10_000 }).toBe(4);
    await page.getByTestId('reprint-done').waitFor();
    const providerRef = store.ledger.getPayment(wsyPay)!.providerRef!;
    expect(receiptText((await printed())[3])).toContain(providerRef.replace(/^dm/, ''));
    await expect.poll(() => page.getByTestId('reprint-note').innerText()).toBe('已打印 / Printed');
    const reprintCalls = store.ledger.calls(wsyPay).filter((c) => c.op === 'reprint');
    expect(reprintCalls.length).toBeGreaterThan(0);

    // A refund's receipt again, from its row; shown on screen too.
    await page.locator('[data-testid=order-refund] [data-testid=refund-print]').click();
    await expect.poll(printedCount, { timeout: 10_000 }).toBe(5);
    expect((await printed())[4]).toEqual((await printed())[2]);
    expect(await page.getByTestId('refund-receipt').innerText()).toContain('退款凭证');
  });
});
