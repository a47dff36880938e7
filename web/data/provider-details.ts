/**
 * The provider's own figures of a payment (`details` in `GET /api/payments/:outNo/history`), as rows
 * for the manager: today the kiosk backend's (kioskv5, seed 000) pay record fees.
 * @see shared/seeds/000_d70a422888a219ec.txt PayRecord
 */
import { formatYuan } from '../../contract/money.ts';

type Label = { zh: string; en: string };

/** The pay record's amounts, integer fen, in the seed's order. */
const FEN: Record<string, Label> = {
  ExUserFee: { zh: '用户手续费', en: 'Customer fee' },
  UserFeePrice: { zh: '用户超额金额', en: 'Surcharged amount' },
  PayPrice: { zh: '用户实付', en: 'Paid by the customer' },
  WithdrawFee: { zh: '提现手续费', en: 'Withdrawal fee' },
  RealPrice: { zh: '到店金额', en: 'To the store' },
  ActPrice: { zh: '活动金额', en: 'Promotion amount' },
  ActFee: { zh: '活动奖励', en: 'Promotion reward' },
  TotalPrice: { zh: '总金额', en: 'Total' },
  Refunds: { zh: '返佣', en: 'Rebate' },
};

/** Words for the other fields we know; any `*Ratio` is a percentage whether named here or not. */
const OTHER: Record<string, Label> = {
  UserFeeRatio: { zh: '用户超额费率', en: 'Customer fee rate' },
  WithdrawFeeRatio: { zh: '提现费率', en: 'Withdrawal fee rate' },
  ActFeeRatio: { zh: '活动费率', en: 'Promotion rate' },
  PaidType: { zh: '支付类型', en: 'Payment type' },
  BankType: { zh: '银行卡类型', en: 'Card type' },
  PayOrderId: { zh: '支付单号', en: 'Pay order id' },
  OrderId: { zh: '后台订单号', en: 'Backend order id' },
};

/** The seed's meanings of PaidType. */
const PAID_TYPES: Record<string, string> = { '14': '转账支付', '10': '信用支付' };

/** The record's field order (seed 000's struct); keys we do not know follow in the order they came. */
const ORDER = [
  'ExUserFee', 'UserFeePrice', 'UserFeeRatio', 'PayPrice', 'WithdrawFeeRatio', 'WithdrawFee', 'RealPrice',
  'ActPrice', 'ActFeeRatio', 'ActFee', 'TotalPrice', 'Refunds', 'PaidType', 'BankType', 'PayOrderId', 'OrderId',
];

export type DetailKind = 'fen' | 'ratio' | 'text';

export interface DetailRow {
  key: string;
  /** null for a key we have no words for: the key itself is the label. */
  label: Label | null;
  kind: DetailKind;
  /** What is shown: "¥12.34", "0.38%", or the value as text. */
  text: string;
}

export function isFenKey(key: string): boolean {
  return Object.hasOwn(FEN, key);
}

export function isRatioKey(key: string): boolean {
  return /Ratio$/.test(key);
}

const INTEGER = /^-?\d+$/;
const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/** Integer fen as "¥12.34"; anything that is not a whole number of fen is shown as it came. */
export function formatFenValue(value: number | string): string {
  const fen = typeof value === 'number' ? value : INTEGER.test(value.trim()) ? Number(value.trim()) : NaN;
  return Number.isSafeInteger(fen) ? `¥${formatYuan(fen)}` : String(value);
}

/** The plain decimal digits of a number, without exponent notation (1e-7 → "0.0000001"). */
function decimalText(value: number | string): string | null {
  if (typeof value === 'string') return DECIMAL.test(value.trim()) ? value.trim() : null;
  if (!Number.isFinite(value)) return null;
  const s = String(value);
  if (!/e/i.test(s)) return s;
  return Math.abs(value) < 1 ? value.toFixed(20).replace(/\.?0+$/, '') : null;
}

/**
 * A ratio as a percentage, moving the decimal point in the text rather than multiplying a float
 * (0.0038 → "0.38%", not "0.38000000000000006%"). Unreadable values are shown as they came.
 */
export function formatRatio(value: number | string): string {
  const text = decimalText(value);
  const m = text === null ? null : DECIMAL.exec(text);
  if (!m) return String(value);
  const [, minus = '', whole, frac = ''] = m;
  const digits = frac.padEnd(2, '0');
  const int = (whole + digits.slice(0, 2)).replace(/^0+(?=\d)/, '');
  const rest = digits.slice(2).replace(/0+$/, '');
  const body = rest ? `${int}.${rest}` : int;
  return `${/^0(\.0*)?$/.test(body) ? '' : minus}${body}%`;
}

const otherLabel = (key: string): Label | null => (Object.hasOwn(OTHER, key) ? OTHER[key] : null);

function textOf(key: string, value: number | string): string {
  const s = String(value);
  if (key === 'PaidType' && Object.hasOwn(PAID_TYPES, s)) return `${s}（${PAID_TYPES[s]}）`;
  return s;
}

/** Every entry of `details`, labelled and formatted, known fields first in the record's order. */
export function detailRows(details: Record<string, number | string> | null | undefined): DetailRow[] {
  if (!details) return [];
  const keys = Object.keys(details);
  const rank = (k: string) => {
    const i = ORDER.indexOf(k);
    return i === -1 ? ORDER.length : i;
  };
  const sorted = keys
    .map((k, i) => ({ k, i }))
    .sort((a, b) => rank(a.k) - rank(b.k) || a.i - b.i)
    .map(({ k }) => k);
  const rows: DetailRow[] = [];
  for (const key of sorted) {
    const value = details[key];
    if (value === null || value === undefined) continue;
    if (typeof value !== 'number' && typeof value !== 'string') {
      rows.push({ key, label: otherLabel(key), kind: 'text', text: JSON.stringify(value) });
    } else if (isFenKey(key)) {
      rows.push({ key, label: FEN[key], kind: 'fen', text: formatFenValue(value) });
    } else if (isRatioKey(key)) {
      rows.push({ key, label: otherLabel(key), kind: 'ratio', text: formatRatio(value) });
    } else {
      rows.push({ key, label: otherLabel(key), kind: 'text', text: textOf(key, value) });
    }
  }
  return rows;
}
