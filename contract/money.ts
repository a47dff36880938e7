/**
 * Money is integer fen everywhere inside. These are the only conversions between
 * yuan strings (what people type and what providers send) and fen. No floating point.
 */

export type ParsedAmount = { ok: true; fen: number } | { ok: false; reason: 'format' | 'precision' | 'range' };

const YUAN = /^(-)?(\d+)(?:\.(\d*))?$/;

/**
 * Parses a yuan string such as "12.34", "0.01", "-0.01", "12" or "12.3" into fen.
 * A third decimal is refused ("precision") unless it is zero ("1.230" is 123 fen).
 * `allowNegative` is for provider refund lines ("-0.01"); amounts typed by people are never negative.
 */
export function parseYuan(text: string, opts: { allowNegative?: boolean } = {}): ParsedAmount {
  const m = YUAN.exec(text.trim());
  if (!m) return { ok: false, reason: 'format' };
  const [, minus, whole, frac = ''] = m;
  if (minus && !opts.allowNegative) return { ok: false, reason: 'range' };
  if (/[1-9]/.test(frac.slice(2))) return { ok: false, reason: 'precision' };
  if (whole.replace(/^0+/, '').length > 13) return { ok: false, reason: 'range' };
  const fen = Number(whole) * 100 + Number((frac + '00').slice(0, 2));
  if (!Number.isSafeInteger(fen)) return { ok: false, reason: 'range' };
  return { ok: true, fen: minus ? -fen : fen };
}

/** 1234 → "12.34", 5 → "0.05", -1 → "-0.01". */
export function formatYuan(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new TypeError(`fen must be a safe integer, got ${fen}`);
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** True for a whole, positive number of fen no larger than `maxFen`. */
export function isValidAmountFen(fen: unknown, maxFen: number): fen is number {
  return typeof fen === 'number' && Number.isSafeInteger(fen) && fen > 0 && fen <= maxFen;
}
