/**
 * Terminal pairing and bearer tokens. Codes and tokens are stored only as SHA-256 hashes;
 * a pairing code works once and expires.
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Db } from '../ledger/db.ts';
import { ApiError } from '../http/errors.ts';

export type Role = 'cashier' | 'manager';
export interface Terminal {
  id: string;
  name: string;
  role: Role;
  /**
   * The store it works at. A manager without one manages the whole chain; a cashier without one
   * (paired before stores existed) works at the default store.
   */
  storeId?: string;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export class Terminals {
  readonly #db: Db;
  readonly #revokeListeners = new Set<(id: string) => void>();
  constructor(db: Db) {
    this.#db = db;
  }

  /** A fresh 8-digit pairing code for `role` at `storeId` (none: a manager of the whole chain), valid for `ttlMs`. */
  createPairingCode(role: Role, ttlMs: number, storeId?: string): { code: string; expiresAt: string } {
    const code = String(randomInt(0, 100_000_000)).padStart(8, '0');
    const expires = Date.now() + ttlMs;
    this.#db
      .prepare('INSERT INTO pairing_codes (code_hash, role, expires_at, store_id) VALUES (?, ?, ?, ?)')
      .run(sha256(code), role, expires, storeId ?? null);
    return { code, expiresAt: new Date(expires).toISOString() };
  }

  /** Uses a pairing code once; returns the new terminal and its token (shown only now). */
  pair(code: string, name?: string): { terminal: Terminal; token: string } {
    const normalized = code.replace(/[\s-]/g, '');
    return this.#db.transaction(() => {
      const row = this.#db
        .prepare('SELECT role, expires_at, used_at, store_id FROM pairing_codes WHERE code_hash = ?')
        .get(sha256(normalized)) as { role: Role; expires_at: number; used_at: string | null; store_id: string | null } | undefined;
      if (!row || row.used_at) throw new ApiError(401, 'pairing_code_invalid', '配对码无效或已使用 / Pairing code is invalid or already used');
      if (row.expires_at < Date.now()) throw new ApiError(401, 'pairing_code_expired', '配对码已过期 / Pairing code has expired');
      this.#db.prepare('UPDATE pairing_codes SET used_at = ? WHERE code_hash = ?').run(new Date().toISOString(), sha256(normalized));
      const id = 'T' + randomBytes(4).toString('hex').toUpperCase();
      const token = randomBytes(32).toString('base64url');
      const terminal: Terminal = { id, name: name?.slice(0, 40) || id, role: row.role, storeId: row.store_id ?? undefined };
      this.#db
        .prepare('INSERT INTO terminals (id, name, role, token_hash, created_at, store_id) VALUES (?, ?, ?, ?, ?, ?)')
        .run(id, terminal.name, terminal.role, sha256(token), new Date().toISOString(), row.store_id);
      return { terminal, token };
    })();
  }

  byToken(token: string): Terminal | undefined {
    const row = this.#db
      .prepare('SELECT id, name, role, store_id FROM terminals WHERE token_hash = ? AND revoked_at IS NULL')
      .get(sha256(token)) as { id: string; name: string; role: Role; store_id: string | null } | undefined;
    return row ? { id: row.id, name: row.name, role: row.role, storeId: row.store_id ?? undefined } : undefined;
  }

  name(id: string): string | undefined {
    return (this.#db.prepare('SELECT name FROM terminals WHERE id = ?').get(id) as { name: string } | undefined)?.name;
  }

  /** One terminal, revoked or not. */
  get(id: string): (Terminal & { createdAt: string; revokedAt?: string }) | undefined {
    const r = this.#db.prepare('SELECT id, name, role, store_id, created_at, revoked_at FROM terminals WHERE id = ?').get(id) as Record<string, string | null> | undefined;
    return r ? terminalRow(r) : undefined;
  }

  /** Its token stops working at once: every request checks it, and open event streams are closed (onRevoke). */
  revoke(id: string): boolean {
    const done = this.#db.prepare('UPDATE terminals SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(new Date().toISOString(), id).changes > 0;
    if (done) for (const listener of [...this.#revokeListeners]) listener(id);
    return done;
  }

  /** Called with a terminal's id when it is revoked (in this process). Returns the unsubscribe. */
  onRevoke(listener: (id: string) => void): () => void {
    this.#revokeListeners.add(listener);
    return () => this.#revokeListeners.delete(listener);
  }

  list(): (Terminal & { createdAt: string; revokedAt?: string })[] {
    return (this.#db.prepare('SELECT id, name, role, store_id, created_at, revoked_at FROM terminals ORDER BY created_at').all() as Record<string, string | null>[]).map(
      terminalRow,
    );
  }
}

function terminalRow(r: Record<string, string | null>): Terminal & { createdAt: string; revokedAt?: string } {
  return { id: r.id!, name: r.name!, role: r.role as Role, storeId: r.store_id ?? undefined, createdAt: r.created_at!, revokedAt: r.revoked_at ?? undefined };
}

export type AuthEnv = { Variables: { terminal: Terminal } };

/** Requires `Authorization: Bearer <token>` of a paired, unrevoked terminal. */
export function requireTerminal(terminals: Terminals): MiddlewareHandler<AuthEnv> {
  return async function requireTerminal(c, next) {
    const header = c.req.header('authorization') ?? '';
    const m = /^Bearer\s+([A-Za-z0-9_-]{20,})$/.exec(header);
    const terminal = m ? terminals.byToken(m[1]) : undefined;
    if (!terminal) throw new ApiError(401, 'unauthorized', '终端未配对或令牌无效，请重新配对 / Terminal not paired or token invalid');
    c.set('terminal', terminal);
    await next();
  };
}

export function requireRole(role: Role): MiddlewareHandler<AuthEnv> {
  return async function requireRole(c, next) {
    if (c.get('terminal').role !== role) throw new ApiError(403, 'forbidden', '需要店长权限 / Manager role required');
    await next();
  };
}
