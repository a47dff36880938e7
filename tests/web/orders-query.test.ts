/** The order list's filters → the proxy's query; quick ranges in China days; the export's paging. */
import { describe, expect, it, vi } from 'vitest';
import { Api } from '../../web/data/api.ts';
import {
  addDays,
  chinaDay,
  chinaInstant,
  EXPORT_MAX_ROWS,
  fetchAllOrders,
  fetchOrders,
  filtersToQuery,
  NO_FILTERS,
  quickRange,
  whichQuickRange,
  type OrderFilters,
} from '../../web/orders/query.ts';

const q = (f: Partial<OrderFilters>) => filtersToQuery({ ...NO_FILTERS, ...f });
const params = (f: Partial<OrderFilters>) => {
  const r = q(f);
  if (!r.ok) throw new Error(r.message);
  return Object.fromEntries(r.params);
};

describe('filtersToQuery', () => {
  it('sends nothing for no filters', () => {
    expect(params({})).toEqual({});
  });

  it("sends a chain manager's chosen store with the filters, and nothing for all stores", () => {
    const r = filtersToQuery({ ...NO_FILTERS, minYuan: '1' }, 'bj01');
    expect(r.ok && Object.fromEntries(r.params)).toEqual({ store: 'bj01', minFen: '100' });
    const all = filtersToQuery(NO_FILTERS, '');
    expect(all.ok && Object.fromEntries(all.params)).toEqual({});
  });

  it('sends times as instants in China time (+08:00), whatever the browser zone', () => {
    expect(params({ from: '2026-11-23T00:00', to: '2026-11-24T00:00' })).toEqual({ from: '2026-11-23T00:00:00+08:00', to: '2026-11-24T00:00:00+08:00' });
    expect(Date.parse(chinaInstant('2026-11-23T00:00')!)).toBe(Date.parse('2026-11-22T16:00:00Z'));
  });

  it('sends yuan as whole fen, exactly', () => {
    expect(params({ minYuan: '0.1', maxYuan: '1234567.89' })).toEqual({ minFen: '10', maxFen: '123456789' });
    expect(params({ minYuan: ' 12 ', maxYuan: '12.30' })).toEqual({ minFen: '1200', maxFen: '1230' });
    expect(params({ minYuan: '0.29' })).toEqual({ minFen: '29' }); // 0.29 * 100 is 28.999… as a float
  });

  it('sends status, method, terminal and number as they are', () => {
    expect(params({ status: 'refunded', method: 'mct1:Diy:会员卡', terminal: 'T1', q: ' dm123 ' })).toEqual({
      status: 'refunded',
      method: 'mct1:Diy:会员卡',
      terminal: 'T1',
      q: 'dm123',
    });
  });

  it.each([
    [{ from: '2026-11-23' }, 'from'],
    [{ to: 'tomorrow' }, 'to'],
    [{ from: '2026-11-23T10:00', to: '2026-11-23T10:00' }, 'to'],
    [{ from: '2026-11-23T10:00', to: '2026-11-23T09:00' }, 'to'],
    [{ minYuan: '1.234' }, 'minYuan'],
    [{ minYuan: '-1' }, 'minYuan'],
    [{ maxYuan: 'abc' }, 'maxYuan'],
    [{ minYuan: '10', maxYuan: '9.99' }, 'maxYuan'],
    [{ q: 'x' }, 'q'],
    [{ q: 'a b' }, 'q'],
    [{ q: '%' }, 'q'],
  ])('refuses %j in field %s, with a message in Chinese then English', (f, field) => {
    const r = q(f as Partial<OrderFilters>);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.field).toBe(field);
    expect(r.message).toMatch(/^[^\x00-\x7f].* \/ [A-Z]/);
  });
});

describe('quick ranges (China days)', () => {
  // 2026-11-23 01:30 in China is still the 22nd in UTC.
  const now = Date.parse('2026-11-22T17:30:00Z');
  it('today is the China day, not the UTC one', () => {
    expect(chinaDay(now)).toBe('2026-11-23');
    expect(quickRange('today', now)).toEqual({ from: '2026-11-23T00:00', to: '2026-11-24T00:00' });
    expect(quickRange('yesterday', now)).toEqual({ from: '2026-11-22T00:00', to: '2026-11-23T00:00' });
    expect(quickRange('week', now)).toEqual({ from: '2026-11-17T00:00', to: '2026-11-24T00:00' });
    expect(quickRange('month', now)).toEqual({ from: '2026-11-01T00:00', to: '2026-11-24T00:00' });
    expect(quickRange('all', now)).toEqual({ from: '', to: '' });
  });

  it('recognises a range it made', () => {
    expect(whichQuickRange(quickRange('week', now), now)).toBe('week');
    expect(whichQuickRange({ from: '', to: '' }, now)).toBe('all');
    expect(whichQuickRange({ from: '2026-11-23T08:00', to: '' }, now)).toBeNull();
  });

  it('adds days across months and years', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
  });
});

describe('the calls', () => {
  function fakeApi(pages: (page: number, size: number, query: URLSearchParams) => unknown) {
    const api = new Api('http://pos.test');
    const json = vi.spyOn(api, 'json').mockImplementation(async (_m: string, path: string) => {
      const u = new URL(path, 'http://pos.test');
      return pages(Number(u.searchParams.get('page')), Number(u.searchParams.get('pageSize')), u.searchParams) as never;
    });
    return { api, json };
  }
  const row = (i: number) => ({ outNo: `P${i}`, status: 'paid', amountFen: i, provider: 'x', method: 'x:y' });

  it('fetchOrders adds the page and keeps an array', async () => {
    const { api, json } = fakeApi(() => ({ total: 3 }));
    const got = await fetchOrders(api, new URLSearchParams({ status: 'paid' }), 2, 50);
    expect(json).toHaveBeenCalledWith('GET', '/api/payments?status=paid&page=2&pageSize=50');
    expect(got).toEqual({ total: 3, page: 2, pageSize: 50, sums: null, items: [] });
  });

  it('fetchAllOrders reads every page of the filter, pinned at now, each row once', async () => {
    const now = Date.parse('2026-11-23T06:00:00Z');
    const seen: string[] = [];
    const { api } = fakeApi((page, size, query) => {
      seen.push(query.toString());
      const total = 450;
      // A row moved between pages: page 2 repeats the last row of page 1.
      const start = (page - 1) * size - (page > 1 ? 1 : 0);
      return { total, page, pageSize: size, items: Array.from({ length: Math.max(0, Math.min(size, total - (page - 1) * size)) }, (_, i) => row(start + i)) };
    });
    const progress: number[] = [];
    const got = await fetchAllOrders(api, new URLSearchParams({ status: 'paid' }), (done) => progress.push(done), now);
    expect(got.ok).toBe(true);
    if (!got.ok) return;
    expect(new Set(got.rows.map((r) => r.outNo)).size).toBe(got.rows.length);
    expect(got.rows).toHaveLength(449); // P0…P448: P199 came twice
    expect(seen).toHaveLength(3);
    for (const s of seen) expect(s).toContain(`to=${encodeURIComponent('2026-11-23T06:00:00.000Z')}`);
    expect(seen[0]).toContain('status=paid');
    expect(seen[0]).toContain('pageSize=200');
    expect(progress).toEqual([200, 399, 449]);
  });

  it('keeps an earlier `to`, and refuses more than the export limit', async () => {
    const now = Date.parse('2026-11-23T06:00:00Z');
    const { api, json } = fakeApi(() => ({ total: EXPORT_MAX_ROWS + 1, items: [row(1)] }));
    const got = await fetchAllOrders(api, new URLSearchParams({ to: '2026-11-20T00:00:00+08:00' }), undefined, now);
    expect(got).toEqual({ ok: false, total: EXPORT_MAX_ROWS + 1 });
    expect(json.mock.calls[0][1]).toContain(`to=${encodeURIComponent('2026-11-20T00:00:00+08:00')}`);
    expect(json).toHaveBeenCalledTimes(1);
  });
});
