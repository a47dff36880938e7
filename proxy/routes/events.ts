/** `GET /api/events`: Server-Sent Events, a `payment` event whenever a payment's state changes. */
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { AuthEnv } from '../auth/terminals.ts';
import type { EventBus } from '../events/bus.ts';
import type { Stores } from '../stores/registry.ts';
import { inScope } from '../stores/scope.ts';

/** A cashier hears of its own terminal's payments; a manager of its store's (a chain manager: every store's). */
export function eventRoutes(bus: EventBus, stores: Stores, heartbeatMs = 15_000) {
  const app = new Hono<AuthEnv>();
  app.get('/events', (c) => {
    const terminal = c.get('terminal');
    return streamSSE(c, async (stream) => {
      const unsubscribe = bus.subscribe((p, terminalId) => {
        if (terminal.role !== 'manager' && terminalId !== terminal.id) return;
        if (!inScope(terminal, p.storeId, stores)) return;
        void stream.writeSSE({ event: 'payment', data: JSON.stringify(p), id: `${p.outNo}:${p.status}` });
      });
      stream.onAbort(unsubscribe);
      await stream.writeSSE({ event: 'hello', data: JSON.stringify({ terminalId: terminal.id }) });
      // Comments keep proxies and the browser from timing the stream out.
      while (!stream.aborted) {
        await stream.sleep(heartbeatMs);
        if (!stream.aborted) await stream.write(': ping\n\n');
      }
      unsubscribe();
    });
  });
  return app;
}
