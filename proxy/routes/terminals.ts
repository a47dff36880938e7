/** Pairing (no auth: the code is the credential) and terminal management (manager). */
import { Hono } from 'hono';
import type { PairResponse } from '../../contract/api.ts';
import { type AuthEnv, requireRole, requireTerminal, type Terminals } from '../auth/terminals.ts';
import { ApiError } from '../http/errors.ts';
import { readJson } from '../http/json-body.ts';

export function pairingRoute(terminals: Terminals) {
  const app = new Hono();
  app.post('/terminals/pair', async (c) => {
    const body = (await readJson(c)) as { code?: unknown; name?: unknown } | null;
    if (typeof body?.code !== 'string' || !/^[\d\s-]{6,20}$/.test(body.code)) {
      throw new ApiError(400, 'pairing_code_invalid', '请输入 8 位配对码 / Enter the 8-digit pairing code');
    }
    const { terminal, token } = terminals.pair(body.code, typeof body.name === 'string' ? body.name : undefined);
    return c.json({ terminalId: terminal.id, token, role: terminal.role } satisfies PairResponse);
  });
  return app;
}

export function terminalRoutes(terminals: Terminals, pairingCodeTtlMs: number) {
  const app = new Hono<AuthEnv>();
  app.get('/terminals/me', (c) => c.json(c.get('terminal')));
  app.use('/terminals/*', requireRole('manager'));
  app.get('/terminals', (c) => c.json(terminals.list()));
  app.post('/terminals/pairing-codes', async (c) => {
    const body = (await readJson(c)) as { role?: unknown } | null;
    const role = body?.role === 'manager' ? 'manager' : 'cashier';
    return c.json({ role, ...terminals.createPairingCode(role, pairingCodeTtlMs) });
  });
  app.post('/terminals/:id/revoke', (c) => {
    if (!terminals.revoke(c.req.param('id'))) throw new ApiError(404, 'terminal_not_found', '没有这个终端 / No such terminal');
    return c.json({ ok: true });
  });
  return app;
}

export { requireTerminal };
