/** A terminal's event stream (`GET /api/events`, Server-Sent Events) read in a test. */
import { expect } from 'vitest';
import type { PaymentView } from '../../contract/api.ts';
import type { RunningStore } from '../../proxy/server.ts';
import { waitFor } from './store.ts';

/** The `payment` events of one terminal's stream (GET /api/events), as they arrive. */
export async function openEvents(store: RunningStore, token: string) {
  const events: PaymentView[] = [];
  const ac = new AbortController();
  const res = await fetch(`${store.url}/api/events`, { headers: { authorization: `Bearer ${token}` }, signal: ac.signal });
  expect(res.status).toBe(200);
  let hello = false;
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    const reader = res.body!.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event === 'hello') hello = true;
        if (event === 'payment' && data) events.push(JSON.parse(data) as PaymentView);
      }
    }
  })().catch(() => undefined);
  await waitFor(() => hello);
  return { events, statuses: (outNo: string) => events.filter((e) => e.outNo === outNo).map((e) => e.status), close: () => ac.abort() };
}
