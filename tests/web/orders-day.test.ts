/** The day view's hand-made SVG charts: bar lengths on one scale, escaped text, the figures carried. */
import { describe, expect, it } from 'vitest';
import { barLength, esc, HOUR_CHART, hourBars, hourChartSvg, isDay, methodChartSvg, yuanText, type DayFigures } from '../../web/manager/report.ts';

const fig = (paidFen: number, refundedFen = 0, count = paidFen ? 1 : 0): DayFigures => ({
  count,
  paidFen,
  refundCount: refundedFen ? 1 : 0,
  refundedFen,
  netFen: paidFen - refundedFen,
});
const hours = (set: Record<number, DayFigures>) => Array.from({ length: 24 }, (_, hour) => ({ hour, ...(set[hour] ?? fig(0)) }));

describe('bars', () => {
  it('scale to the largest value; a non-zero value is never invisible', () => {
    expect(barLength(50, 100, 200)).toBe(100);
    expect(barLength(100, 100, 200)).toBe(200);
    expect(barLength(1, 1_000_000, 200)).toBe(1);
    expect(barLength(0, 100, 200)).toBe(0);
    expect(barLength(5, 0, 200)).toBe(0);
  });

  it('hours: paid up, refunds down, the same fen the same length either way', () => {
    const { bars, zeroY } = hourBars(hours({ 9: fig(3000), 14: fig(1000, 1000) }));
    const plot = HOUR_CHART.height - HOUR_CHART.top - HOUR_CHART.bottom;
    expect(bars[9].up).toBe(Math.round((3000 / 4000) * plot * 10) / 10);
    expect(bars[14].up).toBe(bars[14].down);
    expect(bars[0]).toMatchObject({ up: 0, down: 0 });
    expect(zeroY).toBeCloseTo(HOUR_CHART.top + (3000 / 4000) * plot, 1);
    // Bars stay inside the chart.
    for (const b of bars) {
      expect(zeroY - b.up).toBeGreaterThanOrEqual(HOUR_CHART.top - 0.1);
      expect(zeroY + b.down).toBeLessThanOrEqual(HOUR_CHART.height - HOUR_CHART.bottom + 0.1);
    }
  });

  it('an empty day draws no bars', () => {
    const { bars } = hourBars(hours({}));
    expect(bars.every((b) => b.up === 0 && b.down === 0)).toBe(true);
  });
});

describe('the SVG', () => {
  it('the method chart carries every method\'s figures and escapes its name', () => {
    const svg = methodChartSvg([
      { method: 'mct1:Diy:<会员卡>', name: '会员卡 "VIP" & <b>', provider: 'mct1', ...fig(12345, 45) },
      { method: 'weishouyin:wx', name: '微信', provider: 'weishouyin', ...fig(100) },
    ]);
    expect(svg).toMatch(/^<svg [^>]*data-testid="day-methods-chart"/);
    expect(svg).toContain('data-method="mct1:Diy:&lt;会员卡&gt;" data-paid-fen="12345" data-refunded-fen="45"');
    expect(svg).toContain('会员卡 &quot;VIP&quot; &amp; &lt;b&gt;');
    expect(svg).not.toContain('<b>');
    expect(svg).toContain('¥123.45');
    expect(svg).toContain('-¥0.45');
    expect(svg.match(/<g /g)).toHaveLength(2);
  });

  it('the hour chart has 24 groups with their figures', () => {
    const svg = hourChartSvg(hours({ 0: fig(100), 23: fig(200, 50) }));
    expect(svg.match(/data-testid="day-hour"/g)).toHaveLength(24);
    expect(svg).toContain('data-hour="23" data-paid-fen="200" data-refunded-fen="50"');
    expect(svg).toContain('class="refund"');
    expect(svg).toContain('<title>23:00–24:00 收款 ¥2.00（1 笔），退款 ¥0.50');
  });

  it('money text from integer fen', () => {
    expect(yuanText(0)).toBe('¥0.00');
    expect(yuanText(-5)).toBe('-¥0.05');
    expect(yuanText(123456789)).toBe('¥1234567.89');
    expect(esc(`<&>"'`)).toBe('&lt;&amp;&gt;&quot;&#39;');
  });

  it('days', () => {
    expect(isDay('2026-02-28')).toBe(true);
    expect(isDay('2026-02-29')).toBe(false);
    expect(isDay('2026-2-1')).toBe(false);
  });
});
