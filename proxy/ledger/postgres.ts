/**
 * The ledger on PostgreSQL, behind the same synchronous `Db` the SQLite ledger has.
 *
 * Why synchronous: the ledger, reconciliation, audit and terminal code were written against
 * better-sqlite3, where a transaction is a plain function nothing else can interleave with. libpq's
 * synchronous calls keep that shape, so the two backends run the same code and the same tests. Each
 * call blocks this proxy's event loop for one round trip to the database (≈ 0.1 ms on loopback or a
 * LAN); a chain scales by adding proxies, not by overlapping queries inside one.
 *
 * What it translates so the SQL stays written once (SQLite-flavoured):
 * - placeholders: `?` and `@name` become `$1…` (named ones by first appearance);
 * - `LIKE` becomes `ILIKE` (SQLite's LIKE ignores ASCII case; the order search relies on it);
 * - results: integers, numerics and floats come back as numbers, booleans as 1/0, bytea as Buffer,
 *   everything else as text — what better-sqlite3 returns for the same columns.
 * SQLite's `datetime(text, modifier)` exists as a SQL function in the PostgreSQL schema.
 *
 * Transactions: every top-level transaction first takes one advisory lock (`LEDGER_WRITE_LOCK`), so
 * writers across all proxies run one at a time, as SQLite's writers do — a read-then-write inside a
 * transaction (the refund total before a refund, the next settlement code) stays correct when two
 * proxies do it at once. Nested transactions are savepoints.
 *
 * When the network or the database drops: every call is bounded (connect_timeout, TCP keepalives and
 * tcp_user_timeout on the connection, a statement_timeout on the session), so a proxy answers its
 * tills with an error instead of hanging on a dead socket. A lost connection is opened again before
 * the next top-level statement or transaction; a read or a BEGIN that found it lost is sent again
 * once on the new connection (nothing was done yet). A write outside a transaction runs in a
 * transaction of its own, so its BEGIN is what meets a connection that died while idle. Nothing in a
 * transaction is sent again: the transaction died with the connection, and the error goes up.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Db, RunResult, Statement } from './db.ts';

/** Distinct SQL texts kept compiled per connection (both backends); past this the cache starts over. */
export const STATEMENT_CACHE_SIZE = 512;

/** The advisory lock every ledger write transaction holds (any number; this one spells "POSL"). */
const LEDGER_WRITE_LOCK = 0x504f534c;

/** The parts of the `libpq` addon used here (an optional dependency: built only where libpq-dev is). */
interface PQ {
  connectSync(conninfo: string): void;
  finish(): void;
  exec(sql: string): void;
  prepare(name: string, sql: string, nParams: number): void;
  execPrepared(name: string, params: (string | null)[]): void;
  resultStatus(): string;
  resultErrorMessage(): string;
  resultErrorFields(): { sqlState?: string } | undefined;
  errorMessage(): string;
  ntuples(): number;
  nfields(): number;
  fname(i: number): string;
  ftype(i: number): number;
  getvalue(row: number, col: number): string;
  getisnull(row: number, col: number): boolean;
  cmdTuples(): string;
  escapeIdentifier(s: string): string;
  /** 0 idle, 1 active, 2 in a transaction, 3 in a failed transaction, 4 unknown: the connection is bad. */
  transactionStatus(): number;
}

/** libpq's PQTRANS_UNKNOWN: the connection is lost. */
const CONNECTION_BAD = 4;

/** How long one statement may run (a wait for the ledger's write lock included) before it fails. */
export const STATEMENT_TIMEOUT_MS = 30_000;

/**
 * The connection string with bounds on a dead network, where it does not set them itself: at most
 * 10 s to connect, and a peer gone silent noticed within about 20 s (keepalives, tcp_user_timeout).
 */
export function withNetworkBounds(conninfo: string): string {
  const bounds: Record<string, string> = {
    connect_timeout: '10',
    keepalives: '1',
    keepalives_idle: '10',
    keepalives_interval: '5',
    keepalives_count: '2',
    tcp_user_timeout: '20000',
  };
  if (/^postgres(ql)?:\/\//i.test(conninfo)) {
    const [base, query = ''] = conninfo.split('?', 2) as [string, string?];
    const params = new URLSearchParams(query);
    for (const [k, v] of Object.entries(bounds)) if (!params.has(k)) params.set(k, v);
    return `${base}?${params}`;
  }
  const set = new Set([...conninfo.matchAll(/(\w+)\s*=/g)].map((m) => m[1]));
  return [conninfo, ...Object.entries(bounds).filter(([k]) => !set.has(k)).map(([k, v]) => `${k}=${v}`)].filter(Boolean).join(' ');
}

function loadLibpq(): new () => PQ {
  try {
    return createRequire(import.meta.url)('libpq') as new () => PQ;
  } catch (err) {
    throw new Error(
      `PostgreSQL needs the libpq addon, built when \`npm install\` finds libpq's headers (Debian: apt-get install libpq-dev, then npm rebuild libpq): ${(err as Error).message}`,
    );
  }
}

/** A database error with PostgreSQL's SQLSTATE as `code` (23505: unique violation…). */
export class PostgresError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    /** The connection to the database died with it (network, server restart, terminated session). */
    readonly connectionLost = false,
  ) {
    super(message);
    this.name = 'PostgresError';
  }
}

// Type OIDs (pg_type) whose text better-sqlite3 would have handed back as something else.
const NUMBER_TYPES = new Set([20, 21, 23, 26, 700, 701, 1700]);
const BOOL = 16;
const BYTEA = 17;

/** SQL with `?`/`@name` placeholders → `$n` text, and the names in order (empty for positional). */
export function translateSql(sql: string): { text: string; names: string[]; count: number } {
  let out = '';
  const names: string[] = [];
  let positional = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (c === "'" || c === '"') {
      // A quoted literal or identifier, doubled quotes inside.
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === c) {
          if (sql[j + 1] === c) j += 2;
          else break;
        } else j++;
      }
      out += sql.slice(i, j + 1);
      i = j + 1;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const j = end < 0 ? sql.length : end;
      out += sql.slice(i, j);
      i = j;
    } else if (c === '?') {
      out += `$${++positional}`;
      i++;
    } else if (c === '@' && /[A-Za-z_]/.test(sql[i + 1] ?? '')) {
      const m = /^@([A-Za-z_][A-Za-z0-9_]*)/.exec(sql.slice(i))!;
      let k = names.indexOf(m[1]);
      if (k < 0) k = names.push(m[1]) - 1;
      out += `$${k + 1}`;
      i += m[0].length;
    } else if (/^like(?![A-Za-z0-9_])/i.test(sql.slice(i, i + 5)) && !/[A-Za-z0-9_]/.test(sql[i - 1] ?? '')) {
      out += 'ILIKE';
      i += 4;
    } else {
      out += c;
      i++;
    }
  }
  if (positional && names.length) throw new Error('SQL mixes ? and @name placeholders');
  return { text: out, names, count: positional || names.length };
}

function toParam(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') {
    // libpq passes parameters as C strings: a NUL would silently cut the value short.
    if (v.includes('\0')) throw new TypeError('PostgreSQL text cannot hold a NUL character: store such a value as bytes (BYTEA)');
    return v;
  }
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (v instanceof Uint8Array) return `\\x${Buffer.from(v).toString('hex')}`;
  throw new TypeError(`cannot bind a ${typeof v} to a ledger statement`);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

class Connection {
  #pq: PQ;
  readonly #prepared = new Map<string, string>();
  readonly #conninfo: string;
  readonly #schema: string | undefined;
  readonly #statementTimeoutMs: number;
  #generation = 0;
  /** The connection died: no statement goes out on it; `reopen()` makes a new one. */
  #lost = false;

  constructor(conninfo: string, schema: string | undefined, statementTimeoutMs: number) {
    this.#conninfo = withNetworkBounds(conninfo);
    this.#schema = schema;
    this.#statementTimeoutMs = statementTimeoutMs;
    this.#pq = this.#connect();
  }

  #connect(): PQ {
    const Libpq = loadLibpq();
    const pq = new Libpq();
    pq.connectSync(this.#conninfo);
    this.#pq = pq;
    // Timestamps are stored as text in UTC; `datetime()` reads them as UTC whatever the server says.
    this.exec(`SET TIME ZONE 'UTC'; SET client_min_messages = warning; SET statement_timeout = ${Math.max(0, Math.trunc(this.#statementTimeoutMs))}`);
    if (this.#schema) {
      this.exec(`CREATE SCHEMA IF NOT EXISTS ${pq.escapeIdentifier(this.#schema)}`);
      this.exec(`SET search_path TO ${pq.escapeIdentifier(this.#schema)}`);
    }
    return pq;
  }

  get lost(): boolean {
    return this.#lost;
  }

  /** A new connection in place of a lost one (its prepared statements start over). Throws when the database cannot be reached. */
  reopen(): void {
    try {
      this.#pq.finish();
    } catch {
      // already gone
    }
    this.#prepared.clear();
    this.#generation++;
    this.#lost = false;
    try {
      this.#connect();
    } catch (err) {
      // Still unreachable: the next call tries again.
      this.#lost = true;
      throw new PostgresError(`the ledger's database cannot be reached: ${(err as Error).message.trim()}`, undefined, true);
    }
  }

  #check(sql: string): void {
    const status = this.#pq.resultStatus();
    if (status === 'PGRES_COMMAND_OK' || status === 'PGRES_TUPLES_OK' || status === 'PGRES_EMPTY_QUERY') return;
    const message = this.#pq.resultErrorMessage() || this.#pq.errorMessage() || status;
    if (this.#pq.transactionStatus() === CONNECTION_BAD) this.#lost = true;
    throw new PostgresError(`${message.trim()} (in: ${sql.slice(0, 120)})`, this.#pq.resultErrorFields()?.sqlState, this.#lost);
  }

  #usable(sql: string): void {
    if (this.#lost) throw new PostgresError(`the connection to the ledger's database was lost (in: ${sql.slice(0, 120)})`, undefined, true);
  }

  exec(sql: string): void {
    this.#usable(sql);
    this.#pq.exec(sql);
    this.#check(sql);
  }

  /** Runs one statement (prepared on the server once per text) and returns its rows. */
  query(text: string, nParams: number, params: (string | null)[]): { rows: Record<string, unknown>[]; changes: number } {
    this.#usable(text);
    let name = this.#prepared.get(text);
    if (!name) {
      if (this.#prepared.size >= STATEMENT_CACHE_SIZE) {
        this.exec('DEALLOCATE ALL');
        this.#prepared.clear();
        this.#generation++;
      }
      name = `s${this.#generation}_${this.#prepared.size + 1}`;
      this.#pq.prepare(name, text, nParams);
      this.#check(text);
      this.#prepared.set(text, name);
    }
    this.#pq.execPrepared(name, params);
    this.#check(text);
    const pq = this.#pq;
    const fields = Array.from({ length: pq.nfields() }, (_, i) => ({ name: pq.fname(i), type: pq.ftype(i) }));
    const rows: Record<string, unknown>[] = [];
    for (let r = 0, n = pq.ntuples(); r < n; r++) {
      const row: Record<string, unknown> = {};
      fields.forEach((f, c) => {
        if (pq.getisnull(r, c)) row[f.name] = null;
        else {
          const v = pq.getvalue(r, c);
          row[f.name] = NUMBER_TYPES.has(f.type) ? Number(v) : f.type === BOOL ? (v === 't' ? 1 : 0) : f.type === BYTEA ? Buffer.from(v.slice(2), 'hex') : v;
        }
      });
      rows.push(row);
    }
    return { rows, changes: Number(pq.cmdTuples() || 0) };
  }

  close(): void {
    this.#pq.finish();
  }
}

/**
 * Runs a call against the connection. Outside a transaction, a call that finds the connection dead
 * is sent `again` on a new one when that is harmless (a plain read, a BEGIN); a write on its own gets
 * an `own transaction`, whose BEGIN is what finds the dead connection; a `once` call is not repeated.
 */
type Guard = <T>(call: () => T, mode: 'again' | 'own transaction' | 'once') => T;

class PgStatement implements Statement {
  readonly reader: boolean;
  readonly #conn: Connection;
  readonly #guard: Guard;
  readonly #sql: { text: string; names: string[]; count: number };
  /** A plain SELECT: sent again on a new connection when the old one was found dead. */
  readonly #readOnly: boolean;
  #pluck = false;

  constructor(conn: Connection, guard: Guard, sql: string) {
    this.#conn = conn;
    this.#guard = guard;
    this.#sql = translateSql(sql);
    this.reader = /^\s*(SELECT|WITH|VALUES)\b/i.test(sql) || /\bRETURNING\b/i.test(sql);
    this.#readOnly = /^\s*SELECT\b/i.test(sql) && !/\bFOR\s+UPDATE\b/i.test(sql);
  }

  pluck(on = true): this {
    this.#pluck = on;
    return this;
  }

  #params(args: unknown[]): (string | null)[] {
    if (this.#sql.names.length) {
      const bag = args[0];
      if (!isPlainObject(bag)) throw new TypeError('named parameters need an object');
      return this.#sql.names.map((n) => {
        if (!(n in bag)) throw new RangeError(`missing named parameter "${n}"`);
        return toParam(bag[n]);
      });
    }
    // An object of named values for a statement without names binds nothing (as better-sqlite3 has it).
    const flat = args.filter((a) => !isPlainObject(a)).flatMap((a) => (Array.isArray(a) ? a : [a]));
    if (flat.length !== this.#sql.count) throw new RangeError(`expected ${this.#sql.count} parameters, got ${flat.length}`);
    return flat.map(toParam);
  }

  #rows(args: unknown[]) {
    const params = this.#params(args);
    return this.#guard(() => this.#conn.query(this.#sql.text, this.#sql.count, params), this.#readOnly ? 'again' : 'own transaction');
  }

  get(...args: unknown[]): unknown {
    const row = this.#rows(args).rows[0];
    if (!row) return undefined;
    return this.#pluck ? Object.values(row)[0] : row;
  }

  all(...args: unknown[]): unknown[] {
    const { rows } = this.#rows(args);
    return this.#pluck ? rows.map((r) => Object.values(r)[0]) : rows;
  }

  run(...args: unknown[]): RunResult {
    return { changes: this.#rows(args).changes, lastInsertRowid: 0 };
  }
}

/** Where a PostgreSQL ledger lives: the connection string and, optionally, its schema. */
export interface PostgresTarget {
  /** One statement's limit, a wait for the write lock included (default STATEMENT_TIMEOUT_MS). */
  statementTimeoutMs?: number;
  url: string;
  /** A schema of its own (created when missing); default: the connection's search_path. */
  schema?: string;
}

export function openPostgres(target: PostgresTarget): Db {
  const conn = new Connection(target.url, target.schema, target.statementTimeoutMs ?? STATEMENT_TIMEOUT_MS);
  const statements = new Map<string, PgStatement>();
  let depth = 0;
  let open = true;

  /**
   * Outside a transaction, a lost connection is opened again first, and a call that found it lost is
   * sent again once when that is harmless. Inside one, nothing is: the transaction died with it.
   */
  const guard: Guard = (call, mode) => {
    if (depth > 0) return call();
    if (conn.lost) conn.reopen();
    if (mode === 'own transaction') {
      guard(() => conn.exec('BEGIN'), 'again');
      try {
        const result = call();
        conn.exec('COMMIT');
        return result;
      } catch (err) {
        try {
          if (!conn.lost) conn.exec('ROLLBACK');
        } catch {
          // nothing more to undo
        }
        throw err;
      }
    }
    try {
      return call();
    } catch (err) {
      if (mode !== 'again' || !(err instanceof PostgresError && err.connectionLost)) throw err;
      conn.reopen();
      return call();
    }
  };

  const db: Db = {
    dialect: 'postgres',
    get inTransaction() {
      return depth > 0;
    },
    get open() {
      return open;
    },
    prepare(sql: string) {
      let s = statements.get(sql);
      if (!s) {
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.clear();
        statements.set(sql, (s = new PgStatement(conn, guard, sql)));
      }
      return s.pluck(false);
    },
    exec(sql: string) {
      guard(() => conn.exec(sql), 'once');
    },
    transaction<A extends unknown[], R>(fn: (...a: A) => R) {
      const run = (...a: A): R => {
        const savepoint = depth > 0 ? `sp${depth}` : undefined;
        // A BEGIN that meets a dead connection did nothing: it is sent again on a new one.
        if (savepoint) conn.exec(`SAVEPOINT ${savepoint}`);
        else {
          try {
            guard(() => conn.exec(`BEGIN; SELECT pg_advisory_xact_lock(${LEDGER_WRITE_LOCK})`), 'again');
          } catch (err) {
            // The lock wait ran out (statement_timeout): the transaction was begun, end it.
            if (!conn.lost) {
              try {
                conn.exec('ROLLBACK');
              } catch {
                // nothing more to undo
              }
            }
            throw err;
          }
        }
        depth++;
        try {
          const result = fn(...a);
          if (result && typeof (result as { then?: unknown }).then === 'function') throw new TypeError('Transaction function cannot return a promise');
          depth--;
          conn.exec(savepoint ? `RELEASE SAVEPOINT ${savepoint}` : 'COMMIT');
          return result;
        } catch (err) {
          depth--;
          try {
            conn.exec(savepoint ? `ROLLBACK TO SAVEPOINT ${savepoint}; RELEASE SAVEPOINT ${savepoint}` : 'ROLLBACK');
          } catch {
            // The connection is gone; the server rolled back on its own.
          }
          throw err;
        }
      };
      return Object.assign(run, { immediate: run, deferred: run, exclusive: run });
    },
    close() {
      if (!open) return;
      open = false;
      conn.close();
    },
  };
  return db;
}

/**
 * A schema name for a test ledger: stable for a data directory (a proxy restarted on the same
 * directory finds its books), fresh for ':memory:'.
 */
export function testSchemaFor(dataDir: string): string {
  const id = dataDir === ':memory:' ? randomBytes(8).toString('hex') : createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
  return `ledger_${id}`;
}
