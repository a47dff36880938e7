/** The reconciliation and settlement screens' words and pure rules: issues, filters, times, errors. */
import { describe, expect, it } from 'vitest';
import { ApiError, NetworkError, type Api } from '../../web/data/api.ts';
import {
  accountMethodLabel,
  filterGrid,
  issueCounts,
  issueInfo,
  ISSUES,
  isDay,
  MAX_VOUCHER_BYTES,
  naiveTime,
  periodDays,
  periodLabel,
  providerName,
  reconStatusLabel,
  runProblem,
  settlementStateLabel,
  uploadProblem,
  voucherFileProblem,
  yesterday,
} from '../../web/reconcile/labels.ts';
import { getRun, listRuns, orderDetails } from '../../web/reconcile/pay-api.ts';

describe('issues', () => {
  it('has every seed 002 issue once, the ones needing attention first', () => {
    expect(ISSUES.map((i) => i.issue)).toEqual([1, 2, 3, 0, 5, 6, 4]);
    expect(ISSUES.map((i) => i.zh)).toEqual(['长款', '短款', '异常', '存疑', '已冲正', '已退款', '正常']);
    expect(new Set(ISSUES.map((i) => i.tone)).size).toBe(ISSUES.length);
  });

  it('says 长款 and 短款 from the store\'s side', () => {
    expect(issueInfo(1).meaning.en).toBe('the provider holds money we have no paid order for');
    expect(issueInfo(1).meaning.zh).toContain('渠道收到了钱');
    expect(issueInfo(2).meaning.en).toBe('our books say paid, the provider does not have the money');
    expect(issueInfo(2).meaning.zh).toContain('本店账本记为已收款');
  });

  it('shows a code it does not know as it came', () => {
    expect(issueInfo(9)).toMatchObject({ issue: 9, zh: '问题 9', en: 'Issue 9', tone: 'other' });
  });

  const grid = [{ issue: 4 }, { issue: 2 }, { issue: 4 }, { issue: 1 }, { issue: 9 }, { issue: 3 }];

  it('counts the rows of each issue in the legend\'s order, unknown ones last', () => {
    expect(issueCounts(grid).map((c) => [c.info.issue, c.count])).toEqual([
      [1, 1],
      [2, 1],
      [3, 1],
      [4, 2],
      [9, 1],
    ]);
    expect(issueCounts([])).toEqual([]);
  });

  it('filters the grid by issue, or not at all', () => {
    expect(filterGrid(grid, 4)).toEqual([{ issue: 4 }, { issue: 4 }]);
    expect(filterGrid(grid, 0)).toEqual([]);
    const all = filterGrid(grid, null);
    expect(all).toEqual(grid);
    expect(all).not.toBe(grid);
  });
});

describe('codes in both languages', () => {
  it('labels statuses, methods, periods and states, and passes unknown codes through', () => {
    expect(reconStatusLabel(3)).toEqual({ status: 3, zh: '异常', en: 'Needs attention' });
    expect(reconStatusLabel(2).zh).toBe('未对账');
    expect(accountMethodLabel(1).zh).toBe('全部渠道');
    expect(accountMethodLabel(4).zh).toBe('线下转账');
    expect([0, 1, 2, 3, 4].map((p) => periodLabel(p).zh)).toEqual(['未知', '日结', '周结', '月结', '年结']);
    expect(settlementStateLabel(1).zh).toBe('待结算');
    expect(settlementStateLabel(2).zh).toBe('已结算');
    expect(settlementStateLabel(7)).toEqual({ zh: '7', en: '7' });
    expect(providerName('weishouyin')).toBe('微收银');
    expect(providerName('acme')).toBe('acme');
    expect(providerName('constructor')).toBe('constructor');
  });
});

describe('times from /pay', () => {
  it('are shown as they are, to the second, never shifted by a time zone', () => {
    expect(naiveTime('2026-11-23T10:11:12.123000')).toBe('2026-11-23 10:11:12');
    expect(naiveTime('2026-11-23T23:59:59')).toBe('2026-11-23 23:59:59');
    expect(naiveTime('2020-03-31T11:10:50')).toBe('2020-03-31 11:10:50');
    expect(naiveTime(null)).toBe('—');
    expect(naiveTime('soon')).toBe('soon');
  });

  it('give a settlement period as its China days (the end is exclusive)', () => {
    expect(periodDays('2026-11-23T00:00:00.000000', '2026-11-24T00:00:00.000000')).toBe('2026-11-23');
    expect(periodDays('2026-11-16T00:00:00.000000', '2026-11-23T00:00:00.000000')).toBe('2026-11-16 – 2026-11-22');
    expect(periodDays('2026-12-01T00:00:00.000000', '2027-01-01T00:00:00.000000')).toBe('2026-12-01 – 2026-12-31');
    expect(periodDays('2020-03-02T13:28:04', '2020-04-01T13:28:22')).toBe('2020-03-02 – 2020-04-01');
    expect(periodDays(null, null)).toBe('—');
  });

  it('days: real ones only; yesterday is the China day before', () => {
    expect(isDay('2026-02-28')).toBe(true);
    expect(isDay('2026-02-30')).toBe(false);
    expect(isDay('2026-2-3')).toBe(false);
    // 2026-11-23 16:30 UTC is already 2026-11-24 00:30 in China.
    expect(yesterday(Date.UTC(2026, 10, 23, 16, 30))).toBe('2026-11-23');
    expect(yesterday(Date.UTC(2026, 10, 23, 15, 59))).toBe('2026-11-22');
    expect(yesterday(Date.UTC(2026, 0, 1, 0, 0))).toBe('2025-12-31');
  });
});

describe('errors a manager can act on, zh-CN first', () => {
  it('a provider without a day bill, a future day, anything else as the proxy words it', () => {
    const noBill = runProblem(new ApiError(422, 'no_day_bill', 'kioskv5 没有可读取的对账单 / …'), 'kioskv5');
    expect(noBill).toBe('一体机 kioskv5 不提供可读取的对账单，不能对账 / 一体机 kioskv5 offers no day bill to read: it cannot be reconciled');
    expect(runProblem(new ApiError(409, 'day_in_future', 'x'), 'mct1')).toMatch(/^不能对账未来的日期.* \/ That day has not come yet/);
    expect(runProblem(new ApiError(504, 'provider_timeout', '渠道超时 / Provider timed out'), 'mct1')).toBe('对账失败 / Reconciliation failed: 渠道超时 / Provider timed out');
    expect(runProblem(new NetworkError('无法连接服务器 / Cannot reach the server'), 'mct1')).toContain('无法连接服务器');
  });

  it('uploads: not an image, already settled (reload), too big, gone (reload)', () => {
    expect(uploadProblem(new ApiError(415, 'voucher_not_image', 'x'))).toEqual({ message: expect.stringMatching(/^凭证必须是图片.* \/ The voucher must be an image/), reload: false });
    expect(uploadProblem(new ApiError(409, 'already_settled', 'x'))).toEqual({ message: expect.stringMatching(/^这条记录已经结算过了.* \/ This record was already settled/), reload: true });
    expect(uploadProblem(new ApiError(413, 'body_too_large', 'x'))).toEqual({ message: expect.stringMatching(/^凭证图片超过 5 MB.* \/ The voucher image is over 5 MB/), reload: false });
    expect(uploadProblem(new ApiError(404, 'settlement_not_found', 'x')).reload).toBe(true);
    expect(uploadProblem(new ApiError(400, 'param_invalid', '需要 person / person is required')).message).toBe('上传失败 / Upload failed: 需要 person / person is required');
  });

  it('a voucher file is checked for size before it is sent', () => {
    expect(voucherFileProblem(null)).toMatch(/^请选择凭证图片/);
    expect(voucherFileProblem({ size: 0 })).toMatch(/^所选文件是空的/);
    expect(voucherFileProblem({ size: MAX_VOUCHER_BYTES })).toBeNull();
    expect(voucherFileProblem({ size: MAX_VOUCHER_BYTES + 1 })).toMatch(/^凭证图片超过 5 MB/);
  });
});

describe('the /pay answers', () => {
  const answering = (answer: unknown) => ({ json: async () => answer }) as unknown as Api;

  it('takes data out of {code: 200, data}', async () => {
    const header = { code: 'r1', always_singular: 2 };
    expect(await getRun(answering({ code: 200, msg: '查询成功', data: { header: [header], grid: [{ issue: 4 }] } }), 'r1')).toEqual({ header, grid: [{ issue: 4 }] });
    expect(await getRun(answering({ code: '200', data: { header: [], grid: null } }), 'r1')).toEqual({ header: null, grid: [] });
  });

  it('refuses an answer that is not a 200 with data', async () => {
    await expect(listRuns(answering({ code: 500, msg: '失败' }))).rejects.toMatchObject({ name: 'ApiError', code: 'pay_answer' });
    await expect(listRuns(answering(null))).rejects.toBeInstanceOf(ApiError);
  });
});

describe('order details of an order not paid (pay_method 1)', () => {
  it('asks each channel until one knows the order; a paid order is asked once', async () => {
    const asked: string[] = [];
    const api = {
      json: async (_m: string, path: string) => {
        asked.push(path);
        if (!path.endsWith('pay_way=3')) throw new ApiError(404, 'payment_not_found', 'no');
        return { code: 200, data: { bill_data: [], third_bill: null, bill_info: null } };
      },
    } as unknown as Api;
    expect(await orderDetails(api, 'X1', 1)).toEqual({ bill_data: [], third_bill: null, bill_info: null });
    expect(asked).toEqual(['/pay/order_details?code=X1&pay_way=2', '/pay/order_details?code=X1&pay_way=3']);
    asked.length = 0;
    await expect(orderDetails(api, 'X1', 2)).rejects.toMatchObject({ status: 404 });
    expect(asked).toEqual(['/pay/order_details?code=X1&pay_way=2']);
    const failing = { json: async () => Promise.reject(new ApiError(500, 'internal', 'x')) } as unknown as Api;
    await expect(orderDetails(failing, 'X1', 1)).rejects.toMatchObject({ status: 500 });
  });
});
