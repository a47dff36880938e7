/**
 * The printer as every screen sees it: the chip's state, and the door to the printer code.
 * This file is in the initial bundle, so it is all there is of the printer until one is
 * configured (then start.ts loads the rest) or the settings screen opens.
 */
import type { PrinterState } from './status.ts';

class PrinterChip {
  state = $state<PrinterState>('none');
  /** The roll is near its end (still printing). */
  paperLow = $state(false);
  /** Jobs waiting or being printed. */
  pending = $state(0);
  /** A printer is chosen (the print button shows, paid receipts may print). */
  configured = $state(false);
  autoPrint = $state(true);
}

export const printerChip = new PrinterChip();

/** What the chip says, zh-CN / English. */
export const PRINTER_LABELS: Record<PrinterState, string> = {
  none: '未设置打印机 / No printer',
  connecting: '打印机连接中 / Printer connecting',
  ready: '打印机就绪 / Printer ready',
  offline: '打印机离线 / Printer offline',
  'cover-open': '打印机盖未关 / Printer cover open',
  'paper-out': '打印机缺纸 / Printer out of paper',
  error: '打印机故障 / Printer error',
};

type PrinterModule = typeof import('./printer.svelte.ts');
let loader: (() => Promise<PrinterModule>) | null = null;

/**
 * start.ts (imported by the entry only) says how the printer code is loaded. Lazy screens
 * (the paid screen, settings) import this module, so it holds no dynamic import and nothing
 * of db.ts: with Vite 8's Rolldown, a lazy chunk that reaches the `pos` database module makes
 * the build split Dexie and the Svelte runtime out of the entry chunk (like rolldown#10731),
 * about 1.2 KB more gzipped on the first load.
 */
export function providePrinter(load: () => Promise<PrinterModule>): void {
  loader = load;
}

/** The printer code (queue, links, encoder), loaded once, on first need. */
export function loadPrinter(): Promise<PrinterModule> {
  return loader ? loader() : Promise.reject(new Error('printer code not provided'));
}
