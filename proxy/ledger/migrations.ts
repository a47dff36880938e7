/**
 * Schema migrations, applied in order, each once, inside a transaction.
 * Never edit a migration that has shipped: add a new one.
 */
export type Migration = { version: number; name: string; sql: string };

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'initial ledger',
    sql: `
      CREATE TABLE terminals (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('cashier', 'manager')),
        token_hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        revoked_at TEXT
      );
      CREATE TABLE pairing_codes (
        code_hash TEXT PRIMARY KEY,
        role TEXT NOT NULL CHECK (role IN ('cashier', 'manager')),
        expires_at INTEGER NOT NULL,
        used_at TEXT
      );
      CREATE TABLE payments (
        out_no TEXT PRIMARY KEY,
        terminal_id TEXT NOT NULL,
        provider TEXT NOT NULL,
        method TEXT NOT NULL,
        amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
        auth_code TEXT,
        status TEXT NOT NULL CHECK (status IN ('unknown', 'paying', 'paid', 'failed', 'cancelled', 'refunded')),
        provider_ref TEXT,
        trade_no TEXT,
        paid_at TEXT,
        refunded_fen INTEGER NOT NULL DEFAULT 0 CHECK (refunded_fen >= 0 AND refunded_fen <= amount_fen),
        message TEXT,
        error_code TEXT,
        items TEXT,
        remark TEXT,
        printinfo TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        -- resolver bookkeeping: when to ask the provider next, and until when
        next_check_at INTEGER,
        deadline_at INTEGER,
        watch_until INTEGER,
        checks INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX payments_next_check ON payments (next_check_at) WHERE next_check_at IS NOT NULL;
      CREATE INDEX payments_created ON payments (created_at);
      CREATE TABLE refunds (
        refund_no TEXT PRIMARY KEY,
        out_no TEXT NOT NULL REFERENCES payments (out_no),
        amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
        status TEXT NOT NULL CHECK (status IN ('unknown', 'refunded', 'failed')),
        reason TEXT,
        terminal_id TEXT,
        provider_ref TEXT,
        message TEXT,
        printinfo TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        -- an unknown outcome is resolved against the provider's bill
        next_check_at INTEGER
      );
      CREATE INDEX refunds_out_no ON refunds (out_no);
      CREATE TABLE payment_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        out_no TEXT NOT NULL,
        from_status TEXT,
        to_status TEXT NOT NULL,
        reason TEXT NOT NULL,
        at TEXT NOT NULL
      );
      CREATE INDEX payment_events_out_no ON payment_events (out_no);
      CREATE TABLE provider_calls (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        provider TEXT NOT NULL,
        op TEXT NOT NULL,
        out_no TEXT,
        request TEXT NOT NULL,
        response TEXT NOT NULL,
        ok INTEGER NOT NULL,
        error_kind TEXT,
        duration_ms INTEGER NOT NULL,
        at TEXT NOT NULL
      );
      CREATE INDEX provider_calls_out_no ON provider_calls (out_no);
      CREATE TABLE provider_state (
        provider TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (provider, key)
      );
    `,
  },
  {
    version: 2,
    name: 'QR payments and provider callbacks',
    sql: `
      ALTER TABLE payments ADD COLUMN qr_code TEXT;
      -- Every callback that arrived, verified or not: the replay cache and the audit trail.
      CREATE TABLE callbacks (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        provider TEXT NOT NULL,
        replay_key TEXT,
        out_no TEXT,
        state TEXT,
        outcome TEXT NOT NULL,
        detail TEXT,
        received_at TEXT NOT NULL
      );
      CREATE UNIQUE INDEX callbacks_replay ON callbacks (provider, replay_key) WHERE outcome = 'accepted';
      CREATE INDEX callbacks_out_no ON callbacks (out_no);
    `,
  },
  {
    version: 3,
    name: 'sales bills and provider details',
    sql: `
      ALTER TABLE payments ADD COLUMN bill_no TEXT;
      -- The backend's word on the bill after this payment (posmini): 1 fully paid, 0 more owed.
      ALTER TABLE payments ADD COLUMN bill_fully_paid INTEGER;
      ALTER TABLE payments ADD COLUMN bill_balance_fen INTEGER;
      -- Provider figures kept with the payment (kioskv5 fees), JSON.
      ALTER TABLE payments ADD COLUMN details TEXT;
      CREATE INDEX payments_bill_no ON payments (bill_no) WHERE bill_no IS NOT NULL;
    `,
  },
  {
    version: 4,
    name: 'reconciliation and settlement (seed 002)',
    sql: `
      -- paid_at in UTC like created_at, so a day's range compares as text.
      UPDATE payments SET paid_at = strftime('%Y-%m-%dT%H:%M:%fZ', paid_at)
        WHERE paid_at IS NOT NULL AND strftime('%Y-%m-%dT%H:%M:%fZ', paid_at) IS NOT NULL;
      -- 1 已对账, 2 未对账, 3 异常, 4 已冲正, 5 存疑
      ALTER TABLE payments ADD COLUMN reconciliation_status INTEGER NOT NULL DEFAULT 2 CHECK (reconciliation_status BETWEEN 1 AND 5);
      -- The daily job may mark this order reconciled without a person (seed 002 "auto"); on unless a manager turns it off.
      ALTER TABLE payments ADD COLUMN auto_reconcile INTEGER NOT NULL DEFAULT 1;
      CREATE INDEX payments_provider_paid ON payments (provider, paid_at);
      -- The day report (proxy/ledger/reports.ts): the expressions must stay exactly as that file writes them.
      CREATE INDEX payments_paid_china ON payments (COALESCE(datetime(paid_at, '+8 hours'), datetime(created_at, '+8 hours'))) WHERE status IN ('paid', 'refunded');
      CREATE INDEX refunds_china ON refunds (datetime(created_at, '+8 hours'));
      CREATE INDEX payments_terminal_created ON payments (terminal_id, created_at);
      -- One run per provider and China day, re-run in place (its rows replaced).
      CREATE TABLE recon_runs (
        code TEXT PRIMARY KEY,
        provider TEXT NOT NULL,
        day TEXT NOT NULL,
        person TEXT NOT NULL,
        remark TEXT,
        complete INTEGER NOT NULL,
        carried INTEGER NOT NULL DEFAULT 0,
        start_time TEXT NOT NULL,
        end_time TEXT NOT NULL,
        create_time TEXT NOT NULL,
        UNIQUE (provider, day)
      );
      CREATE TABLE recon_items (
        code TEXT PRIMARY KEY,
        odd_id TEXT NOT NULL REFERENCES recon_runs (code),
        out_trade_no TEXT NOT NULL,
        issue INTEGER NOT NULL CHECK (issue BETWEEN 0 AND 6),
        note TEXT NOT NULL,
        source INTEGER NOT NULL,
        pay_money INTEGER NOT NULL,
        our_fen INTEGER,
        their_fen INTEGER,
        trade_time TEXT,
        user TEXT,
        equipment_id TEXT,
        third_bill TEXT,
        create_time TEXT NOT NULL,
        UNIQUE (odd_id, out_trade_no)
      );
      CREATE INDEX recon_items_out_no ON recon_items (out_trade_no);
      -- 商户账户: where a provider settles the store's money; period 0 未知 1 日结 2 周结 3 月结 4 年结.
      CREATE TABLE merchant_accounts (
        code TEXT PRIMARY KEY,
        merchant TEXT NOT NULL,
        provider TEXT NOT NULL,
        method INTEGER NOT NULL,
        name TEXT NOT NULL,
        account TEXT NOT NULL,
        period INTEGER NOT NULL CHECK (period BETWEEN 0 AND 4),
        remarks TEXT,
        create_time TEXT NOT NULL,
        is_delete INTEGER NOT NULL DEFAULT 0
      );
      -- 结算记录: one per account and period, from reconciled totals; state 1 待结算, 2 已结算.
      CREATE TABLE settlements (
        code TEXT PRIMARY KEY,
        account_code TEXT NOT NULL REFERENCES merchant_accounts (code),
        name TEXT NOT NULL,
        num INTEGER NOT NULL,
        total INTEGER NOT NULL,
        method INTEGER NOT NULL,
        start_time TEXT NOT NULL,
        end_time TEXT NOT NULL,
        person TEXT NOT NULL,
        settlement_time TEXT,
        state INTEGER NOT NULL CHECK (state IN (1, 2)),
        voucher_img TEXT,
        remark TEXT,
        create_time TEXT NOT NULL,
        UNIQUE (account_code, start_time)
      );
      -- The voucher image of a settled record (kept in the ledger, backed up with it).
      CREATE TABLE settlement_vouchers (
        code TEXT PRIMARY KEY REFERENCES settlements (code),
        mime TEXT NOT NULL,
        bytes BLOB NOT NULL,
        uploaded_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 5,
    name: 'audit log',
    sql: `
      -- Every money-moving action and every change of who may act (proxy/audit/log.ts). Append-only:
      -- no route changes a row, and the triggers below refuse UPDATE and DELETE to anyone with the file.
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        action TEXT NOT NULL,
        -- who: the terminal that asked (id, name and role then); the proxy itself is role 'system'
        actor_id TEXT,
        actor_name TEXT,
        actor_role TEXT NOT NULL CHECK (actor_role IN ('cashier', 'manager', 'system')),
        -- which terminal: the till the money moved at, or the terminal paired or revoked
        terminal_id TEXT,
        -- what: the payment's out_no, a settlement's, account's or reconciliation run's code
        subject TEXT,
        refund_no TEXT,
        amount_fen INTEGER,
        outcome TEXT NOT NULL,
        -- JSON; never a secret, payment codes masked
        detail TEXT
      );
      CREATE INDEX audit_log_at ON audit_log (at);
      CREATE INDEX audit_log_action ON audit_log (action, at);
      CREATE INDEX audit_log_actor ON audit_log (actor_id, at);
      CREATE INDEX audit_log_terminal ON audit_log (terminal_id, at);
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
    `,
  },
  {
    version: 6,
    name: 'a chain of stores: store ids, shared rate limits, event origins',
    sql: `
      -- The store a payment was taken at, a terminal works for (NULL: a manager of the whole chain) and
      -- a pairing code pairs into. A ledger from before stores had one store: 'main'.
      ALTER TABLE payments ADD COLUMN store_id TEXT NOT NULL DEFAULT 'main';
      ALTER TABLE terminals ADD COLUMN store_id TEXT;
      ALTER TABLE pairing_codes ADD COLUMN store_id TEXT;
      ALTER TABLE merchant_accounts ADD COLUMN store_id TEXT NOT NULL DEFAULT 'main';
      CREATE INDEX payments_store_created ON payments (store_id, created_at);
      -- Which proxy wrote a state change: the others relay it to their terminals (proxy/events/chain-feed.ts).
      ALTER TABLE payment_events ADD COLUMN origin TEXT;
      -- Which proxy stored a payment or refund (and made its provider call): a restarting proxy leaves
      -- another live proxy's call in flight alone (Ledger.makeUnsettledDue).
      ALTER TABLE payments ADD COLUMN origin TEXT;
      ALTER TABLE refunds ADD COLUMN origin TEXT;
      -- Rate-limit windows and lock-outs that hold across every proxy of a chain (proxy/http/db-limit-store.ts).
      CREATE TABLE rate_windows (
        limit_key TEXT PRIMARY KEY,
        hits INTEGER NOT NULL,
        reset_at INTEGER NOT NULL
      );
      CREATE TABLE rate_locks (
        limit_key TEXT PRIMARY KEY,
        locked_until INTEGER NOT NULL
      );
      -- One reconciliation run per store, provider and China day. SQLite cannot change a table's
      -- UNIQUE constraint, so recon_runs is rebuilt with store_id last (as PostgreSQL's ADD COLUMN puts
      -- it), and recon_items with it, so its foreign key follows the renamed table.
      CREATE TABLE recon_runs_v6 (
        code TEXT PRIMARY KEY,
        provider TEXT NOT NULL,
        day TEXT NOT NULL,
        person TEXT NOT NULL,
        remark TEXT,
        complete INTEGER NOT NULL,
        carried INTEGER NOT NULL DEFAULT 0,
        start_time TEXT NOT NULL,
        end_time TEXT NOT NULL,
        create_time TEXT NOT NULL,
        store_id TEXT NOT NULL DEFAULT 'main',
        UNIQUE (store_id, provider, day)
      );
      INSERT INTO recon_runs_v6 (code, provider, day, person, remark, complete, carried, start_time, end_time, create_time)
        SELECT code, provider, day, person, remark, complete, carried, start_time, end_time, create_time FROM recon_runs;
      CREATE TABLE recon_items_v6 (
        code TEXT PRIMARY KEY,
        odd_id TEXT NOT NULL REFERENCES recon_runs_v6 (code),
        out_trade_no TEXT NOT NULL,
        issue INTEGER NOT NULL CHECK (issue BETWEEN 0 AND 6),
        note TEXT NOT NULL,
        source INTEGER NOT NULL,
        pay_money INTEGER NOT NULL,
        our_fen INTEGER,
        their_fen INTEGER,
        trade_time TEXT,
        user TEXT,
        equipment_id TEXT,
        third_bill TEXT,
        create_time TEXT NOT NULL,
        UNIQUE (odd_id, out_trade_no)
      );
      INSERT INTO recon_items_v6 SELECT * FROM recon_items;
      DROP TABLE recon_items;
      DROP TABLE recon_runs;
      ALTER TABLE recon_runs_v6 RENAME TO recon_runs;
      ALTER TABLE recon_items_v6 RENAME TO recon_items;
      CREATE INDEX recon_items_out_no ON recon_items (out_trade_no);
    `,
  },
];
