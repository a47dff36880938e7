/**
 * Merchant accounts (商户账户) and settlement records (结算记录), seed 002 §二.
 *
 * An account is where a provider settles the store's money, with a period (1 日结, 2 周结 Monday to
 * Sunday, 3 月结, 4 年结; 0 未知 never settles). Its `method` is the seed's pay_method: 2 微信 or
 * 3 支付宝 limit it to that channel; 1 (the seed's "未支付", the no-channel value) and 4 take every
 * channel of the provider. A settlement record per account and period holds the reconciled totals
 * (orders with reconciliation_status 1, net of refunds, integer fen); it is refreshed after every
 * reconciliation run while 待结算 (1) and frozen once 已结算 (2), when the voucher is attached.
 */
import type { Db } from '../ledger/db.ts';
import { ApiError } from '../http/errors.ts';
import type { Stores } from '../stores/registry.ts';
import { methodsOfChannel, PAY_METHOD } from './channels.ts';
import { addDays, chinaDayBounds, isoUtc } from '../china-time.ts';

export const PERIOD = { unknown: 0, daily: 1, weekly: 2, monthly: 3, yearly: 4 } as const;
export const SETTLEMENT_STATE = { pending: 1, settled: 2 } as const;

export interface Account {
  code: string;
  /** The store whose money this account receives. */
  storeId: string;
  merchant: string;
  provider: string;
  method: number;
  name: string;
  account: string;
  period: number;
  remarks: string | null;
  createTime: string;
  isDelete: boolean;
}

export interface Settlement {
  code: string;
  accountCode: string;
  name: string;
  num: number;
  total: number;
  method: number;
  startTime: string;
  endTime: string;
  person: string;
  settlementTime: string | null;
  state: number;
  voucherImg: string | null;
  remark: string | null;
  createTime: string;
}

type Row = Record<string, unknown>;

const toAccount = (r: Row): Account => ({
  code: String(r.code),
  storeId: String(r.store_id),
  merchant: String(r.merchant),
  provider: String(r.provider),
  method: Number(r.method),
  name: String(r.name),
  account: String(r.account),
  period: Number(r.period),
  remarks: (r.remarks as string | null) ?? null,
  createTime: String(r.create_time),
  isDelete: r.is_delete === 1,
});

const toSettlement = (r: Row): Settlement => ({
  code: String(r.code),
  accountCode: String(r.account_code),
  name: String(r.name),
  num: Number(r.num),
  total: Number(r.total),
  method: Number(r.method),
  startTime: String(r.start_time),
  endTime: String(r.end_time),
  person: String(r.person),
  settlementTime: (r.settlement_time as string | null) ?? null,
  state: Number(r.state),
  voucherImg: (r.voucher_img as string | null) ?? null,
  remark: (r.remark as string | null) ?? null,
  createTime: String(r.create_time),
});

/** The China days [first, last] of the period of `period` containing `day`. */
export function periodOf(period: number, day: string): { first: string; last: string } | undefined {
  const [y, m] = day.split('-').map(Number);
  if (period === PERIOD.daily) return { first: day, last: day };
  if (period === PERIOD.weekly) {
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay(); // 0 Sunday
    const first = addDays(day, -((weekday + 6) % 7));
    return { first, last: addDays(first, 6) };
  }
  if (period === PERIOD.monthly) {
    const first = `${day.slice(0, 7)}-01`;
    const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
    return { first, last: addDays(next, -1) };
  }
  if (period === PERIOD.yearly) return { first: `${y}-01-01`, last: `${y}-12-31` };
  return undefined;
}

export interface AccountInput {
  code?: string;
  /** Default: the default store. */
  storeId?: string;
  provider: string;
  method: number;
  name: string;
  account: string;
  period: number;
  remarks?: string;
}

export class Settlements {
  readonly #db: Db;
  readonly #stores: Stores;
  readonly #now: () => number;

  constructor(db: Db, stores: Stores, now: () => number = Date.now) {
    this.#db = db;
    this.#stores = stores;
    this.#now = now;
  }

  /**
   * One daily account per provider for each store that has none yet (a manager changes them later).
   * One transaction: a chain's proxies starting together make them once.
   */
  ensureDefaultAccounts(): void {
    this.#db.transaction(() => {
      for (const store of this.#stores.all()) {
        const count = this.#db.prepare('SELECT COUNT(*) FROM merchant_accounts WHERE store_id = ?').pluck().get(store.id) as number;
        if (count > 0) continue;
        for (const p of store.providers.all()) {
          this.saveAccount({ storeId: store.id, provider: p.id, method: PAY_METHOD.unpaid, name: p.info().storeName ?? p.id, account: p.id, period: PERIOD.daily });
        }
      }
    })();
  }

  accounts(filter: { name?: string; account?: string; storeId?: string } = {}): Account[] {
    const where = ['is_delete = 0'];
    if (filter.storeId) where.push('store_id = @storeId');
    if (filter.name) where.push("(name LIKE '%' || @name || '%' OR merchant LIKE '%' || @name || '%')");
    if (filter.account) where.push('account = @account');
    return (this.#db.prepare(`SELECT * FROM merchant_accounts WHERE ${where.join(' AND ')} ORDER BY LENGTH(code), code`).all(filter) as Row[]).map(toAccount);
  }

  saveAccount(a: AccountInput): Account {
    const store = this.#stores.get(a.storeId ?? this.#stores.default.id);
    if (!store) throw new ApiError(400, 'store_unknown', '没有这个门店 / No such store');
    if (!store.providers.get(a.provider)) throw new ApiError(400, 'provider_not_found', `没有这个支付渠道：${a.provider} / No such provider`);
    if (![1, 2, 3, 4].includes(a.method)) throw new ApiError(400, 'method_invalid', '支付方式应为 1–4 / method must be 1–4');
    if (![0, 1, 2, 3, 4].includes(a.period)) throw new ApiError(400, 'period_invalid', '结算周期应为 0–4 / period must be 0–4');
    if (!a.name?.trim() || !a.account?.trim()) throw new ApiError(400, 'account_invalid', '账号名称和账号不能为空 / name and account are required');
    // One transaction: two proxies saving at once must not both take the same next code.
    return this.#db.transaction(() => {
      const code = a.code ?? nextCode(this.#db, 'merchant_accounts', 0);
      this.#db
        .prepare(
          `INSERT INTO merchant_accounts (code, store_id, merchant, provider, method, name, account, period, remarks, create_time)
           VALUES (@code, @storeId, @merchant, @provider, @method, @name, @account, @period, @remarks, @createTime)
           ON CONFLICT (code) DO UPDATE SET store_id = excluded.store_id, merchant = excluded.merchant, provider = excluded.provider, method = excluded.method, name = excluded.name,
             account = excluded.account, period = excluded.period, remarks = excluded.remarks`,
        )
        .run({ code, storeId: store.id, merchant: store.name, provider: a.provider, method: a.method, name: a.name.trim(), account: a.account.trim(), period: a.period, remarks: a.remarks ?? null, createTime: isoUtc(this.#now()) });
      return this.accounts().find((x) => x.code === code)!;
    })();
  }

  /** After a run of a store's `provider` for `day`: each of its accounts' record for the period holding that day, from reconciled totals. */
  refresh(provider: string, day: string, person: string, storeId = this.#stores.default.id): void {
    const store = this.#stores.get(storeId);
    if (!store) return;
    const accounts = this.accounts({ storeId }).filter((a) => a.provider === provider && a.period !== PERIOD.unknown);
    for (const a of accounts) {
      const p = periodOf(a.period, day)!;
      const start = chinaDayBounds(p.first)!.startMs;
      const end = chinaDayBounds(p.last)!.endMs;
      const channel = a.method === PAY_METHOD.wechat || a.method === PAY_METHOD.alipay ? methodsOfChannel(store.providers, a.method) : undefined;
      const { num, total } = this.#totals(storeId, provider, isoUtc(start), isoUtc(end), channel);
      this.#db.transaction(() => {
        const existing = this.#db.prepare('SELECT code, state FROM settlements WHERE account_code = ? AND start_time = ?').get(a.code, isoUtc(start)) as { code: string; state: number } | undefined;
        if (existing?.state === SETTLEMENT_STATE.settled) return;
        if (existing) {
          this.#db.prepare('UPDATE settlements SET num = ?, total = ?, person = ? WHERE code = ?').run(num, total, person, existing.code);
          return;
        }
        const code = nextCode(this.#db, 'settlements', 10000);
        this.#db
          .prepare(
            `INSERT INTO settlements (code, account_code, name, num, total, method, start_time, end_time, person, settlement_time, state, create_time)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, 1, ?)`,
          )
          .run(code, a.code, a.name, num, total, a.method, isoUtc(start), isoUtc(end), person, isoUtc(this.#now()));
      })();
    }
  }

  #totals(storeId: string, provider: string, from: string, to: string, methods?: string[]): { num: number; total: number } {
    const inMethods = methods ? `AND method IN (${methods.map(() => '?').join(',') || 'NULL'})` : '';
    const r = this.#db
      .prepare(
        `SELECT COUNT(*) AS num, COALESCE(SUM(amount_fen - refunded_fen), 0) AS total FROM payments
         WHERE store_id = ? AND provider = ? AND reconciliation_status = 1 AND paid_at >= ? AND paid_at < ? ${inMethods}`,
      )
      .get(storeId, provider, from, to, ...(methods ?? [])) as { num: number; total: number };
    return r;
  }

  list(filter: { code?: string; method?: number; settlementDay?: string; state?: number; remark?: string; storeId?: string } = {}): Settlement[] {
    const where: string[] = [];
    const args: Record<string, unknown> = {};
    if (filter.storeId) (where.push('account_code IN (SELECT code FROM merchant_accounts WHERE store_id = @storeId)'), (args.storeId = filter.storeId));
    if (filter.code) (where.push('code = @code'), (args.code = filter.code));
    if (filter.method) (where.push('method = @method'), (args.method = filter.method));
    if (filter.state) (where.push('state = @state'), (args.state = filter.state));
    if (filter.remark) (where.push("remark LIKE '%' || @remark || '%'"), (args.remark = filter.remark));
    if (filter.settlementDay) {
      const b = chinaDayBounds(filter.settlementDay);
      if (!b) throw new ApiError(400, 'day_invalid', '日期格式应为 YYYY-MM-DD / The day must be YYYY-MM-DD');
      where.push('settlement_time >= @from AND settlement_time < @to');
      Object.assign(args, { from: isoUtc(b.startMs), to: isoUtc(b.endMs) });
    }
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    return (this.#db.prepare(`SELECT * FROM settlements ${w} ORDER BY start_time DESC, LENGTH(code) DESC, code DESC`).all(args) as Row[]).map(toSettlement);
  }

  /** 上传结算凭证: the voucher attached, state 待结算 → 已结算. Once only. */
  settle(code: string, v: { person: string; remark?: string; mime: string; bytes: Uint8Array }): Settlement {
    return this.#db.transaction(() => {
      const s = this.list({ code })[0];
      if (!s) throw new ApiError(404, 'settlement_not_found', `没有编号为 ${code} 的结算记录 / No such settlement`);
      if (s.state === SETTLEMENT_STATE.settled) throw new ApiError(409, 'already_settled', '该记录已结算 / Already settled');
      const now = isoUtc(this.#now());
      this.#db.prepare('INSERT INTO settlement_vouchers (code, mime, bytes, uploaded_at) VALUES (?, ?, ?, ?)').run(code, v.mime, Buffer.from(v.bytes), now);
      this.#db
        .prepare('UPDATE settlements SET state = 2, person = ?, remark = COALESCE(?, remark), settlement_time = ?, voucher_img = ? WHERE code = ?')
        .run(v.person, v.remark ?? null, now, `/pay/settlement/voucher?code=${encodeURIComponent(code)}`, code);
      return this.list({ code })[0];
    })();
  }

  voucher(code: string): { mime: string; bytes: Uint8Array } | undefined {
    const r = this.#db.prepare('SELECT mime, bytes FROM settlement_vouchers WHERE code = ?').get(code) as { mime: string; bytes: Buffer } | undefined;
    return r ? { mime: r.mime, bytes: new Uint8Array(r.bytes) } : undefined;
  }
}

/** The image type of a voucher from its first bytes (the name and the declared type are not trusted). */
export function imageType(bytes: Uint8Array): string | undefined {
  const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b);
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0x52, 0x49, 0x46, 0x46) && String.fromCharCode(...bytes.slice(8, 12)) === 'WEBP') return 'image/webp';
  if (starts(0x47, 0x49, 0x46, 0x38)) return 'image/gif';
  return undefined;
}

/**
 * The code after the largest numeric one in `table` (at least `floor` + 1). Read in JavaScript, not
 * with `CAST(code AS INTEGER)`: PostgreSQL refuses to cast a code that is not a number, SQLite reads
 * it as 0. Codes are listed numerically by `ORDER BY LENGTH(code), code`, which both read alike.
 */
function nextCode(db: Db, table: 'merchant_accounts' | 'settlements', floor: number): string {
  const codes = db.prepare(`SELECT code FROM ${table}`).pluck().all() as string[];
  return String(codes.reduce((max, c) => (/^\d{1,15}$/.test(c) ? Math.max(max, Number(c)) : max), floor) + 1);
}
