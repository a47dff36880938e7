/**
 * `sandbox.latencyMs`: the sandbox providers answer that much later (a provider across the internet),
 * their back offices do not; a payment through the proxy still pays. Lower bounds only: nothing here
 * times how fast anything is.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStore } from '../../proxy/server.ts';
import { CODE, pair, startTestStore, type Client } from '../helpers/store.ts';

const LATENCY_MS = 150;
let store: RunningStore;
let till: Client;

beforeAll(async () => {
  store = await startTestStore({ sandbox: { latencyMs: LATENCY_MS } });
  till = await pair(store);
});
afterAll(() => store.close());

describe('sandbox.latencyMs', () => {
  it('delays every provider call by at least the latency, and the payment still pays', async () => {
    const started = performance.now();
    const res = await till.post('/api/payments', { outNo: 'LAT000001', amountFen: 1, authCode: CODE.paid, method: 'mct1:Weixin' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('paid');
    expect(performance.now() - started).toBeGreaterThanOrEqual(LATENCY_MS);
  });

  it('leaves the back office (/_admin) undelayed', async () => {
    const samples: number[] = [];
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      const res = await fetch(`${store.url}/sandbox/mct1/_admin/faults`);
      expect(res.status).toBe(200);
      samples.push(performance.now() - started);
    }
    expect(Math.min(...samples)).toBeLessThan(LATENCY_MS);
  });
});
