/**
 * A long answer (the `/api/events` stream) ends the moment its terminal is revoked: a revoked token
 * gets 401 on its next request, and must not keep receiving payments on a stream opened before.
 * The page's event client then reconnects, gets 401, and asks to be paired again.
 */
import type { MiddlewareHandler } from 'hono';
import type { AuthEnv, Terminals } from './terminals.ts';

export function closeOnRevoke(terminals: Terminals): MiddlewareHandler<AuthEnv> {
  return async function closeOnRevoke(c, next) {
    await next();
    const body = c.res.body;
    if (!body) return;
    const id = c.get('terminal').id;
    const reader = body.getReader();
    let off = () => {};
    const wrapped = new ReadableStream<Uint8Array>({
      start(controller) {
        off = terminals.onRevoke((revoked) => {
          if (revoked !== id) return;
          off();
          // Cancelling the inner stream aborts the route's stream (its listeners unsubscribe).
          void reader.cancel('terminal revoked').catch(() => {});
          try {
            controller.close();
          } catch {
            // already closed
          }
        });
      },
      async pull(controller) {
        const { done, value } = await reader.read().catch(() => ({ done: true as const, value: undefined }));
        try {
          if (done) {
            off();
            controller.close();
          } else controller.enqueue(value);
        } catch {
          // closed by a revocation meanwhile
        }
      },
      cancel(reason) {
        off();
        return reader.cancel(reason);
      },
    });
    c.res = new Response(wrapped, { status: c.res.status, headers: c.res.headers });
  };
}
