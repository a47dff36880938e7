/**
 * A proxy restart in the middle of a payment: the payment is in the ledger (SQLite file) and the
 * sandbox keeps its books in its own file, as a real provider would; the restarted proxy resolves it.
 */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunningStore } from '../../proxy/server.ts';
import { CODE, newOutNo, pair, startTestStore, tempDataDir, waitFor } from '../helpers/store.ts';

const dirs: string[] = [];
const stores: RunningStore[] = [];
afterAll(async () => {
  for (const s of stores) await s.close().catch(() => undefined);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function start(dataDir: string, over: Parameters<typeof startTestStore>[0] = {}) {
  const s = await startTestStore({ providers: ['weishouyin'], dataDir, ...over });
  stores.push(s);
  return s;
}

describe('proxy restart', () => {
  it('resumes a payment waiting for the password and books it paid', async () => {
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    // Slow polling, so the restart surely happens while the customer is still "typing".
    const first = await start(dataDir, { timing: { pollIntervalMs: 60_000 }, sandbox: { passwordPolls: 1 } });
    const cashier = await pair(first);
    const outNo = newOutNo();
    const r = await cashier.post('/api/payments', { outNo, amountFen: 2500, authCode: CODE.password });
    expect(r.body.status).toBe('paying');
    await first.close();

    const second = await start(dataDir, { timing: { pollIntervalMs: 100 }, sandbox: { passwordPolls: 1 } });
    // The terminal's token survives the restart too.
    const again = await fetch(`${second.url}/api/payments/${outNo}`, { headers: { authorization: `Bearer ${cashier.token}` } });
    expect(again.status).toBe(200);
    // The first proxy had scheduled its next check a minute away; a restart checks at once.
    const paid = await waitFor(() => {
      const p = second.ledger.getPayment(outNo);
      return p?.status === 'paid' ? p : undefined;
    });
    expect(paid.amountFen).toBe(2500);
    expect(paid.providerRef).toMatch(/^dm\d+$/);
    await second.close();
  });

  it('resolves a charge whose answer was lost when the proxy died, without charging again', async () => {
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    const first = await start(dataDir, { timing: { unknownRetryMs: 60_000 } });
    const cashier = await pair(first);
    const outNo = newOutNo();
    const r = await cashier.post('/api/payments', { outNo, amountFen: 880, authCode: CODE.lost });
    expect(r.body.status).toBe('unknown');
    await first.close();

    const second = await start(dataDir);
    const paid = await waitFor(() => {
      const p = second.ledger.getPayment(outNo);
      return p?.status === 'paid' ? p : undefined;
    });
    expect(paid.amountFen).toBe(880);
    const bills = (await (await fetch(`${second.url}/sandbox/weishouyin/_admin/bills`)).json()) as unknown[];
    expect(JSON.stringify(bills).split(CODE.lost).length - 1).toBe(1);
    await second.close();
  });
});
