/** Checks an amount typed by the cashier. Conversion only through contract/money.ts. */
import { formatYuan, parseYuan } from '../../contract/money.ts';

/** The client-side limit of one payment (the proxy checks its own configured limit too). */
export const MAX_AMOUNT_FEN = 5_000_000; // 50000.00 yuan

export type AmountProblem = 'empty' | 'format' | 'precision' | 'negative' | 'zero' | 'range';

export type AmountCheck = { ok: true; fen: number } | { ok: false; reason: AmountProblem; message: string };

const MESSAGES: Record<Exclude<AmountProblem, 'range'>, string> = {
  empty: '请输入金额 / Enter an amount',
  format: '金额格式不正确 / Not a valid amount',
  precision: '金额最多两位小数（精确到分） / At most two decimal places',
  negative: '金额不能为负数 / The amount cannot be negative',
  zero: '金额必须大于零 / The amount must be more than zero',
};

export function checkAmount(text: string, maxFen = MAX_AMOUNT_FEN): AmountCheck {
  const t = text.trim();
  const fail = (reason: AmountProblem): AmountCheck => ({
    ok: false,
    reason,
    message:
      reason === 'range'
        ? `金额超过单笔上限 ¥${formatYuan(maxFen)} / Over the limit of ¥${formatYuan(maxFen)}`
        : MESSAGES[reason],
  });
  if (t === '') return fail('empty');
  if (t.startsWith('-')) return fail(/^-[\d.]+$/.test(t) ? 'negative' : 'format');
  const parsed = parseYuan(t);
  if (!parsed.ok) return fail(parsed.reason);
  if (parsed.fen <= 0) return fail('zero');
  if (parsed.fen > maxFen) return fail('range');
  return { ok: true, fen: parsed.fen };
}

/** Problems worth showing while the amount is still being typed ("0." is on its way to "0.5"). */
export function showWhileTyping(check: AmountCheck): boolean {
  return !check.ok && check.reason !== 'empty' && check.reason !== 'zero';
}

/**
 * One keypad press applied to the amount text. Keeps the text well-formed as it is built
 * (one '.', two decimals, no leading zeros). The physical keyboard is not filtered:
 * checkAmount judges whatever was typed, and nothing is sent unless it passes.
 */
export function keypad(text: string, key: string): string {
  if (key === 'clear') return '';
  if (key === 'back') return text.slice(0, -1);
  if (key === '.') {
    if (text.includes('.')) return text;
    return text === '' ? '0.' : text + '.';
  }
  if (!/^\d$/.test(key)) return text;
  const dot = text.indexOf('.');
  if (dot !== -1 && text.length - dot > 2) return text; // already two decimals
  if (text === '0') return key;
  if (dot === -1 && text.length >= 8) return text;
  return text + key;
}
