/** Pairing (no auth: the code is the credential) and terminal management (manager). */
import { Hono } from 'hono';
import type { PairResponse } from '../../contract/api.ts';
import type { AuditLog } from '../audit/log.ts';
import { type AuthEnv, requireRole, requireTerminal, type Terminals } from '../auth/terminals.ts';
import { ApiError } from '../http/errors.ts';
import { readJson } from '../http/json-body.ts';
import { clientAddress, type RateLimit } from '../http/rate-limit.ts';
import type { SupervisorGate } from '../auth/supervisor.ts';
import type { Stores } from '../stores/registry.ts';
import { terminalInScope } from '../stores/scope.ts';

export interface PairingDeps {
  terminals: Terminals;
  audit: AuditLog;
  /** Failed attempts per client address; over the limit every attempt is refused (429) unread, a right code too. */
  limit: RateLimit;
  trustProxy: boolean;
}

export function pairingRoute({ terminals, audit, limit, trustProxy }: PairingDeps) {
  const app = new Hono();
  app.post('/terminals/pair', async (c) => {
    const address = clientAddress(c, trustProxy);
    limit.check(address);
    try {
      const body = (await readJson(c)) as { code?: unknown; name?: unknown } | null;
      if (typeof body?.code !== 'string' || !/^[\d\s-]{6,20}$/.test(body.code)) {
        throw new ApiError(400, 'pairing_code_invalid', '请输入 8 位配对码 / Enter the 8-digit pairing code');
      }
      const { terminal, token } = terminals.pair(body.code, typeof body.name === 'string' ? body.name : undefined);
      audit.record({ action: 'terminal.pair', actor: terminal, outcome: 'ok', detail: { role: terminal.role, address } });
      return c.json({ terminalId: terminal.id, token, role: terminal.role, storeId: terminal.storeId } satisfies PairResponse);
    } catch (err) {
      // Only a failed attempt counts: a store pairing many tills in a row is never slowed down.
      if (err instanceof ApiError && err.status < 500) limit.fail(address);
      throw err;
    }
  });
  return app;
}

export function terminalRoutes(terminals: Terminals, pairingCodeTtlMs: number, audit: AuditLog, stores: Stores, supervisor: SupervisorGate) {
  const app = new Hono<AuthEnv>();
  app.get('/terminals/me', (c) => c.json(c.get('terminal')));
  app.use('/terminals/*', requireRole('manager'));
  // A store's manager sees and manages that store's terminals; a chain manager, every one. A till
  // locked out of password-checked actions (too many wrong supervisor passwords) says until when.
  app.get('/terminals', (c) =>
    c.json(
      terminals
        .list()
        .filter((t) => terminalInScope(c.get('terminal'), t, stores))
        .map((t) => {
          const until = t.role === 'cashier' && !t.revokedAt ? supervisor.lockedUntil(t.id) : undefined;
          return until === undefined ? t : { ...t, lockedUntil: new Date(until).toISOString() };
        }),
    ),
  );
  /**
   * `{ role, storeId? }`. A cashier's code is for one store: the one named, else the manager's own,
   * else the only one. A manager's code without a store makes a manager of the whole chain, which
   * only a chain manager may make; a store's manager makes codes for that store only.
   */
  app.post('/terminals/pairing-codes', async (c) => {
    const me = c.get('terminal');
    const body = (await readJson(c)) as { role?: unknown; storeId?: unknown } | null;
    const role = body?.role === 'manager' ? 'manager' : 'cashier';
    if (body?.storeId !== undefined && (typeof body.storeId !== 'string' || !stores.get(body.storeId))) {
      throw new ApiError(400, 'store_unknown', '没有这个门店 / No such store');
    }
    let storeId = (body?.storeId as string | undefined) ?? me.storeId;
    if (storeId === undefined && role === 'cashier') {
      if (stores.all().length > 1) throw new ApiError(400, 'store_required', '请选择收银台所在的门店 / Choose the store this till is at');
      storeId = stores.default.id;
    }
    if (me.storeId !== undefined && storeId !== me.storeId) {
      throw new ApiError(403, 'store_forbidden', '只能为本店的终端生成配对码 / You can only pair terminals for your own store');
    }
    const made = terminals.createPairingCode(role, pairingCodeTtlMs, storeId);
    // The code itself never goes into the log: it is a credential until used.
    audit.record({ action: 'pairing_code.create', actor: me, outcome: 'ok', detail: { role, storeId, expiresAt: made.expiresAt } });
    return c.json({ role, storeId, ...made });
  });
  /** A manager lifts a till's supervisor-password lock-out early: 409 `terminal_not_locked` when there is none. */
  app.post('/terminals/:id/unlock', (c) => {
    const me = c.get('terminal');
    const id = c.req.param('id');
    const found = terminals.get(id);
    const target = found && terminalInScope(me, found, stores) ? found : undefined;
    const record = (outcome: string) => audit.record({ action: 'terminal.unlock', actor: me, terminalId: id.slice(0, 40), outcome, detail: target ? { name: target.name } : undefined });
    if (!target) {
      record('terminal_not_found');
      throw new ApiError(404, 'terminal_not_found', '没有这个终端 / No such terminal');
    }
    if (!supervisor.unlock(id)) {
      record('terminal_not_locked');
      throw new ApiError(409, 'terminal_not_locked', '该终端没有被锁定 / This terminal is not locked');
    }
    record('ok');
    return c.json({ ok: true, terminalId: id });
  });

  /**
   * A manager revokes another terminal; its token is refused from the next request on and its event
   * stream is closed. A terminal cannot revoke itself (409 `revoke_self`): that is how the last
   * manager would lock the store out of its own back office until the proxy restarts.
   */
  app.post('/terminals/:id/revoke', (c) => {
    const me = c.get('terminal');
    const id = c.req.param('id');
    const found = terminals.get(id);
    const target = found && terminalInScope(me, found, stores) ? found : undefined;
    const record = (outcome: string) =>
      audit.record({ action: 'terminal.revoke', actor: me, terminalId: id.slice(0, 40), outcome, detail: target ? { name: target.name, role: target.role } : undefined });
    if (!target) {
      record('terminal_not_found');
      throw new ApiError(404, 'terminal_not_found', '没有这个终端 / No such terminal');
    }
    if (id === me.id) {
      record('revoke_self');
      throw new ApiError(409, 'revoke_self', '不能吊销本机，请在另一台店长终端上操作 / A terminal cannot revoke itself: use another manager terminal');
    }
    if (target.revokedAt || !terminals.revoke(id)) {
      record('already_revoked');
      throw new ApiError(409, 'terminal_already_revoked', '该终端已被吊销 / This terminal is already revoked');
    }
    record('ok');
    return c.json({ ok: true, terminalId: id });
  });
  return app;
}

export { requireTerminal };
