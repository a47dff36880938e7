/**
 * The scanner as every screen sees it: the chip's state, the keyboard-wedge reader, and the door to
 * the HID code. In the initial bundle; it imports nothing of db.ts (see ../printer/chip.svelte.ts).
 */
import { KeyboardScans } from './keyboard.ts';
import { emitScan } from './scans.ts';
import type { ScannerSettings } from './settings.ts';

/** `wedge`: keyboard mode, the default with no HID scanner chosen; `none`: keyboard scans off too. */
export type ScannerState = 'wedge' | 'ready' | 'disconnected' | 'none';

class ScannerChip {
  state = $state<ScannerState>('wedge');
}

export const scannerChip = new ScannerChip();

export const SCANNER_LABELS: Record<ScannerState, string> = {
  wedge: '扫码枪：键盘模式 / Scanner: keyboard',
  ready: '扫码枪就绪 / Scanner ready',
  disconnected: '扫码枪未连接 / Scanner disconnected',
  none: '未设置扫码枪 / No scanner',
};

export const keyboardScans = new KeyboardScans((code) => emitScan({ code, source: 'wedge' }));

/** Settings read or changed: the keyboard reader's thresholds and the chip follow. */
export function useScannerSettings(s: ScannerSettings, hidOpen: boolean): void {
  keyboardScans.configure({ enabled: s.keyboard, minLength: s.minLength, maxAvgGapMs: s.maxAvgGapMs });
  scannerChip.state = s.hid ? (hidOpen ? 'ready' : 'disconnected') : s.keyboard ? 'wedge' : 'none';
}

type ScannerModule = typeof import('./scanner.svelte.ts');
let loader: (() => Promise<ScannerModule>) | null = null;

/** start.ts (the entry) says how the HID code is loaded, with the settings store handed in. */
export function provideScanner(load: () => Promise<ScannerModule>): void {
  loader = load;
}

/** The HID scanner code, loaded once, when a HID scanner is configured or the settings open. */
export function loadScanner(): Promise<ScannerModule> {
  return loader ? loader() : Promise.reject(new Error('scanner code not provided'));
}
