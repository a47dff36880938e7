/**
 * The reconciliation tables (migration v4) over the ledger's database: runs (recon_runs), their rows
 * (recon_items), and each payment's reconciliation_status and auto flag. Lean SQL: a day of 100,000
 * orders is read and written in one pass each.
 */
import { createHash } from 'node:crypto';
import { DEFAULT_STORE_ID } from '../config.ts';
import type { Db } from '../ledger/db.ts';
import type { ProviderBillEntry } from '../providers/types.ts';
import { headerOf, type Issue, type OurOrder, type ReconRow, type ReconStatus } from './match.ts';

export interface RunRecord {
  code: string;
  /** The store whose orders and whose merchant account at the provider this run compares. */
  storeId: string;
  provider: string;
  day: string;
  person: string;
  remark: string | null;
  complete: boolean;
  carried: number;
  startTime: string;
  endTime: string;
  createTime: string;
}

export interface ItemRecord {
  code: string;
  oddId: string;
  outTradeNo: string;
  issue: Issue;
  note: string;
  source: number;
  payMoney: number;
  ourFen: number | null;
  theirFen: number | null;
  tradeTime: string | null;
  user: string | null;
  equipmentId: string | null;
  thirdBill: ProviderBillEntry | null;
  createTime: string;
}

export const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/**
 * The run of a store's provider's day has one code, so running the day again replaces it. The
 * default store keeps the codes runs had before stores existed.
 */
export const runCode = (provider: string, day: string, storeId = DEFAULT_STORE_ID) =>
  md5(storeId === DEFAULT_STORE_ID ? `recon|${provider}|${day}` : `recon|${storeId}|${provider}|${day}`);

type Row = Record<string, unknown>;

function toOurOrder(r: Row): OurOrder {
  return {
    outNo: String(r.out_no),
    status: r.status as OurOrder['status'],
    amountFen: Number(r.amount_fen),
    refundedFen: Number(r.refunded_fen),
    reversed: r.error_code === 'reversed',
    at: String(r.paid_at ?? r.created_at),
    providerRef: (r.provider_ref as string | null) ?? undefined,
    tradeNo: (r.trade_no as string | null) ?? undefined,
    terminalId: String(r.terminal_id),
  };
}

const ORDER_COLUMNS = 'out_no, status, amount_fen, refunded_fen, error_code, paid_at, created_at, provider_ref, trade_no, terminal_id, method';

function toRun(r: Row): RunRecord {
  return {
    code: String(r.code),
    storeId: String(r.store_id),
    provider: String(r.provider),
    day: String(r.day),
    person: String(r.person),
    remark: (r.remark as string | null) ?? null,
    complete: r.complete === 1,
    carried: Number(r.carried),
    startTime: String(r.start_time),
    endTime: String(r.end_time),
    createTime: String(r.create_time),
  };
}

function toItem(r: Row): ItemRecord {
  return {
    code: String(r.code),
    oddId: String(r.odd_id),
    outTradeNo: String(r.out_trade_no),
    issue: Number(r.issue) as Issue,
    note: String(r.note),
    source: Number(r.source),
    payMoney: Number(r.pay_money),
    ourFen: r.our_fen === null ? null : Number(r.our_fen),
    theirFen: r.their_fen === null ? null : Number(r.their_fen),
    tradeTime: (r.trade_time as string | null) ?? null,
    user: (r.user as string | null) ?? null,
    equipmentId: (r.equipment_id as string | null) ?? null,
    thirdBill: r.third_bill ? (JSON.parse(String(r.third_bill)) as ProviderBillEntry) : null,
    createTime: String(r.create_time),
  };
}

export interface SaveRun {
  run: RunRecord;
  rows: ReconRow[];
  /** seed 002 pay_method of an order (2 微信, 3 支付宝, 4 other), by its method id. */
  source: (row: ReconRow) => number;
  /** Whether a row's reconciliation_status is written to its order (the daily job: only `auto` orders). */
  apply: (row: ReconRow, auto: boolean) => boolean;
}

export class ReconStore {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  /**
   * The provider's orders whose paid time (else created time) is in [from, to), ISO UTC, leaving out
   * those another run already holds: `matched` — a row there saw both sides (their home run);
   * `any` — any row there (for the orders carried over from the day before).
   */
  ordersBetween(q: { storeId: string; provider: string; from: string; to: string; runCode: string; elsewhere: 'matched' | 'any' }): (OurOrder & { method: string })[] {
    const held =
      q.elsewhere === 'matched'
        ? 'i.odd_id != @runCode AND i.third_bill IS NOT NULL AND i.our_fen IS NOT NULL'
        : 'i.odd_id != @runCode';
    const notHeld = `NOT EXISTS (SELECT 1 FROM recon_items i WHERE i.out_trade_no = p.out_no AND ${held})`;
    const rows = this.#db
      .prepare(
        `SELECT ${ORDER_COLUMNS} FROM payments p WHERE provider = @provider AND store_id = @storeId AND paid_at >= @from AND paid_at < @to AND ${notHeld}
         UNION ALL
         SELECT ${ORDER_COLUMNS} FROM payments p WHERE provider = @provider AND store_id = @storeId AND paid_at IS NULL AND created_at >= @from AND created_at < @to AND ${notHeld}`,
      )
      .all(q) as Row[];
    return rows.map((r) => ({ ...toOurOrder(r), method: String(r.method) }));
  }

  order(storeId: string, provider: string, outNo: string): (OurOrder & { method: string }) | undefined {
    const r = this.#db.prepare(`SELECT ${ORDER_COLUMNS} FROM payments WHERE out_no = ? AND provider = ? AND store_id = ?`).get(outNo, provider, storeId) as Row | undefined;
    return r ? { ...toOurOrder(r), method: String(r.method) } : undefined;
  }

  /** Replaces the run and its rows, and writes each order's status, in one transaction. */
  save({ run, rows, source, apply }: SaveRun): void {
    const insertRun = this.#db.prepare(
      `INSERT INTO recon_runs (code, store_id, provider, day, person, remark, complete, carried, start_time, end_time, create_time)
       VALUES (@code, @storeId, @provider, @day, @person, @remark, @complete, @carried, @startTime, @endTime, @createTime)
       ON CONFLICT (code) DO UPDATE SET person = excluded.person, remark = excluded.remark, complete = excluded.complete,
         carried = excluded.carried, create_time = excluded.create_time`,
    );
    const insertItem = this.#db.prepare(
      `INSERT INTO recon_items (code, odd_id, out_trade_no, issue, note, source, pay_money, our_fen, their_fen, trade_time, "user", equipment_id, third_bill, create_time)
       VALUES (@code, @oddId, @key, @issue, @note, @source, @payMoney, @ourFen, @theirFen, @tradeTime, @user, @equipmentId, @thirdBill, @createTime)`,
    );
    const autoOf = this.#db.prepare('SELECT auto_reconcile FROM payments WHERE out_no = ?').pluck();
    const setStatus = this.#db.prepare('UPDATE payments SET reconciliation_status = ? WHERE out_no = ?');
    // Rows a later match moved here (an order once short elsewhere, now found on this bill).
    const dropElsewhere = this.#db.prepare('DELETE FROM recon_items WHERE out_trade_no = ? AND odd_id != ? AND (third_bill IS NULL OR our_fen IS NULL)');
    this.#db.transaction(() => {
      insertRun.run({ ...run, complete: run.complete ? 1 : 0 });
      this.#db.prepare('DELETE FROM recon_items WHERE odd_id = ?').run(run.code);
      for (const row of rows) {
        const their = row.theirs ? row.theirs.amountFen : null;
        insertItem.run({
          code: md5(`${run.code}|${row.key}`),
          oddId: run.code,
          key: row.key,
          issue: row.issue,
          note: row.note,
          source: source(row),
          payMoney: row.ours?.amountFen ?? their ?? 0,
          ourFen: row.ours ? row.ours.amountFen : null,
          theirFen: their,
          tradeTime: row.ours?.at ?? row.theirs?.bookedAt ?? null,
          user: row.theirs?.payer ?? null,
          equipmentId: row.ours?.terminalId ?? null,
          thirdBill: row.theirs ? JSON.stringify(row.theirs) : null,
          createTime: run.createTime,
        });
        if (row.ours && row.theirs) dropElsewhere.run(row.ours.outNo, run.code);
        if (row.ours && row.status !== undefined && apply(row, autoOf.get(row.ours.outNo) === 1)) setStatus.run(row.status, row.ours.outNo);
      }
    })();
  }

  /** Runs, newest first; `from`/`to` (ISO UTC) bound when they were run. */
  runs(filter: { from?: string; to?: string; person?: string; provider?: string; storeId?: string } = {}): RunRecord[] {
    const where: string[] = [];
    if (filter.storeId) where.push('store_id = @storeId');
    if (filter.from) where.push('create_time >= @from');
    if (filter.to) where.push('create_time < @to');
    if (filter.person) where.push('person = @person');
    if (filter.provider) where.push('provider = @provider');
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    return (this.#db.prepare(`SELECT * FROM recon_runs ${w} ORDER BY create_time DESC`).all(filter) as Row[]).map(toRun);
  }

  run(code: string): RunRecord | undefined {
    const r = this.#db.prepare('SELECT * FROM recon_runs WHERE code = ?').get(code) as Row | undefined;
    return r ? toRun(r) : undefined;
  }

  items(runCode: string): ItemRecord[] {
    return (this.#db.prepare('SELECT * FROM recon_items WHERE odd_id = ? ORDER BY trade_time IS NOT NULL, trade_time, out_trade_no').all(runCode) as Row[]).map(toItem);
  }

  /** The latest row about an order (its home run's). */
  itemOf(outNo: string): ItemRecord | undefined {
    const r = this.#db.prepare('SELECT * FROM recon_items WHERE out_trade_no = ? ORDER BY create_time DESC LIMIT 1').get(outNo) as Row | undefined;
    return r ? toItem(r) : undefined;
  }

  header(runCode: string) {
    const rows = this.#db.prepare('SELECT issue, pay_money FROM recon_items WHERE odd_id = ?').all(runCode) as { issue: Issue; pay_money: number }[];
    return headerOf(rows.map((r) => ({ issue: r.issue, payMoney: r.pay_money })));
  }

  setAuto(outNo: string, auto: boolean): boolean {
    return this.#db.prepare('UPDATE payments SET auto_reconcile = ? WHERE out_no = ?').run(auto ? 1 : 0, outNo).changes === 1;
  }

  statusOf(outNo: string): { status: ReconStatus; auto: boolean } | undefined {
    const r = this.#db.prepare('SELECT reconciliation_status, auto_reconcile FROM payments WHERE out_no = ?').get(outNo) as Row | undefined;
    return r ? { status: Number(r.reconciliation_status) as ReconStatus, auto: r.auto_reconcile === 1 } : undefined;
  }
}
