/** Opens the SQLite ledger (a file under the data directory, or in memory for tests) and migrates it. */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS } from './migrations.ts';

export type Db = Database.Database;

export function openDb(dataDir: string): Db {
  let db: Db;
  if (dataDir === ':memory:') {
    db = new Database(':memory:');
  } else {
    mkdirSync(dataDir, { recursive: true });
    db = new Database(join(dataDir, 'ledger.sqlite'));
    db.pragma('journal_mode = WAL');
    // A payment written must survive a power cut.
    db.pragma('synchronous = FULL');
  }
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

export function migrate(db: Db): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, at TEXT NOT NULL)');
  const done = new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]);
  for (const m of MIGRATIONS) {
    if (done.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, at) VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
    })();
  }
}

const deferred = new WeakMap<Db, (() => void)[]>();

/**
 * A write that need not be durable on its own: a provider call record, an audit row about a state
 * that is itself durable. It rides on the next ledger transaction (one fsync carries several rows:
 * with synchronous=FULL each commit is a disk flush) or, when none comes, is written with the others
 * on the next turn of the event loop. A failing deferred write is logged and never undoes the
 * transaction it rides on.
 */
export function deferWrite(db: Db, write: () => void): void {
  let queue = deferred.get(db);
  if (!queue) deferred.set(db, (queue = []));
  queue.push(write);
  if (queue.length === 1) setImmediate(() => flushDeferred(db));
}

/** Runs the deferred writes now, inside the caller's transaction. */
export function drainDeferred(db: Db): void {
  const queue = deferred.get(db);
  if (!queue?.length) return;
  for (const write of queue.splice(0)) {
    try {
      write();
    } catch (err) {
      console.error(`[ledger] a deferred write failed: ${(err as Error).message}`);
    }
  }
}

/** Writes the deferred rows now, in one transaction of their own (before reading them, or closing). */
export function flushDeferred(db: Db): void {
  if (!deferred.get(db)?.length || !db.open) return;
  db.transaction(() => drainDeferred(db))();
}
