/**
 * The day view: `GET /api/reports/day?date=` and the geometry of its hand-made SVG bar charts.
 * Amounts stay integer fen; only the bars' lengths are fractions of the chart.
 */
import type { DayFigures, DayReport } from '../../contract/api.ts';
import { formatYuan } from '../../contract/money.ts';
import type { Api } from '../data/api.ts';

export type { DayFigures, DayReport };

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function isDay(text: string): boolean {
  return DAY.test(text) && Number.isFinite(Date.parse(`${text}T00:00:00Z`)) && new Date(`${text}T00:00:00Z`).toISOString().startsWith(text);
}

/** `store`: one store of a chain (a chain manager's choice); the proxy holds a store's manager to its own. */
export function getDayReport(api: Api, date: string, store?: string): Promise<DayReport> {
  const q = new URLSearchParams({ date });
  if (store) q.set('store', store);
  return api.json('GET', `/api/reports/day?${q}`);
}

/** A bar's length in the chart's units, `value` of `top` over `span` units; a non-zero value is never invisible. */
export function barLength(value: number, top: number, span: number): number {
  if (value <= 0 || top <= 0) return 0;
  return Math.max(1, Math.round((value / top) * span * 10) / 10);
}

/** The hour chart: paid bars up from the zero line, refund bars down from it, on one scale. */
export interface HourBar {
  hour: number;
  x: number;
  up: number;
  down: number;
  figures: DayFigures;
}

export const HOUR_CHART = { width: 480, height: 200, left: 4, right: 4, top: 10, bottom: 24 } as const;

/**
 * Bars for 24 hours. The zero line sits where the largest paid bar and the largest refund bar both
 * fit: the same fen is the same length up or down.
 */
export function hourBars(hours: readonly (DayFigures & { hour: number })[]): { bars: HourBar[]; zeroY: number; step: number } {
  const c = HOUR_CHART;
  const maxUp = Math.max(0, ...hours.map((h) => h.paidFen));
  const maxDown = Math.max(0, ...hours.map((h) => h.refundedFen));
  const plot = c.height - c.top - c.bottom;
  const span = maxUp + maxDown;
  const step = (c.width - c.left - c.right) / 24;
  const bars = hours.map((h) => ({
    hour: h.hour,
    x: c.left + h.hour * step,
    up: barLength(h.paidFen, span, plot),
    down: barLength(h.refundedFen, span, plot),
    figures: h,
  }));
  const zeroY = span > 0 ? c.top + Math.round((maxUp / span) * plot * 10) / 10 : c.top + plot;
  return { bars, zeroY, step };
}

/** The method chart: one row per method, paid and refunded bars on one scale. */
export function methodScale(methods: readonly DayFigures[]): number {
  return Math.max(0, ...methods.map((m) => Math.max(m.paidFen, m.refundedFen)));
}

// --- The charts as SVG markup (put in the page with {@html}: Svelte's own SVG templates would pull
// its SVG helper into the first-load bundle, about 100 bytes). Every text is escaped.

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ESC[c]);

/** `¥12.34`, `-¥0.05`, from integer fen. */
export function yuanText(fen: number): string {
  return fen < 0 ? `-¥${formatYuan(-fen)}` : `¥${formatYuan(fen)}`;
}

export const METHOD_CHART = { width: 480, row: 44, label: 112, value: 120 } as const;

/** One row per method: its name and provider, a paid bar and a refund bar on one scale, the amounts at the right. */
export function methodChartSvg(methods: readonly (DayFigures & { method: string; name: string; provider: string })[]): string {
  const c = METHOD_CHART;
  const top = methodScale(methods);
  const span = c.width - c.label - c.value - 8;
  const rows = methods.map((m, i) => {
    const y = i * c.row;
    const refund = m.refundedFen > 0 ? `<text x="${c.width}" y="${y + 33}" text-anchor="end" class="value refund-text">-${esc(yuanText(m.refundedFen))}</text>` : '';
    return (
      `<g data-testid="day-method-bar" data-method="${esc(m.method)}" data-paid-fen="${m.paidFen}" data-refunded-fen="${m.refundedFen}">` +
      `<title>${esc(m.name)}：收款 ${esc(yuanText(m.paidFen))}（${m.count} 笔），退款 ${esc(yuanText(m.refundedFen))}（${m.refundCount} 笔） / paid, refunded</title>` +
      `<text x="0" y="${y + 17}" class="label">${esc(m.name)}</text>` +
      `<text x="0" y="${y + 33}" class="key">${esc(m.provider)}</text>` +
      `<rect x="${c.label}" y="${y + 6}" width="${barLength(m.paidFen, top, span)}" height="14" class="paid"/>` +
      `<rect x="${c.label}" y="${y + 23}" width="${barLength(m.refundedFen, top, span)}" height="9" class="refund"/>` +
      `<text x="${c.width}" y="${y + 17}" text-anchor="end" class="value">${esc(yuanText(m.paidFen))}</text>${refund}</g>`
    );
  });
  return (
    `<svg class="chart" data-testid="day-methods-chart" viewBox="0 0 ${c.width} ${Math.max(1, methods.length) * c.row}" role="img" ` +
    `aria-label="按支付方式的收款与退款 / Takings and refunds by method">${rows.join('')}</svg>`
  );
}

/** 24 hours: takings up from the zero line, refunds down from it; hour marks every 3 hours. */
export function hourChartSvg(hours: readonly (DayFigures & { hour: number })[]): string {
  const c = HOUR_CHART;
  const { bars, zeroY, step } = hourBars(hours);
  const plot = c.height - c.top - c.bottom;
  const r = (n: number) => Math.round(n * 10) / 10;
  const groups = bars.map((b) => {
    const f = b.figures;
    const up = b.up > 0 ? `<rect x="${r(b.x + step * 0.15)}" y="${r(zeroY - b.up)}" width="${r(step * 0.7)}" height="${b.up}" class="paid"/>` : '';
    const down = b.down > 0 ? `<rect x="${r(b.x + step * 0.15)}" y="${zeroY}" width="${r(step * 0.7)}" height="${b.down}" class="refund"/>` : '';
    const mark = b.hour % 3 === 0 ? `<text x="${r(b.x + step / 2)}" y="${c.height - 6}" text-anchor="middle" class="key">${b.hour}</text>` : '';
    return (
      `<g data-testid="day-hour" data-hour="${b.hour}" data-paid-fen="${f.paidFen}" data-refunded-fen="${f.refundedFen}">` +
      `<title>${b.hour}:00–${b.hour + 1}:00 收款 ${esc(yuanText(f.paidFen))}（${f.count} 笔），退款 ${esc(yuanText(f.refundedFen))} / paid, refunded</title>` +
      `<rect x="${r(b.x)}" y="${c.top}" width="${r(step)}" height="${plot}" class="hit"/>${up}${down}${mark}</g>`
    );
  });
  return (
    `<svg class="chart hours" data-testid="day-hours-chart" viewBox="0 0 ${c.width} ${c.height}" role="img" ` +
    `aria-label="按小时的收款（上）与退款（下） / Takings (up) and refunds (down) by hour">${groups.join('')}` +
    `<line x1="${c.left}" x2="${c.width - c.right}" y1="${zeroY}" y2="${zeroY}" class="axis"/></svg>`
  );
}
