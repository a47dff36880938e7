/**
 * Rate-limit windows and lock-outs in the ledger's database (tables rate_windows and rate_locks,
 * migration 6), so a limit holds across every proxy of a chain on one PostgreSQL, and across a
 * restart on either backend. The same SQL runs on SQLite and PostgreSQL.
 */
import type { Db } from '../ledger/db.ts';
import type { LimitStore, Window } from './rate-limit.ts';

/** Expired rows are swept at most this often per proxy… */
const PRUNE_EVERY_MS = 60_000;
/** …and at most this many per table at a time, so one call never does unbounded work. */
const PRUNE_BATCH = 200;

type WindowRow = { hits: number; reset_at: number };

export class DbLimitStore implements LimitStore {
  readonly #db: Db;
  #nextPruneAt = 0;

  constructor(db: Db) {
    this.#db = db;
  }

  hit(key: string, windowMs: number, now: number): Window {
    // One statement counts the event or starts a new window when the old one is over; in a
    // transaction with the sweep (one commit: on SQLite each commit is a disk flush). On PostgreSQL a
    // transaction also holds the ledger's write lock, so two proxies counting the same key queue.
    // `immediate`: SQLite takes its write lock at BEGIN, so two processes queue (busy_timeout) rather than fail.
    const row = this.#db
      .transaction(() => {
        if (now >= this.#nextPruneAt) this.#prune(now);
        return this.#db
          .prepare(
            `INSERT INTO rate_windows (limit_key, hits, reset_at) VALUES (@key, 1, @resetAt)
             ON CONFLICT (limit_key) DO UPDATE SET
               hits = CASE WHEN rate_windows.reset_at <= @now THEN 1 ELSE rate_windows.hits + 1 END,
               reset_at = CASE WHEN rate_windows.reset_at <= @now THEN excluded.reset_at ELSE rate_windows.reset_at END
             RETURNING hits, reset_at`,
          )
          .get({ key, resetAt: now + windowMs, now }) as WindowRow;
      })
      .immediate();
    return { count: Number(row.hits), resetAt: Number(row.reset_at) };
  }

  peek(key: string, now: number): Window | undefined {
    const row = this.#db.prepare('SELECT hits, reset_at FROM rate_windows WHERE limit_key = ? AND reset_at > ?').get(key, now) as WindowRow | undefined;
    return row ? { count: Number(row.hits), resetAt: Number(row.reset_at) } : undefined;
  }

  reset(key: string): void {
    this.#db.prepare('DELETE FROM rate_windows WHERE limit_key = ?').run(key);
  }

  lock(key: string, until: number): void {
    this.#db
      .prepare('INSERT INTO rate_locks (limit_key, locked_until) VALUES (?, ?) ON CONFLICT (limit_key) DO UPDATE SET locked_until = excluded.locked_until')
      .run(key, until);
  }

  unlock(key: string): void {
    this.#db.prepare('DELETE FROM rate_locks WHERE limit_key = ?').run(key);
  }

  lockedUntil(key: string, now: number): number | undefined {
    // An expired lock is left for the sweep: a read stays a read.
    const until = this.#db.prepare('SELECT locked_until FROM rate_locks WHERE limit_key = ? AND locked_until > ?').pluck().get(key, now);
    return until === undefined || until === null ? undefined : Number(until);
  }

  /** Deletes a bounded batch of expired windows and locks (no index on the times: a scan, bounded by the table). */
  #prune(now: number): void {
    const windows = this.#db
      .prepare(`DELETE FROM rate_windows WHERE limit_key IN (SELECT limit_key FROM rate_windows WHERE reset_at <= ? LIMIT ${PRUNE_BATCH})`)
      .run(now).changes;
    const locks = this.#db
      .prepare(`DELETE FROM rate_locks WHERE limit_key IN (SELECT limit_key FROM rate_locks WHERE locked_until <= ? LIMIT ${PRUNE_BATCH})`)
      .run(now).changes;
    // A full batch means more are waiting: sweep again on the next hit rather than in a minute.
    this.#nextPruneAt = windows === PRUNE_BATCH || locks === PRUNE_BATCH ? now : now + PRUNE_EVERY_MS;
  }
}
