/**
 * The manager's order list, first page, over a ledger of 1,000,000 payments: GET /api/payments over
 * real HTTP from a store on that ledger (on disk, as it runs), unfiltered and for one day (the
 * screen's default "今天"). Compared in the same run with the same requests over 10,000 payments.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, mergeConfig } from '../proxy/config.ts';
import { openDb } from '../proxy/ledger/db.ts';
import { startStore } from '../proxy/server.ts';

const SAMPLES = 30;

/** A ledger of `n` payments over the last 100 days, a few statuses and terminals; closed. */
function fillLedger(dir: string, n: number): void {
  const db = openDb(dir);
  const insert = db.prepare(
    `INSERT INTO payments (out_no, terminal_id, provider, method, amount_fen, status, provider_ref, paid_at, created_at, updated_at)
     VALUES (?, ?, 'weishouyin', 'weishouyin:o2o_dm_code_wxpaysub', ?, ?, ?, ?, ?, ?)`,
  );
  const now = Date.now();
  const span = 100 * 24 * 3600_000;
  const statuses = ['paid', 'paid', 'paid', 'paid', 'refunded', 'failed'];
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const at = new Date(now - span + Math.floor((i * span) / n)).toISOString();
      const status = statuses[i % statuses.length];
      insert.run(`L${String(i).padStart(8, '0')}`, `T${i % 8}`, 100 + (i % 9973), status, `dm${i}`, status === 'failed' ? null : at, at, at);
    }
  })();
  db.close();
}

async function measure(n: number) {
  const dir = mkdtempSync(join(tmpdir(), 'pos-list-bench-'));
  try {
    fillLedger(dir, n);
    const store = await startStore(mergeConfig(defaultConfig(), { port: 0, host: '127.0.0.1', dataDir: dir, providers: ['weishouyin'], reconciliation: { dailyAt: '' } }));
    try {
      const { code } = store.terminals.createPairingCode('manager', 60_000);
      const { token } = (await (
        await fetch(`${store.url}/api/terminals/pair`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) })
      ).json()) as { token: string };
      const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
      const get = async (query: string) => {
        const t = performance.now();
        const res = await fetch(`${store.url}/api/payments?${query}`, { headers: { authorization: `Bearer ${token}` } });
        const body = (await res.json()) as { items: unknown[] };
        if (!res.ok || body.items.length === 0) throw new Error(`list failed: ${res.status}`);
        return performance.now() - t;
      };
      const p50 = async (query: string) => {
        for (let i = 0; i < 3; i++) await get(query);
        const xs: number[] = [];
        for (let i = 0; i < SAMPLES; i++) xs.push(await get(query));
        xs.sort((a, b) => a - b);
        return xs[Math.floor(xs.length / 2)];
      };
      return { all: await p50('page=1&pageSize=50'), today: await p50(`page=1&pageSize=50&from=${today}`) };
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function orderListBench(): Promise<void> {
  const small = await measure(10_000);
  const big = await measure(1_000_000);
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  for (const [name, b, s] of [
    ['order_list_first_page_1m_rows_ms', big.all, small.all],
    ['order_list_first_page_today_1m_rows_ms', big.today, small.today],
  ] as const) {
    console.log(JSON.stringify({ name, unit: 'ms', p50: r3(b), comparison: 'the same request over 10,000 rows in the same run', baseline_10k_p50: r3(s), ratio: r3(b / s) }));
  }
}
