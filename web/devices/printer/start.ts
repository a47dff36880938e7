/**
 * The printer's start, from the entry: a configured printer is reconnected on load; with none
 * configured, nothing more of the printer is loaded. This module owns the one dynamic import
 * of the printer code and hands it the settings store (the `pos` database), so that no lazy
 * chunk imports db.ts (see chip.svelte.ts for why).
 */
import { db } from '../../data/db.ts';
import { loadPrinter, printerChip, providePrinter } from './chip.svelte.ts';
import type {} from './settings.ts'; // the `printer` settings key

let loading: ReturnType<typeof loadPrinter> | null = null;

providePrinter(
  () =>
    (loading ??= import('./printer.svelte.ts').then((m) => {
      m.printer.useSettings({ load: () => db.getSetting('printer'), save: (s) => db.setSetting('printer', s) });
      return m;
    })),
);

export async function startPrinter(): Promise<void> {
  const s = await db.getSetting('printer');
  if (!s?.transport) return;
  printerChip.configured = true;
  printerChip.autoPrint = s.autoPrint;
  printerChip.state = 'connecting';
  const { printer } = await loadPrinter();
  await printer.start();
}
