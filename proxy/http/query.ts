/**
 * Reading a list route's query string (GET /api/payments, GET /api/audit): every bad parameter is a
 * 400 `query_invalid` naming it, in Chinese and English.
 */
import { chinaDayBounds } from '../china-time.ts';
import { ApiError } from './errors.ts';

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function queryReader(q: Record<string, string>) {
  const bad = (param: string, zh: string, en: string) => new ApiError(400, 'query_invalid', `参数 ${param} 无效：${zh} / Invalid ${param}: ${en}`);

  /** An ISO 8601 instant with its offset, or a day `YYYY-MM-DD` meaning 00:00 China time; as ISO UTC. */
  const instant = (param: string): string | undefined => {
    const v = q[param];
    if (v === undefined || v === '') return undefined;
    const text = DAY.test(v) ? `${v}T00:00:00+08:00` : v;
    const m = INSTANT.exec(text);
    // Date.parse rolls 02-30 over to March and takes 24:00: a calendar check first.
    const real = m && chinaDayBounds(text.slice(0, 10)) && Number(text.slice(11, 13)) <= 23 && Number(text.slice(14, 16)) <= 59 && Number(m[1]?.slice(1, 3) ?? 0) <= 59;
    const ms = real ? Date.parse(text) : Number.NaN;
    if (!Number.isFinite(ms) || ms < 0 || ms > 253402300799999) {
      throw bad(param, '应为带时区的 ISO 8601 时间（如 2026-11-23T08:00:00+08:00）或日期 YYYY-MM-DD', 'expected an ISO 8601 time with its offset (e.g. 2026-11-23T08:00:00+08:00) or a day YYYY-MM-DD');
    }
    return new Date(ms).toISOString();
  };

  /** A whole number from 1 to `max`, `fallback` when absent. */
  const int = (param: string, fallback: number, max: number): number => {
    const v = q[param];
    if (v === undefined || v === '') return fallback;
    const n = /^\d{1,9}$/.test(v) ? Number(v) : Number.NaN;
    if (!(n >= 1 && n <= max)) throw bad(param, `应为 1–${max} 的整数`, `expected a whole number from 1 to ${max}`);
    return n;
  };

  return { bad, instant, int };
}
