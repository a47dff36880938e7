/**
 * The audit log: every money-moving action and every change of who may act — who (the terminal's
 * id, name and role at the time), which terminal, what, the amount in fen, when, and the outcome.
 * Append-only: this class only inserts and reads, no route updates or deletes a row, and the table's
 * triggers (migration 5) refuse UPDATE and DELETE to anyone holding the database file.
 * Never a secret in a row: passwords and tokens are never passed in, payment codes are masked, and
 * every text is scrubbed of the configured secrets as a last guard.
 */
import type { Terminal } from '../auth/terminals.ts';
import { deferWrite, flushDeferred, type Db } from '../ledger/db.ts';
import { maskAuthCode, scrub } from '../providers/redact-text.ts';

export const AUDIT_ACTIONS = [
  'pairing_code.create',
  'terminal.pair',
  'terminal.revoke',
  'terminal.unlock',
  'payment.create',
  'payment.cancel',
  'refund.request',
  'refund.outcome',
  'refund.reversal',
  'reconciliation.run',
  'reconciliation.auto',
  'settlement.account',
  'settlement.voucher',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

type DetailValue = string | number | boolean | null | undefined;

export interface AuditEntry {
  action: AuditAction;
  /** The terminal that asked, or 'system' for what the proxy does by itself (a late payment reversed, a refund confirmed). */
  actor: Terminal | 'system';
  /** The terminal concerned: the till the money moved at, or the one paired or revoked. Default: the actor. */
  terminalId?: string;
  subject?: string;
  refundNo?: string;
  amountFen?: number;
  /** What came of it: a status (`paid`, `refunded`, `unknown`…), `ok`, or the error code it was refused with. */
  outcome: string;
  detail?: Record<string, DetailValue>;
}

export interface AuditRow {
  id: number;
  at: string;
  action: AuditAction;
  actorId?: string;
  actorName?: string;
  actorRole: 'cashier' | 'manager' | 'system';
  terminalId?: string;
  subject?: string;
  refundNo?: string;
  amountFen?: number;
  outcome: string;
  detail: Record<string, DetailValue>;
}

export interface AuditFilter {
  actions?: string[];
  /** The actor or the terminal concerned. */
  terminalId?: string;
  subject?: string;
  /** ISO instants in UTC: from inclusive, to exclusive. */
  from?: string;
  to?: string;
  page: number;
  pageSize: number;
}

const clip = (s: string, n = 200) => (s.length > n ? s.slice(0, n) : s);

export class AuditLog {
  readonly #db: Db;
  readonly #secrets: string[];
  readonly #now: () => number;

  constructor(db: Db, opts: { secrets?: string[]; now?: () => number } = {}) {
    this.#db = db;
    this.#secrets = opts.secrets ?? [];
    this.#now = opts.now ?? Date.now;
  }

  /** Writes one row. A failure to write is logged, never thrown: the money has moved already. */
  record(e: AuditEntry): void {
    const actor = e.actor === 'system' ? undefined : e.actor;
    const text = (s: string | undefined) => (s === undefined ? null : clip(scrub(s, { hide: this.#secrets })));
    const detail: Record<string, DetailValue> = {};
    for (const [k, v] of Object.entries(e.detail ?? {})) {
      if (v === undefined) continue;
      detail[k] = typeof v === 'string' ? text(v) : v;
    }
    const at = new Date(this.#now()).toISOString();
    // Written with the ledger's next commit (deferWrite): the state it records is durable already.
    deferWrite(this.#db, () => {
      try {
        this.#db
          .prepare(
            `INSERT INTO audit_log (at, action, actor_id, actor_name, actor_role, terminal_id, subject, refund_no, amount_fen, outcome, detail)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            at,
            e.action,
            actor?.id ?? null,
            text(actor?.name),
            actor?.role ?? 'system',
            e.terminalId ?? actor?.id ?? null,
            text(e.subject),
            text(e.refundNo),
            Number.isSafeInteger(e.amountFen) ? e.amountFen : null,
            text(e.outcome) ?? 'unknown',
            Object.keys(detail).length ? JSON.stringify(detail) : null,
          );
      } catch (err) {
        console.error(`[audit] could not record ${e.action}: ${(err as Error).message}`);
      }
    });
  }

  list(f: AuditFilter): { total: number; items: AuditRow[] } {
    flushDeferred(this.#db);
    const where: string[] = [];
    const args: unknown[] = [];
    if (f.actions?.length) (where.push(`action IN (${f.actions.map(() => '?').join(',')})`), args.push(...f.actions));
    if (f.terminalId) (where.push('(actor_id = ? OR terminal_id = ?)'), args.push(f.terminalId, f.terminalId));
    if (f.subject) (where.push('subject = ?'), args.push(f.subject));
    if (f.from) (where.push('at >= ?'), args.push(f.from));
    if (f.to) (where.push('at < ?'), args.push(f.to));
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = this.#db.prepare(`SELECT COUNT(*) FROM audit_log ${w}`).pluck().get(...args) as number;
    const rows = this.#db
      .prepare(`SELECT * FROM audit_log ${w} ORDER BY id DESC LIMIT ? OFFSET ?`)
      .all(...args, f.pageSize, (f.page - 1) * f.pageSize) as Record<string, string | number | null>[];
    return { total, items: rows.map(toRow) };
  }
}

function toRow(r: Record<string, string | number | null>): AuditRow {
  const s = (v: string | number | null) => (v === null ? undefined : String(v));
  return {
    id: Number(r.id),
    at: String(r.at),
    action: r.action as AuditAction,
    actorId: s(r.actor_id),
    actorName: s(r.actor_name),
    actorRole: r.actor_role as AuditRow['actorRole'],
    terminalId: s(r.terminal_id),
    subject: s(r.subject),
    refundNo: s(r.refund_no),
    amountFen: r.amount_fen === null ? undefined : Number(r.amount_fen),
    outcome: String(r.outcome),
    detail: r.detail ? (JSON.parse(String(r.detail)) as Record<string, DetailValue>) : {},
  };
}

/** A payment code (or a bank account number) as the audit log may hold it: its last four characters. */
export const maskedCode = (code: string | undefined) => (code ? maskAuthCode(code) : undefined);

/** What an outcome is when a request threw: the API error's code, else `error`. */
export function outcomeOf(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' ? code : 'error';
}
