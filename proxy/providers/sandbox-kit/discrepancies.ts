/**
 * The back office's day-bill discrepancy knobs (`POST /_admin/discrepancies`), the same shape in every
 * sandbox that keeps books: they change only what the provider's books report (its order list, order
 * view or bill read), never a payment's own state, so a reconciliation test can plant a known
 * difference and check that it is found and classified.
 *
 *   {"reset"?: true,                                   clear every knob first (alone: just clear)
 *    "drop"?: [key, …],                                the order is missing from the books (短款)
 *    "extra"?: [{"amountFen", …}, …],                  money for an order we never made (长款; list providers only)
 *    "amountOff"?: [{<key field>: key, "deltaFen"}],   the books' amount differs by deltaFen (≠ 0)
 *    "unrecordedRefund"?: [{<key field>: key, "amountFen"}],  a refund our ledger never recorded
 *    "bookNextDay"?: [key, …]}                         booked just past the next China midnight
 *
 * The key is the provider's order reference (mct1 out_no or ord_no, 微收银 dm_id). This module only
 * checks the shape; each simulator checks that the orders exist and applies the knobs.
 */
import { isJsonObject } from './json-body.ts';

export interface DiscrepancyRequest {
  reset: boolean;
  drop: string[];
  bookNextDay: string[];
  amountOff: { key: string; deltaFen: number }[];
  unrecordedRefund: { key: string; amountFen: number }[];
  /** Provider-specific objects, checked by the simulator. */
  extra: Record<string, unknown>[];
}

export interface DiscrepancyShape {
  /** The field naming the order in amountOff / unrecordedRefund items: mct1 `outNo`, 微收银 `dmId`. */
  keyField: string;
  /** Why `extra` cannot be planted (a provider without a day list), or undefined when it can. */
  noExtra?: string;
}

const KNOBS = ['reset', 'drop', 'extra', 'amountOff', 'unrecordedRefund', 'bookNextDay'] as const;
const KEY = /^[\x21-\x7e]{1,64}$/;

export function discrepancyUsage(shape: DiscrepancyShape): string {
  const k = shape.keyField;
  return (
    `{"reset"?: true, "drop"?: [${k}…], ${shape.noExtra ? '' : '"extra"?: [{"amountFen", "outNo"?, "pmtTag"?, "at"?}], '}` +
    `"amountOff"?: [{"${k}", "deltaFen" ≠ 0}], "unrecordedRefund"?: [{"${k}", "amountFen" > 0}], "bookNextDay"?: [${k}…]}`
  );
}

/** Checks the shape of a discrepancy request; `error` is a sentence for the 400 answer. */
export function parseDiscrepancies(body: unknown, shape: DiscrepancyShape): { ok: true; value: DiscrepancyRequest } | { ok: false; error: string } {
  const usage = discrepancyUsage(shape);
  const bad = (why: string) => ({ ok: false as const, error: `${why}. Expected ${usage}` });
  if (!isJsonObject(body)) return bad('a JSON object is required');
  for (const k of Object.keys(body)) if (!(KNOBS as readonly string[]).includes(k)) return bad(`unknown field "${k}"`);
  const out: DiscrepancyRequest = { reset: false, drop: [], bookNextDay: [], amountOff: [], unrecordedRefund: [], extra: [] };
  if (body.reset !== undefined) {
    if (typeof body.reset !== 'boolean') return bad('"reset" must be true or false');
    out.reset = body.reset;
  }
  const list = (name: string): unknown[] | string => {
    const v = body[name];
    if (v === undefined) return [];
    if (!Array.isArray(v)) return `"${name}" must be an array`;
    if (v.length > 1000) return `"${name}": at most 1000 items`;
    return v;
  };
  for (const name of ['drop', 'bookNextDay'] as const) {
    const items = list(name);
    if (typeof items === 'string') return bad(items);
    for (const item of items) {
      if (typeof item !== 'string' || !KEY.test(item)) return bad(`"${name}" items must be order references (1–64 printable ASCII characters)`);
      out[name].push(item);
    }
  }
  const keyOf = (item: Record<string, unknown>) => (typeof item[shape.keyField] === 'string' && KEY.test(item[shape.keyField] as string) ? (item[shape.keyField] as string) : undefined);
  const amountOff = list('amountOff');
  if (typeof amountOff === 'string') return bad(amountOff);
  for (const item of amountOff) {
    const key = isJsonObject(item) ? keyOf(item) : undefined;
    const delta = isJsonObject(item) ? item.deltaFen : undefined;
    if (!key || typeof delta !== 'number' || !Number.isSafeInteger(delta) || delta === 0) return bad(`"amountOff" items are {"${shape.keyField}", "deltaFen": a whole number of fen ≠ 0}`);
    out.amountOff.push({ key, deltaFen: delta });
  }
  const refunds = list('unrecordedRefund');
  if (typeof refunds === 'string') return bad(refunds);
  for (const item of refunds) {
    const key = isJsonObject(item) ? keyOf(item) : undefined;
    const amount = isJsonObject(item) ? item.amountFen : undefined;
    if (!key || typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0) return bad(`"unrecordedRefund" items are {"${shape.keyField}", "amountFen": a whole number of fen > 0}`);
    out.unrecordedRefund.push({ key, amountFen: amount });
  }
  const extra = list('extra');
  if (typeof extra === 'string') return bad(extra);
  if (extra.length && shape.noExtra) return bad(`"extra" cannot be planted here: ${shape.noExtra}`);
  for (const item of extra) {
    if (!isJsonObject(item)) return bad('"extra" items must be objects');
    out.extra.push(item);
  }
  return { ok: true, value: out };
}

const CHINA_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;

/** Epoch ms of the China midnight that starts the day after `ms`. */
export function nextChinaMidnight(ms: number): number {
  return Math.floor((ms + CHINA_OFFSET_MS) / DAY_MS) * DAY_MS - CHINA_OFFSET_MS + DAY_MS;
}
