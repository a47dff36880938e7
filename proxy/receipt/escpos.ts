/**
 * Receipts as ESC/POS bytes. Chinese text is GB18030 in Chinese mode (FS &), never UTF-8.
 * Provider receipts (微收银 `printinfo`) arrive already decoded to control characters + text;
 * they are encoded as the provider meant them. Our own receipt is used where the provider gave none.
 */
import { chinaWallClockOf } from '../china-time.ts';
import iconv from 'iconv-lite';
import { formatYuan } from '../../contract/money.ts';
import type { CartItem } from '../../contract/api.ts';
import type { PaymentRecord, RefundRecord } from '../ledger/payments.ts';

const ESC = '\x1b';
const GS = '\x1d';
const FS = '\x1c';
const INIT = `${ESC}@`;
const CHINESE_ON = `${FS}&`;

/** `¥` (U+00A5) is not in GBK and prints as `?`: use the full-width `￥`. */
export function printable(text: string): string {
  return text.replace(/\u00a5/g, '\uffe5');
}

/** Text with control characters → printer bytes; Chinese mode is switched on after every initialize. */
export function encodeEscPos(text: string): Uint8Array<ArrayBuffer> {
  let t = printable(text);
  t = t.replace(/\x1b@(?!\x1c&)/g, `${INIT}${CHINESE_ON}`);
  if (!t.startsWith(INIT)) t = INIT + CHINESE_ON + t;
  return Uint8Array.from(iconv.encode(t, 'gb18030'));
}

/** Argument bytes that follow each command we know, so a text rendering can skip them. */
const COMMAND_ARGS: Record<string, number> = {
  [`${ESC}@`]: 0, [`${ESC}a`]: 1, [`${ESC}E`]: 1, [`${ESC}M`]: 1, [`${ESC}t`]: 1, [`${ESC}3`]: 1, [`${ESC}2`]: 0,
  [`${ESC}d`]: 1, [`${ESC}i`]: 0, [`${ESC}m`]: 0, [`${ESC}{`]: 1, [`${ESC}-`]: 1, [`${ESC}!`]: 1,
  [`${GS}!`]: 1, [`${GS}V`]: 1, [`${GS}B`]: 1, [`${FS}&`]: 0, [`${FS}.`]: 0, [`${FS}!`]: 1,
};

/** A readable rendering of receipt text: control sequences removed, lines kept. */
export function receiptText(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === ESC || ch === GS || ch === FS) {
      const cmd = text.slice(i, i + 2);
      if (cmd === `${GS}(`) {
        // GS ( k pL pH d1…dn (e.g. a QR code): skip the whole function, its data included.
        i += 4 + text.charCodeAt(i + 3) + 256 * text.charCodeAt(i + 4);
        continue;
      }
      if (cmd === `${ESC}i` || cmd === `${ESC}m` || cmd === `${GS}V`) out += '\n';
      i += 1 + (COMMAND_ARGS[cmd] ?? 0);
      continue;
    }
    if (ch === '\r') continue;
    if (ch === '\n' || ch >= ' ' || ch === '\t') out += ch;
  }
  return printable(out).replace(/[ \t]+\n/g, '\n').replace(/\n{3,}/g, '\n\n').trim() + '\n';
}

/** GS ( k: a QR code (model 2, module size 6, error correction M) holding `data` (ASCII). */
export function qrCommand(data: string): string {
  const store = data.length + 3;
  return [
    `${GS}(k\x04\x00\x31\x41\x32\x00`,
    `${GS}(k\x03\x00\x31\x43\x06`,
    `${GS}(k\x03\x00\x31\x45\x31`,
    `${GS}(k${String.fromCharCode(store % 256, Math.floor(store / 256))}\x31\x50\x30${data}`,
    `${GS}(k\x03\x00\x31\x51\x30`,
  ].join('');
}

const LINE = '-'.repeat(32);

const STATUS_TEXT: Record<string, string> = {
  paid: '支付成功', refunded: '已退款', failed: '支付失败', cancelled: '已撤销', paying: '等待支付', unknown: '结果确认中',
};


/** Our own receipt for a payment, used when the provider sent no printinfo. */
export function ownReceipt(p: PaymentRecord, opts: { storeName: string; methodName: string; refunds?: RefundRecord[] }): string {
  const lines: string[] = [
    `${INIT}${CHINESE_ON}${ESC}a\x01${GS}!\x11${opts.storeName}`,
    `${GS}!\x00付款凭证`,
    `${ESC}a\x00${LINE}`,
    `单  号: ${p.outNo}`,
  ];
  if (p.providerRef) lines.push(`账单号: ${p.providerRef}`);
  if (p.billNo) lines.push(`售货单: ${p.billNo}`);
  if (p.tradeNo) lines.push(`流水号: ${p.tradeNo}`);
  lines.push(`支付方式: ${opts.methodName}`, `时  间: ${chinaWallClockOf(p.paidAt ?? p.createdAt)}`, `状  态: ${STATUS_TEXT[p.status] ?? p.status}`);
  lines.push(...itemLines(p.items));
  lines.push(LINE, `${ESC}E\x01金  额: ${GS}!\x11￥${formatYuan(p.amountFen)}${GS}!\x00${ESC}E\x00`);
  for (const r of opts.refunds ?? []) {
    if (r.status === 'refunded') lines.push(`退  款: ￥-${formatYuan(r.amountFen)}  ${chinaWallClockOf(r.updatedAt)}`);
  }
  // The order number as a QR code, so a manager can find the order by scanning the receipt.
  lines.push(LINE, `${ESC}a\x01${qrCommand(p.outNo)}`, p.outNo, '谢谢惠顾，欢迎再次光临', `${ESC}d\x03${GS}V\x01`);
  return lines.join('\n');
}

function itemLines(items: readonly CartItem[] | undefined): string[] {
  if (!items?.length) return [];
  return [LINE, ...items.flatMap((it) => [it.name, `  ${it.quantity} x ${formatYuan(it.unitFen)} = ${formatYuan(it.unitFen * it.quantity)}`])];
}

export interface BillPrint {
  billNo: string;
  amountFen: number;
  items?: readonly CartItem[];
  at: Date;
  table?: string;
}

/**
 * A bill before payment (预结单): the lines and the total for the customer to check, marked as not
 * a receipt. `footer` is the provider's (微收银 qrcode_template); without one, a QR of the bill number.
 */
export function ownBill(b: BillPrint, opts: { storeName: string; footer?: string }): string {
  const lines: string[] = [
    `${INIT}${CHINESE_ON}${ESC}a\x01${GS}!\x11${opts.storeName}`,
    `${GS}!\x00预结单`,
    `${ESC}a\x00${LINE}`,
    `账单编号: ${b.billNo}`,
    `时  间: ${chinaWallClockOf(b.at.toISOString())}`,
  ];
  if (b.table) lines.push(`桌  号: ${b.table}`);
  lines.push(...itemLines(b.items));
  lines.push(LINE, `${ESC}E\x01合  计: ${GS}!\x11￥${formatYuan(b.amountFen)}${GS}!\x00${ESC}E\x00`, '此单不是付款凭证 / Not a receipt');
  if (opts.footer) lines.push(`${ESC}@${CHINESE_ON}${opts.footer}`, `${ESC}@${CHINESE_ON}${ESC}d\x03${GS}V\x01`);
  else lines.push(LINE, `${ESC}a\x01${qrCommand(b.billNo)}`, b.billNo, `${ESC}d\x03${GS}V\x01`);
  return lines.join('\n');
}

/** Our own refund receipt, for refunds the provider sent no printinfo for. */
export function ownRefundReceipt(p: PaymentRecord, r: RefundRecord, opts: { storeName: string; methodName: string }): string {
  return [
    `${INIT}${CHINESE_ON}${ESC}a\x01${GS}!\x11${opts.storeName}`,
    `${GS}!\x00退款凭证`,
    `${ESC}a\x00${LINE}`,
    `原单号: ${p.outNo}`,
    `退款单号: ${r.refundNo}`,
    ...(p.providerRef ? [`账单号: ${p.providerRef}`] : []),
    `支付方式: ${opts.methodName}`,
    `原支付金额: ￥${formatYuan(p.amountFen)}`,
    `退款时间: ${chinaWallClockOf(r.updatedAt)}`,
    `状  态: ${r.status === 'refunded' ? '退款成功' : r.status === 'failed' ? '退款失败' : '确认中'}`,
    LINE,
    `${ESC}E\x01退款金额: ${GS}!\x11￥${formatYuan(r.amountFen)}${GS}!\x00${ESC}E\x00`,
    LINE,
    '客户签字:',
    '',
    `${ESC}d\x03${GS}V\x01`,
  ].join('\n');
}
