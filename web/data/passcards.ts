/**
 * Pass cards (出门单) of the kiosk backend (kioskv5): the card a paid customer shows at the exit.
 * The calls and the words for them; only the pass card screens import this, so it stays out of
 * the first load.
 */
import type { PassCardList, PassCardStatus, PassCardView } from '../../contract/api.ts';
import { api as defaultApi, ApiError, describeError, type Api } from './api.ts';

/** The list screen's tabs, in this order. */
export const PASSCARD_STATUSES: readonly PassCardStatus[] = ['unused', 'used', 'void'];

const LABELS: Record<PassCardStatus, { zh: string; en: string }> = {
  unused: { zh: '未使用', en: 'Unused' },
  used: { zh: '已使用', en: 'Used' },
  void: { zh: '已作废', en: 'Void' },
};

/** A status in both languages; one we do not know is shown in the backend's own words. */
export function passcardStatusLabel(status: string, statusText?: string): { zh: string; en: string } {
  if (Object.hasOwn(LABELS, status)) return LABELS[status as PassCardStatus];
  const own = statusText?.trim() || status;
  return { zh: own, en: status || own };
}

export type PasscardProblem =
  | { kind: 'not_issued'; message: string }
  | { kind: 'unsupported'; message: string }
  | { kind: 'unauthorized'; message: string }
  | { kind: 'other'; message: string };

export const NOT_ISSUED = '出门单尚未生成，稍后再试 / Not issued yet — try again shortly';

/**
 * What the cashier is told when a pass card call fails. A 404 is a card not issued yet (the kiosk
 * backend issues it shortly after the payment); a 501 is a provider (or store) without pass cards.
 */
export function passcardProblem(err: unknown, scope: 'payment' | 'store' = 'payment'): PasscardProblem {
  if (err instanceof ApiError) {
    if (err.status === 404) return { kind: 'not_issued', message: NOT_ISSUED };
    if (err.status === 501) {
      return {
        kind: 'unsupported',
        message: scope === 'store' ? '本店没有出门单 / This store issues no pass cards' : '此交易没有出门单 / This payment has no pass card',
      };
    }
    if (err.status === 401 || err.status === 403) return { kind: 'unauthorized', message: describeError(err) };
  }
  return { kind: 'other', message: describeError(err) };
}

/** The cards of one status, newest first (whatever order they came in). */
export function cardsOf(cards: readonly PassCardView[], status: PassCardStatus): PassCardView[] {
  return cards
    .filter((c) => c.status === status)
    .sort((a, b) => (Date.parse(b.createdAt) || 0) - (Date.parse(a.createdAt) || 0));
}

const path = (outNo: string) => `/api/payments/${encodeURIComponent(outNo)}/passcard`;

/** `GET /api/payments/:outNo/passcard`. */
export function getPasscard(outNo: string, api: Api = defaultApi): Promise<PassCardView> {
  return api.json('GET', path(outNo));
}

/** `GET /api/payments/:outNo/passcard/receipt`: ESC/POS bytes, like the payment's receipt. */
export async function getPasscardReceipt(outNo: string, api: Api = defaultApi): Promise<Uint8Array> {
  const res = await api.fetch('GET', `${path(outNo)}/receipt`, { accept: 'application/octet-stream' });
  return new Uint8Array(await res.arrayBuffer());
}

/** `GET /api/passcards?status=`. */
export async function listPasscards(status: PassCardStatus, api: Api = defaultApi): Promise<PassCardView[]> {
  const res = await api.json<PassCardList>('GET', `/api/passcards?status=${encodeURIComponent(status)}`);
  return cardsOf(Array.isArray(res?.cards) ? res.cards : [], status);
}
