/**
 * `GET|POST /notify/<provider>[/<store>]`: providers' callbacks (the store's part for a chain's stores
 * other than the default one). No terminal token (the provider calls us);
 * the provider's own signature and timestamp window are the credentials, checked by the provider
 * adapter, and the service turns a verified callback into at most one state change.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { PaymentService } from '../payments/service.ts';

export function notifyRoutes(service: PaymentService) {
  const app = new Hono();
  const limit = bodyLimit({ maxSize: 16 * 1024, onError: (c) => c.text('too large', 413) });
  app.use('/:provider', limit);
  app.use('/:provider/:store', limit);
  app.on(['GET', 'POST'], ['/:provider', '/:provider/:store'], async (c) => {
    const query = c.req.query();
    let body: Record<string, string> | undefined;
    if (c.req.method === 'POST') {
      const type = c.req.header('content-type') ?? '';
      if (/application\/x-www-form-urlencoded/i.test(type)) body = Object.fromEntries(new URLSearchParams(await c.req.text()));
      else if (/application\/json/i.test(type)) body = stringValues(await c.req.json().catch(() => ({})));
    }
    const answer = await service.handleCallback(c.req.param('provider'), { method: c.req.method, query, body }, c.req.param('store'));
    return c.text(answer.body, answer.status);
  });
  return app;
}

function stringValues(x: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (x && typeof x === 'object') for (const [k, v] of Object.entries(x)) if (typeof v === 'string' || typeof v === 'number') out[k] = String(v);
  return out;
}
