import { describe, expect, it } from 'vitest';
import type { PassCardView } from '../../contract/api.ts';
import { ApiError, NetworkError } from '../../web/data/api.ts';
import { cardsOf, NOT_ISSUED, PASSCARD_STATUSES, passcardProblem, passcardStatusLabel } from '../../web/data/passcards.ts';

describe('pass card status texts', () => {
  it('names the three statuses in both languages, in tab order', () => {
    expect(PASSCARD_STATUSES).toEqual(['unused', 'used', 'void']);
    expect(PASSCARD_STATUSES.map((s) => passcardStatusLabel(s))).toEqual([
      { zh: '未使用', en: 'Unused' },
      { zh: '已使用', en: 'Used' },
      { zh: '已作废', en: 'Void' },
    ]);
    // Our words win over the backend's for the statuses we know.
    expect(passcardStatusLabel('used', '已出门')).toEqual({ zh: '已使用', en: 'Used' });
  });

  it("shows a status it does not know in the backend's own words", () => {
    expect(passcardStatusLabel('expired', '已过期')).toEqual({ zh: '已过期', en: 'expired' });
    expect(passcardStatusLabel('expired')).toEqual({ zh: 'expired', en: 'expired' });
    expect(passcardStatusLabel('toString')).toEqual({ zh: 'toString', en: 'toString' });
  });
});

describe('passcardProblem', () => {
  it('404: not issued yet, try again', () => {
    const p = passcardProblem(new ApiError(404, 'passcard_not_found', '出门单不存在'));
    expect(p).toEqual({ kind: 'not_issued', message: NOT_ISSUED });
    expect(NOT_ISSUED).toBe('出门单尚未生成，稍后再试 / Not issued yet — try again shortly');
  });

  it('501: no pass cards, for the payment or for the store', () => {
    const err = new ApiError(501, 'passcard_unsupported', 'x');
    expect(passcardProblem(err)).toMatchObject({ kind: 'unsupported', message: expect.stringContaining('此交易没有出门单') });
    expect(passcardProblem(err, 'store')).toMatchObject({ kind: 'unsupported', message: expect.stringContaining('本店没有出门单') });
  });

  it('401/403 and anything else carry the message they came with', () => {
    expect(passcardProblem(new ApiError(401, 'unauthorized', '令牌无效'))).toEqual({ kind: 'unauthorized', message: '令牌无效' });
    expect(passcardProblem(new NetworkError('无法连接服务器 / Cannot reach the server'))).toEqual({
      kind: 'other',
      message: '无法连接服务器 / Cannot reach the server',
    });
  });
});

describe('cardsOf', () => {
  const card = (id: string, status: PassCardView['status'], createdAt: string): PassCardView => ({
    id,
    code: `C${id}`,
    status,
    statusText: status,
    orderId: `O${id}`,
    createdAt,
  });

  it('keeps the asked status only, newest first', () => {
    const cards = [
      card('1', 'unused', '2026-11-23T10:00:00+08:00'),
      card('2', 'used', '2026-11-23T11:00:00+08:00'),
      card('3', 'unused', '2026-11-23T12:00:00+08:00'),
      card('4', 'unused', 'garbage'),
    ];
    expect(cardsOf(cards, 'unused').map((c) => c.id)).toEqual(['3', '1', '4']);
    expect(cardsOf(cards, 'used').map((c) => c.id)).toEqual(['2']);
    expect(cardsOf(cards, 'void')).toEqual([]);
  });
});
