/**
 * A store on a real (here: another store's sandbox) 微收银 server with a wrong activation code:
 * the proxy still starts, says plainly what is wrong, and takes no payment.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { RunningStore } from '../../proxy/server.ts';
import { CODE, newOutNo, pair, startTestStore } from '../helpers/store.ts';

const stores: RunningStore[] = [];
afterAll(async () => {
  for (const s of stores) await s.close();
});

describe('activation', () => {
  it('a wrong activation code leaves the provider not ready, with a clear message, and payments refused', async () => {
    const provider = await startTestStore({ providers: ['weishouyin'] });
    stores.push(provider);
    const store = await startTestStore({
      mode: 'live',
      providers: ['weishouyin'],
      weishouyin: { baseUrl: `${provider.url}/sandbox/weishouyin`, activationCode: '11112222333344' },
    });
    stores.push(store);

    const health = await (await fetch(`${store.url}/api/health`)).json();
    expect(health).toMatchObject({ ok: false, mode: 'live', providers: [{ id: 'weishouyin', ready: false }] });
    expect(health.providers[0].message).toContain('激活');
    expect(JSON.stringify(health)).not.toContain('11112222333344');

    const cashier = await pair(store);
    expect((await cashier.get('/api/methods')).body).toEqual([]);
    const r = await cashier.post('/api/payments', { outNo: newOutNo(), amountFen: 100, authCode: CODE.paid });
    expect(r.status).toBe(503);
    expect(r.body.error.code).toBe('provider_not_ready');
    expect(r.body.error.message).toContain('激活');
  });
});
