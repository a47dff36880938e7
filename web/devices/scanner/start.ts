/**
 * The scanner's start, from the entry: the keyboard reader listens at once, every scan goes to the
 * checkout's router (loaded at start, which brings back a cart a reload left), and a remembered HID
 * scanner is reconnected (its code loads only then). Like ../printer/start.ts, this module hands
 * the lazy code what it needs from db.ts and the checkout, so no lazy chunk imports them.
 */
import { db } from '../../data/db.ts';
import { checkout } from '../../data/payments.svelte.ts';
import { keyboardScans, loadScanner, provideScanner, useScannerSettings } from './chip.svelte.ts';
import { onScan } from './scans.ts';
import { SCANNER_DEFAULTS } from './settings.ts';

let hid: ReturnType<typeof loadScanner> | null = null;
provideScanner(
  () =>
    (hid ??= import('./scanner.svelte.ts').then((m) => {
      m.scanner.useSettings({ load: () => db.getSetting('scanner'), save: (s) => db.setSetting('scanner', s) });
      return m;
    })),
);

let router: Promise<typeof import('../../checkout/route-scan.ts')> | null = null;
const loadRouter = () => (router ??= import('../../checkout/route-scan.ts'));

/** `active`: scans are for the checkout now (not the settings, the orders…). */
export async function startScanner(active: () => boolean): Promise<void> {
  keyboardScans.install();
  onScan((scan) => {
    loadRouter()
      .then((m) => m.routeScan(scan, { checkout, active }))
      .catch((err) => console.warn('scan', err));
  });
  // At once, not when idle: a cart left by a reload comes back before the cashier keys anything.
  void loadRouter().then((m) => m.restoreCart(checkout));
  const s = { ...SCANNER_DEFAULTS, ...(await db.getSetting('scanner')) };
  useScannerSettings(s, false);
  if (s.hid) await (await loadScanner()).scanner.start();
}
