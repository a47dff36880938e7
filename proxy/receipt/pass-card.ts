/** The pass card (出门单) a kiosk customer shows at the exit, as ESC/POS text with its code as a QR code. */
import { chinaWallClockOf } from '../china-time.ts';
import type { PassCardView } from '../../contract/api.ts';
import { qrCommand } from './escpos.ts';

const ESC = '\x1b';
const GS = '\x1d';
const FS = '\x1c';


export function passCardReceipt(card: PassCardView, storeName: string): string {
  const line = '-'.repeat(32);
  return [
    `${ESC}@${FS}&${ESC}a\x01${GS}!\x11出门单`,
    `${GS}!\x00${storeName}`,
    `${ESC}a\x00${line}`,
    `单  号: ${card.outNo ?? card.orderId}`,
    `出门码: ${card.code}`,
    `状  态: ${card.statusText}`,
    `时  间: ${chinaWallClockOf(card.createdAt)}`,
    line,
    `${ESC}a\x01${qrCommand(card.code.replace(/[^\x20-\x7e]/g, ''))}`,
    `${GS}!\x11${card.code}${GS}!\x00`,
    '出门时请出示本单 / Show at the exit',
    `${ESC}d\x03${GS}V\x01`,
  ].join('\n');
}
