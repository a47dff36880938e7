/**
 * Schema migrations, applied in order, each once, inside a transaction.
 * Never edit a migration that has shipped: add a new one.
 */
export const MIGRATIONS: { version: number; name: string; sql: string }[] = [
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
];
