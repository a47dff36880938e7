/**
 * Reconciliation of a day of 100,000 orders against a provider bill of the same size: a ledger on
 * disk (WAL, synchronous=FULL, as the store runs), a provider whose day bill is generated in memory
 * with a few known discrepancies, and the real Reconciler (load, match, store rows and statuses).
 * Figures: seconds and the peak RSS above the start; compared in the same run with a day of 10,000
 * (a one-pass run scales linearly: per-order time about the same).
 */
import { Stores } from '../proxy/stores/registry.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../proxy/ledger/db.ts';
import type { Provider, ProviderBillEntry, ProviderMethod } from '../proxy/providers/types.ts';
import { chinaDayBounds } from '../proxy/china-time.ts';
import { Reconciler } from '../proxy/reconciliation/run.ts';
import { ReconStore } from '../proxy/reconciliation/store.ts';

const DAY = '2026-11-20';
const METHOD: ProviderMethod = { id: 'bench:wx', name: '微信', kind: 'barcode' } as ProviderMethod;

/** A provider that only has a day bill (the generated one). */
function billProvider(entries: ProviderBillEntry[]): Provider {
  return {
    id: 'bench',
    methods: () => [METHOD],
    info: () => ({ ready: true }),
    dayBill: async () => ({ ok: true, entries, complete: true }),
  } as unknown as Provider;
}

async function one(n: number) {
  const dir = mkdtempSync(join(tmpdir(), 'pos-recon-bench-'));
  const db = openDb(dir);
  try {
    const { startMs } = chinaDayBounds(DAY)!;
    const step = Math.floor((20 * 3600_000) / n); // spread over the day, none in the carry window
    const insert = db.prepare(
      `INSERT INTO payments (out_no, terminal_id, provider, method, amount_fen, status, provider_ref, paid_at, created_at, updated_at)
       VALUES (?, 'T1', 'bench', 'bench:wx', ?, 'paid', ?, ?, ?, ?)`,
    );
    const entries: ProviderBillEntry[] = [];
    db.transaction(() => {
      for (let i = 0; i < n; i++) {
        const at = new Date(startMs + 60_000 + i * step).toISOString();
        const amount = 100 + (i % 997);
        insert.run(`O${i}`, amount, `R${i}`, at, at, at);
        if (i % 1000 === 1) continue; // missing at the provider: short
        entries.push({ outNo: `O${i}`, providerRef: `R${i}`, amountFen: amount + (i % 1000 === 2 ? 1 : 0), refundedFen: 0, state: 'paid', bookedAt: at });
      }
      for (let i = 0; i < n / 1000; i++) entries.push({ outNo: `X${i}`, amountFen: 500, refundedFen: 0, state: 'paid' }); // long
    })();
    const stores = new Stores([{ id: 'main', name: 'bench' }]);
    stores.default.providers.register(billProvider(entries));
    const reconciler = new Reconciler({ store: new ReconStore(db), stores, carryWindowMs: 30 * 60_000 });
    global.gc?.();
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    const t = performance.now();
    const outcome = await reconciler.run({ provider: 'bench', day: DAY, person: 'bench' });
    const seconds = (performance.now() - t) / 1000;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    return { seconds, peakMiB: (peak - rss0) / 2 ** 20, rows: outcome.rows };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function reconciliationBench(): Promise<void> {
  const small = await one(10_000);
  const big = await one(100_000);
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  console.log(
    JSON.stringify({
      name: 'reconciliation_100k_orders_seconds',
      unit: 's',
      value: r3(big.seconds),
      peak_rss_mib: Math.round(big.peakMiB),
      rows: big.rows,
      comparison: 'a day of 10,000 orders in the same run, per order (linear: ratio ≈ 1)',
      baseline_10k_seconds: r3(small.seconds),
      baseline_10k_peak_rss_mib: Math.round(small.peakMiB),
      per_order_ratio: r3(big.seconds / 10 / small.seconds),
    }),
  );
}
