/**
 * The day's takings, computed in SQL from the ledger (integer fen, never floats).
 *
 * What counts, for the China day D (00:00–24:00 at UTC+8, whatever the server's own zone):
 * - **Payments**: status `paid` or `refunded` (money that came in, even if it went back later), on the
 *   day of their `paid_at` in China time (`created_at` when a payment has no paid time, e.g. a late
 *   payment reversed automatically). `paid_at` arrives in several forms (`…+08:00` from providers,
 *   `…Z` from us): SQLite's `datetime()` reads both, so every comparison is made on
 *   `datetime(paid_at, '+8 hours')`, China wall-clock text, never on the raw strings.
 * - **Refunds**: status `refunded` (confirmed by the provider), on the day and hour of the refund's
 *   own time (`refunds.created_at`, when it was made), whatever the payment's day: money leaves the
 *   till when it is refunded, and a day once closed does not change because of a later refund. A
 *   refund's method is its payment's. Refunds not yet confirmed (`unknown`) are not counted; they are
 *   given apart as `pendingRefunds`. Failed refunds moved no money.
 * - `netFen = paidFen - refundedFen` per method, per hour and for the day.
 *
 * The index this wants (migration v4; without it the payments side is a scan of the table):
 *   CREATE INDEX payments_paid_china ON payments (COALESCE(datetime(paid_at, '+8 hours'), datetime(created_at, '+8 hours')))
 *     WHERE status IN ('paid', 'refunded');
 *   CREATE INDEX refunds_china ON refunds (datetime(created_at, '+8 hours'));
 */
import type { DayFigures, DayReport } from '../../contract/api.ts';
import { chinaDayBounds, chinaDayOf } from '../china-time.ts';
import type { Db } from './db.ts';

export type { DayFigures, DayReport };

/** China wall-clock time of a payment's takings, "YYYY-MM-DD HH:MM:SS" (the index expression: keep it identical). */
const PAID_CHINA = "COALESCE(datetime(paid_at, '+8 hours'), datetime(created_at, '+8 hours'))";
const PAID_STATUSES = "status IN ('paid', 'refunded')";
/** China wall-clock time of a refund. */
const REFUND_CHINA = "datetime(r.created_at, '+8 hours')";

/** True for a real calendar date `YYYY-MM-DD` from 1970 (no ledger is older). */
export function isDay(date: string): boolean {
  return chinaDayBounds(date) !== undefined && date >= '1970-01-01';
}

export { chinaDayOf as chinaDay };

/** The day after `date` (a calendar day, no time zone involved). */
function nextDay(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

const empty = (): DayFigures => ({ count: 0, paidFen: 0, refundCount: 0, refundedFen: 0, netFen: 0 });

type Row = { k: string | number; provider?: string; n: number; fen: number };

/** The day's figures of the whole ledger, or of one store of a chain (`storeId`). */
export function dayReport(db: Db, date: string, storeId?: string): DayReport {
  if (!isDay(date)) throw new RangeError(`not a day: ${date}`);
  const next = nextDay(date);
  const fromChina = `${date} 00:00:00`;
  const toChina = `${next} 00:00:00`;
  const fromUtc = new Date(`${date}T00:00:00+08:00`).toISOString();
  const toUtc = new Date(`${next}T00:00:00+08:00`).toISOString();

  const ofStore = storeId === undefined ? '' : ' AND p.store_id = @storeId';
  const paidIn = `${PAID_STATUSES} AND ${PAID_CHINA} >= @fromChina AND ${PAID_CHINA} < @toChina${ofStore}`;
  const paidBy = (key: string) =>
    db
      .prepare(`SELECT ${key} AS k, MIN(provider) AS provider, COUNT(*) AS n, SUM(amount_fen) AS fen FROM payments p WHERE ${paidIn} GROUP BY k`)
      .all({ fromChina, toChina, ...(storeId === undefined ? {} : { storeId }) }) as Row[];
  const refundsBy = (key: string, status: string) =>
    db
      .prepare(
        `SELECT ${key} AS k, MIN(p.provider) AS provider, COUNT(*) AS n, SUM(r.amount_fen) AS fen
           FROM refunds r JOIN payments p ON p.out_no = r.out_no
          WHERE r.status = @status AND ${REFUND_CHINA} >= @fromChina AND ${REFUND_CHINA} < @toChina${ofStore}
          GROUP BY k`,
      )
      .all({ status, fromChina, toChina, ...(storeId === undefined ? {} : { storeId }) }) as Row[];

  const hourOfPaid = `CAST(substr(${PAID_CHINA}, 12, 2) AS INTEGER)`;
  const hourOfRefund = `CAST(substr(${REFUND_CHINA}, 12, 2) AS INTEGER)`;

  const methods = new Map<string, DayReport['methods'][number]>();
  const method = (r: Row) => {
    let m = methods.get(String(r.k));
    if (!m) methods.set(String(r.k), (m = { method: String(r.k), provider: r.provider ?? '', name: String(r.k), ...empty() }));
    return m;
  };
  for (const r of paidBy('method')) Object.assign(method(r), { count: r.n, paidFen: r.fen });
  for (const r of refundsBy('p.method', 'refunded')) Object.assign(method(r), { refundCount: r.n, refundedFen: r.fen });

  const hours = Array.from({ length: 24 }, (_, hour) => ({ hour, ...empty() }));
  for (const r of paidBy(hourOfPaid)) Object.assign(hours[Number(r.k)], { count: r.n, paidFen: r.fen });
  for (const r of refundsBy(hourOfRefund, 'refunded')) Object.assign(hours[Number(r.k)], { refundCount: r.n, refundedFen: r.fen });

  const totals = empty();
  for (const m of methods.values()) {
    m.netFen = m.paidFen - m.refundedFen;
    totals.count += m.count;
    totals.paidFen += m.paidFen;
    totals.refundCount += m.refundCount;
    totals.refundedFen += m.refundedFen;
  }
  totals.netFen = totals.paidFen - totals.refundedFen;
  for (const h of hours) h.netFen = h.paidFen - h.refundedFen;

  const pending = refundsBy("'all'", 'unknown')[0];
  return {
    date,
    timeZone: 'Asia/Shanghai',
    from: fromUtc,
    to: toUtc,
    totals,
    methods: [...methods.values()].sort((a, b) => b.paidFen - a.paidFen || b.refundedFen - a.refundedFen || a.method.localeCompare(b.method)),
    hours,
    pendingRefunds: { count: pending?.n ?? 0, fen: pending?.fen ?? 0 },
  };
}
