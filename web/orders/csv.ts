/**
 * The order list as CSV for Excel/WPS: UTF-8 with a BOM (without it Excel reads Chinese as GBK and
 * garbles it), CRLF line ends, fields quoted per RFC 4180 where they need it (a comma, a quote, CR
 * or LF; quotes doubled), and no cell that a spreadsheet would run as a formula: a cell starting with
 * = + - @ (or a tab or CR, per OWASP) gets a leading apostrophe. Amounts are yuan with two decimals,
 * made from integer fen by formatYuan (never a float). Times are China time (UTC+8).
 */
import type { PayMethodInfo } from '../../contract/api.ts';
import { formatYuan } from '../../contract/money.ts';
import { methodLabel, orderStatusLabel } from '../data/orders.ts';
import type { OrderRow } from './query.ts';

export const BOM = '\uFEFF';
const CRLF = '\r\n';

/** One cell: formula-guarded, then quoted if it must be. */
export function csvCell(value: string): string {
  let v = value;
  if (/^[=+\-@\t\r]/.test(v)) v = `'${v}`;
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** A whole file: BOM, then each row's cells joined by commas, every line ended by CRLF. */
export function buildCsv(rows: readonly (readonly string[])[]): string {
  return BOM + rows.map((r) => r.map(csvCell).join(',') + CRLF).join('');
}

/** "2026-11-23 14:05:09" in China time; '' when absent, as it came when unreadable. */
export function chinaTime(iso: string | undefined): string {
  if (!iso) return '';
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return iso;
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

export const ORDER_COLUMNS = [
  '创建时间 / Created',
  '支付时间 / Paid at',
  '订单号 / Out no.',
  '支付机构单号 / Provider ref',
  '交易号 / Trade no.',
  '售货单 / Sales bill',
  '终端 / Terminal',
  '支付机构 / Provider',
  '支付方式 / Method',
  '状态 / Status',
  '金额(元) / Amount (yuan)',
  '已退款(元) / Refunded (yuan)',
  '实收(元) / Net (yuan)',
  '说明 / Message',
] as const;

/** Money paid and not refunded: nothing for a payment that never went through. */
function netFen(p: OrderRow): number {
  return p.status === 'paid' || p.status === 'refunded' ? p.amountFen - (p.refundedFen ?? 0) : 0;
}

export function ordersCsv(rows: readonly OrderRow[], opts: { methods: readonly PayMethodInfo[]; terminalName?: (id: string) => string }): string {
  const body = rows.map((p) => {
    const s = orderStatusLabel(p.status);
    return [
      chinaTime(p.createdAt),
      chinaTime(p.paidAt),
      p.outNo,
      p.providerRef ?? '',
      p.tradeNo ?? '',
      p.billNo ?? p.bill?.billNo ?? '',
      p.terminalId ? (opts.terminalName?.(p.terminalId) ?? p.terminalId) : '',
      p.provider,
      methodLabel(p.method, opts.methods),
      `${s.zh} / ${s.en}`,
      formatYuan(p.amountFen),
      formatYuan(p.refundedFen ?? 0),
      formatYuan(netFen(p)),
      p.message ?? '',
    ];
  });
  return buildCsv([[...ORDER_COLUMNS], ...body]);
}

/** `订单-2026-11-23-1405.csv` (China time of the export). */
export function csvFileName(now = Date.now()): string {
  const t = new Date(now + 8 * 3600_000).toISOString();
  return `订单-${t.slice(0, 10)}-${t.slice(11, 13)}${t.slice(14, 16)}.csv`;
}

/** Hands the file to the browser's downloads through a Blob link. */
export function downloadCsv(csv: string, name: string): void {
  const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
