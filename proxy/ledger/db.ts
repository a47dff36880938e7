/**
 * The ledger's database: SQLite (a file under the data directory, or in memory for tests) or
 * PostgreSQL (a chain's shared books, proxy/ledger/postgres.ts), opened and migrated here. The rest of
 * the proxy sees only `Db`: better-sqlite3's synchronous shape, which both backends provide.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS, type Migration } from './migrations.ts';
import { POSTGRES_MIGRATIONS } from './migrations-postgres.ts';
import { openPostgres, STATEMENT_CACHE_SIZE, testSchemaFor } from './postgres.ts';

export interface RunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

export interface Statement {
  /** Whether it returns rows (only those may `pluck`). */
  readonly reader: boolean;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): RunResult;
  /** Rows as their first column's value. */
  pluck(on?: boolean): this;
}

type Transaction<A extends unknown[], R> = ((...a: A) => R) & { immediate(...a: A): R; deferred(...a: A): R; exclusive(...a: A): R };

export interface Db {
  readonly dialect: 'sqlite' | 'postgres';
  prepare(sql: string): Statement;
  exec(sql: string): void;
  /** `fn` in one transaction (a savepoint when nested); it must not return a promise. */
  transaction<A extends unknown[], R>(fn: (...a: A) => R): Transaction<A, R>;
  readonly inTransaction: boolean;
  readonly open: boolean;
  close(): void;
}

/** A unique or primary-key constraint refused the write (the same key is already there). */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

/**
 * `databaseUrl` (postgres://…) puts the ledger on PostgreSQL; otherwise SQLite under `dataDir`. For
 * the test suite on PostgreSQL, POS_TEST_POSTGRES_URL sends SQLite ledgers there instead, one
 * schema per data directory (a fresh one for ':memory:').
 */
export function openDb(dataDir: string, databaseUrl?: string): Db {
  const testUrl = process.env.POS_TEST_POSTGRES_URL;
  if (databaseUrl || testUrl) {
    const db = databaseUrl ? openPostgres({ url: databaseUrl }) : openPostgres({ url: testUrl!, schema: testSchemaFor(dataDir) });
    migrate(db);
    return db;
  }
  return openSqlite(dataDir);
}

function openSqlite(dataDir: string): Db {
  let sqlite: Database.Database;
  if (dataDir === ':memory:') {
    sqlite = new Database(':memory:');
  } else {
    mkdirSync(dataDir, { recursive: true });
    sqlite = new Database(join(dataDir, 'ledger.sqlite'));
    sqlite.pragma('journal_mode = WAL');
    // A payment written must survive a power cut.
    sqlite.pragma('synchronous = FULL');
  }
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  cacheStatements(sqlite);
  const db = Object.assign(sqlite, { dialect: 'sqlite' as const }) as unknown as Db;
  migrate(db);
  return db;
}

/**
 * Compiling SQL costs more than running most of the ledger's statements, and a payment runs about a
 * dozen, so `db.prepare` hands back the statement compiled the first time for the same text. A
 * reused statement has its result modes reset (a caller that wants `.pluck()` asks again), and
 * nothing here keeps an `.iterate()` open while preparing, so one statement is never busy twice.
 */
function cacheStatements(db: Database.Database): void {
  const compile = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  db.prepare = ((sql: string) => {
    let statement = cache.get(sql);
    if (!statement) {
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.clear();
      statement = compile(sql);
      cache.set(sql, statement);
    } else if (statement.reader) {
      statement.raw(false);
      statement.pluck(false);
      statement.expand(false);
    }
    return statement;
  }) as Database.Database['prepare'];
}

/** Brings the schema up to date, in one transaction (proxies starting together migrate once). */
export function migrate(db: Db): void {
  db.transaction(() => {
    // A migration may rewrite a big table: no statement limit for it (PostgreSQL's session has one).
    if (db.dialect === 'postgres') db.exec('SET LOCAL statement_timeout = 0');
    db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, at TEXT NOT NULL)');
    const done = new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]);
    const migrations: Migration[] = db.dialect === 'postgres' ? POSTGRES_MIGRATIONS : MIGRATIONS;
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, at) VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
    }
  })();
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
