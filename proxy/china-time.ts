/**
 * China wall-clock time (UTC+8, no daylight saving): the calendar day a store's books are kept in,
 * and the naive local timestamps seed 002's responses show ("2020-02-21T11:37:08.784968").
 */
const OFFSET_MS = 8 * 3600_000;
const DAY_MS = 24 * 3600_000;

/** "2026-11-23" → its start and end (exclusive) as epoch ms; undefined when not a real day. */
export function chinaDayBounds(day: string): { startMs: number; endMs: number } | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return undefined;
  const utc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (new Date(utc).toISOString().slice(0, 10) !== day) return undefined;
  return { startMs: utc - OFFSET_MS, endMs: utc - OFFSET_MS + DAY_MS };
}

/** The China day of an instant: "2026-11-23". */
export function chinaDayOf(ms: number): string {
  return new Date(ms + OFFSET_MS).toISOString().slice(0, 10);
}

/** China wall-clock time of an instant, "2026-11-23 16:22:55" (receipts, bill numbers, the daily job). */
export function chinaWallClock(ms: number): string {
  return new Date(ms + OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** An ISO time as China wall-clock time; '' when absent, the text itself when it is not a time. */
export function chinaWallClockOf(iso: string | undefined): string {
  if (!iso) return '';
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : chinaWallClock(ms);
}

/** The day before/after a China day. */
export function addDays(day: string, n: number): string {
  const b = chinaDayBounds(day);
  if (!b) throw new RangeError(`not a day: ${day}`);
  return chinaDayOf(b.startMs + n * DAY_MS);
}

/** An instant as seed 002 prints times: China local, no offset, microseconds. */
export function chinaNaive(isoOrMs: string | number | undefined): string | null {
  if (isoOrMs === undefined) return null;
  const ms = typeof isoOrMs === 'number' ? isoOrMs : Date.parse(isoOrMs);
  if (!Number.isFinite(ms)) return null;
  return new Date(ms + OFFSET_MS).toISOString().slice(0, 23) + '000';
}

/** ISO 8601 in UTC for an epoch ms (how the ledger stores times, so they compare as text). */
export function isoUtc(ms: number): string {
  return new Date(ms).toISOString();
}
