import { describe, expect, it, vi } from 'vitest';
import type { PayMethodInfo } from '../../contract/api.ts';
import { Api, ApiError, NetworkError } from '../../web/data/api.ts';
import {
  getHistory,
  getOrderReceipt,
  methodLabel,
  ORDER_FILTERS,
  orderStatusLabel,
  ordersProblem,
  paging,
  prettyPayload,
  refundStatusLabel,
} from '../../web/data/orders.ts';

describe('order status texts', () => {
  it('names every filter in both languages, "all" first', () => {
    expect(ORDER_FILTERS).toEqual(['all', 'paid', 'refunded', 'failed', 'cancelled', 'paying', 'unknown']);
    expect(orderStatusLabel('all')).toEqual({ zh: '全部', en: 'All' });
    expect(orderStatusLabel('paid')).toEqual({ zh: '已支付', en: 'Paid' });
    expect(orderStatusLabel('failed')).toEqual({ zh: '支付失败', en: 'Failed' });
    expect(orderStatusLabel('cancelled')).toEqual({ zh: '已撤销', en: 'Cancelled' });
    expect(orderStatusLabel('refunded')).toEqual({ zh: '已退款', en: 'Refunded' });
    expect(orderStatusLabel('paying')).toEqual({ zh: '支付中', en: 'Paying' });
    expect(orderStatusLabel('unknown')).toEqual({ zh: '待确认', en: 'Unconfirmed' });
    for (const s of ORDER_FILTERS) expect(orderStatusLabel(s).zh).not.toBe(s);
  });

  it('shows a status it does not know as it came (and no prototype names)', () => {
    expect(orderStatusLabel('voided')).toEqual({ zh: 'voided', en: 'voided' });
    expect(orderStatusLabel('toString')).toEqual({ zh: 'toString', en: 'toString' });
  });

  it('names refund statuses', () => {
    expect(refundStatusLabel('refunded')).toEqual({ zh: '已退款', en: 'Refunded' });
    expect(refundStatusLabel('failed')).toEqual({ zh: '退款失败', en: 'Failed' });
    expect(refundStatusLabel('unknown')).toEqual({ zh: '待确认', en: 'Unconfirmed' });
    expect(refundStatusLabel('constructor')).toEqual({ zh: 'constructor', en: 'constructor' });
  });
});

describe('methodLabel', () => {
  const methods: PayMethodInfo[] = [
    { id: 'weishouyin:wechat', provider: 'weishouyin', name: '微信', kind: 'barcode' },
    { id: 'mct1:Cash', provider: 'mct1', name: '现金', kind: 'cash' },
  ];
  it('names a method by id, falling back to the id', () => {
    expect(methodLabel('mct1:Cash', methods)).toBe('现金');
    expect(methodLabel('kioskv5:312', methods)).toBe('kioskv5:312');
    expect(methodLabel('mct1:Cash', [])).toBe('mct1:Cash');
  });
});

describe('paging', () => {
  it('counts pages and the rows on this one', () => {
    expect(paging(123, 1, 50)).toEqual({ page: 1, pages: 3, first: 1, last: 50, total: 123, hasPrev: false, hasNext: true });
    expect(paging(123, 2, 50)).toMatchObject({ first: 51, last: 100, hasPrev: true, hasNext: true });
    expect(paging(123, 3, 50)).toMatchObject({ first: 101, last: 123, hasPrev: true, hasNext: false });
    expect(paging(100, 2, 50)).toMatchObject({ pages: 2, first: 51, last: 100, hasNext: false });
  });

  it('an empty list is page 1 of 1 with no rows', () => {
    expect(paging(0, 1, 50)).toEqual({ page: 1, pages: 1, first: 0, last: 0, total: 0, hasPrev: false, hasNext: false });
  });

  it('a page past the end shows no rows but can go back', () => {
    expect(paging(10, 4, 50)).toMatchObject({ page: 4, pages: 1, first: 0, last: 0, hasPrev: true, hasNext: false });
  });

  it('tolerates nonsense', () => {
    expect(paging(Number.NaN, 0, 0)).toMatchObject({ page: 1, pages: 1, total: 0 });
  });
});

describe('prettyPayload', () => {
  it('indents JSON and leaves anything else alone', () => {
    expect(prettyPayload('{"a":1,"b":[2]}')).toBe('{\n  "a": 1,\n  "b": [\n    2\n  ]\n}');
    expect(prettyPayload('action=pay&amount=0.01')).toBe('action=pay&amount=0.01');
    expect(prettyPayload('<xml><ok>1</ok></xml>')).toBe('<xml><ok>1</ok></xml>');
    expect(prettyPayload('{cut off')).toBe('{cut off');
  });

  it('indents a JSON body under header lines', () => {
    expect(prettyPayload('POST http://x/v5/order\nauth: bearer ***\n{"sid":1}')).toBe('POST http://x/v5/order\nauth: bearer ***\n{\n  "sid": 1\n}');
    expect(prettyPayload('HTTP 200\n{"code":0')).toBe('HTTP 200\n{"code":0');
    expect(prettyPayload('HTTP 502\n<html>')).toBe('HTTP 502\n<html>');
  });
});

describe('ordersProblem', () => {
  it('sorts errors by what the manager can do', () => {
    expect(ordersProblem(new ApiError(401, 'unauthorized', '令牌无效'))).toEqual({ kind: 'unauthorized', message: '令牌无效' });
    expect(ordersProblem(new ApiError(403, 'forbidden', '需要店长权限'))).toEqual({ kind: 'forbidden', message: '需要店长权限' });
    expect(ordersProblem(new ApiError(404, 'payment_not_found', '没有'))).toEqual({ kind: 'not_found', message: '没有' });
    expect(ordersProblem(new NetworkError('无法连接服务器'))).toEqual({ kind: 'other', message: '无法连接服务器' });
  });
});

describe('the calls', () => {
  function fakeApi(answer: unknown, bytes?: Uint8Array) {
    const api = new Api('http://pos.test');
    const json = vi.spyOn(api, 'json').mockResolvedValue(answer as never);
    const fetch = vi.spyOn(api, 'fetch').mockResolvedValue(new Response((bytes ?? new Uint8Array()) as BodyInit));
    return { api, json, fetch };
  }

  it('getHistory fills in lists the proxy left out', async () => {
    const { api, json } = fakeApi({ events: [{ to: 'paid', reason: 'paid', at: '2026-11-23T06:00:00Z' }], details: { PayPrice: 100 } });
    const h = await getHistory('A/1', api);
    expect(json).toHaveBeenCalledWith('GET', '/api/payments/A%2F1/history');
    expect(h).toEqual({
      events: [{ to: 'paid', reason: 'paid', at: '2026-11-23T06:00:00Z' }],
      calls: [],
      refunds: [],
      callbacks: [],
      details: { PayPrice: 100 },
      billNo: undefined,
    });
  });

  it('getOrderReceipt reads the bytes, and asks for the provider reprint when told', async () => {
    const { api, fetch } = fakeApi(null, new Uint8Array([0x1b, 0x40]));
    expect(await getOrderReceipt('P1', {}, api)).toEqual(new Uint8Array([0x1b, 0x40]));
    expect(fetch).toHaveBeenLastCalledWith('GET', '/api/payments/P1/receipt', { accept: 'application/octet-stream' });
    fetch.mockResolvedValue(new Response(new Uint8Array([1]) as BodyInit));
    await getOrderReceipt('P1', { reprint: true }, api);
    expect(fetch).toHaveBeenLastCalledWith('GET', '/api/payments/P1/receipt?reprint=1', { accept: 'application/octet-stream' });
  });
});
