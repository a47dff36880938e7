/**
 * `/pay/...`: seed 002's reconciliation (对账) and settlement (结算) back office, with its paths,
 * parameters and response shapes (`{"code": 200, "msg", "data"}`; times as the seed prints them,
 * China local time without offset). Manager role only. Our additions are marked "(ours)":
 * paging of the order list, running a reconciliation (POST /pay/check_record/), editing accounts
 * (POST /pay/account/), and reading a voucher back (GET /pay/settlement/voucher).
 *
 * @see seeds/002_3b56c01ea61b05b8.txt
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { maskedCode, outcomeOf, type AuditEntry, type AuditLog } from '../audit/log.ts';
import type { AuthEnv } from '../auth/terminals.ts';
import { ApiError } from '../http/errors.ts';
import { readJson } from '../http/json-body.ts';
import type { Db } from '../ledger/db.ts';
import { ProviderRegistry } from '../providers/index.ts';
import type { Stores } from '../stores/registry.ts';
import { inScope, storeFilter } from '../stores/scope.ts';
import { channelResolver, methodsOfChannel, PAY_METHOD } from '../reconciliation/channels.ts';
import { chinaDayBounds, chinaNaive, isoUtc } from '../china-time.ts';
import type { Reconciler } from '../reconciliation/run.ts';
import { imageType, type Settlements } from '../reconciliation/settlement.ts';
import type { ReconStore } from '../reconciliation/store.ts';

export interface PayRoutesDeps {
  db: Db;
  stores: Stores;
  reconciler: Reconciler;
  recon: ReconStore;
  settlements: Settlements;
  audit: AuditLog;
}

export const MAX_VOUCHER_BYTES = 5 * 1024 * 1024;

/** seed 002 ORDER_STATUS_CHOICES for our payment statuses. */
const ORDER_STATUS: Record<string, number> = { unknown: 1, paying: 1, paid: 2, failed: 3, cancelled: 11, refunded: 4 };

const ok = (data: unknown, msg = '查询成功') => ({ code: 200, msg, data });

function intParam(v: string | undefined, name: string, opts: { min?: number; max?: number } = {}): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || (opts.min !== undefined && n < opts.min) || (opts.max !== undefined && n > opts.max)) {
    throw new ApiError(400, 'param_invalid', `参数 ${name} 无效 / Invalid ${name}`);
  }
  return n;
}

export function payRoutes(d: PayRoutesDeps) {
  const app = new Hono<AuthEnv>();
  const { db, stores } = d;
  // Method ids are the provider's own (`mct1:WX`), the same at every store: one registry of them all
  // tells a method's channel.
  const allProviders = () => new ProviderRegistry(stores.providers().map((x) => x.provider));
  const storeName = (id: string | undefined) => stores.get(id ?? stores.default.id)?.name ?? id ?? '';
  /** A chain manager sees every store (`store=` narrows it); a store's manager only its own. */
  const scope = (c: Context<AuthEnv>) => storeFilter(c.get('terminal'), c.req.query('store'), stores);

  /** Runs a manager's change and leaves one audit row with its outcome (the error code when refused). */
  async function audited<T>(entry: Omit<AuditEntry, 'outcome'>, fn: () => T | Promise<T>, outcome: (r: T) => Partial<AuditEntry> = () => ({})): Promise<T> {
    let r: T;
    try {
      r = await fn();
    } catch (err) {
      d.audit.record({ ...entry, outcome: outcomeOf(err) });
      throw err;
    }
    d.audit.record({ ...entry, outcome: 'ok', ...outcome(r) });
    return r;
  }

  /** pay_method of an order: 1 未支付 until it is paid, else its channel. */
  function payMethodSql(): { sql: string; args: string[] } {
    const all = allProviders();
    const wx = methodsOfChannel(all, PAY_METHOD.wechat);
    const ali = methodsOfChannel(all, PAY_METHOD.alipay);
    const list = (ids: string[]) => ids.map(() => '?').join(',') || 'NULL';
    return {
      sql: `CASE WHEN status NOT IN ('paid', 'refunded') THEN 1 WHEN method IN (${list(wx)}) THEN 2 WHEN method IN (${list(ali)}) THEN 3 ELSE 4 END`,
      args: [...wx, ...ali],
    };
  }

  // 对账列表 <1>: the orders with statistics; filters as the seed's, plus page/page_size (ours).
  app.get('/consume_order', (c) => {
    const q = c.req.query();
    const pm = payMethodSql();
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.code) (where.push('out_no = ?'), args.push(q.code));
    const gte = intParam(q.total_fee__gte, 'total_fee__gte', { min: 0 });
    const lte = intParam(q.total_fee__lte, 'total_fee__lte', { min: 0 });
    if (gte !== undefined) (where.push('amount_fen >= ?'), args.push(gte));
    if (lte !== undefined) (where.push('amount_fen <= ?'), args.push(lte));
    const rs = intParam(q.reconciliation_status, 'reconciliation_status', { min: 1, max: 5 });
    if (rs !== undefined) (where.push('reconciliation_status = ?'), args.push(rs));
    const method = intParam(q.pay_method, 'pay_method', { min: 1, max: 4 });
    if (method !== undefined) (where.push(`(${pm.sql}) = ?`), args.push(...pm.args, method));
    const storeId = scope(c);
    if (storeId) (where.push('store_id = ?'), args.push(storeId));
    // 商户名称: the stores whose name holds it.
    if (q.merchant__name) {
      const named = stores.all().filter((s) => s.name.includes(q.merchant__name)).map((s) => s.id);
      where.push(`store_id IN (${named.map(() => '?').join(',') || 'NULL'})`);
      args.push(...named);
    }
    const page = intParam(q.page, 'page', { min: 1 }) ?? 1;
    const size = intParam(q.page_size, 'page_size', { min: 1, max: 500 }) ?? 50;
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const stats = db
      .prepare(
        `SELECT COUNT(*) AS order_num, SUM(amount_fen) AS total,
           SUM(CASE WHEN reconciliation_status = 1 THEN 1 ELSE 0 END) AS success_bill, SUM(CASE WHEN reconciliation_status = 1 THEN amount_fen END) AS success_price,
           SUM(CASE WHEN reconciliation_status = 3 THEN 1 ELSE 0 END) AS fail_bill, SUM(CASE WHEN reconciliation_status = 3 THEN amount_fen END) AS fail_price
         FROM payments ${w}`,
      )
      .get(...args) as Record<string, number | null>;
    const rows = db
      .prepare(
        `SELECT out_no, terminal_id, store_id, amount_fen, ${pm.sql} AS pay_method, created_at, reconciliation_status, auto_reconcile
         FROM payments ${w} ORDER BY created_at DESC, out_no LIMIT ? OFFSET ?`,
      )
      .all(...pm.args, ...args, size, (page - 1) * size) as Record<string, string | number>[];
    return c.json(
      ok({
        statistics: {
          order_num: stats.order_num ?? 0,
          count_price: { total_fee__sum: stats.total },
          success_bill: stats.success_bill ?? 0,
          success_price: { total_fee__sum: stats.success_price },
          fail_bill: stats.fail_bill ?? 0,
          fail_price: { total_fee__sum: stats.fail_price },
        },
        order: {
          num: stats.order_num ?? 0,
          page,
          page_size: size,
          data: rows.map((r) => ({
            code: r.out_no,
            merchant__name: storeName(String(r.store_id)),
            equipment_no: r.terminal_id,
            total_fee: r.amount_fen,
            pay_method: r.pay_method,
            create_time: chinaNaive(String(r.created_at)),
            reconciliation_status: r.reconciliation_status,
            auto: r.auto_reconcile === 1,
          })),
        },
      }),
    );
  });

  // 对账列表 <2>: 是否自动对账 — the order's auto flag.
  app.post('/consume_order', async (c) => {
    const b = (await readJson(c)) as { code?: unknown; auto?: unknown } | null;
    const auto = b?.auto === true || b?.auto === 'true' ? true : b?.auto === false || b?.auto === 'false' ? false : undefined;
    if (typeof b?.code !== 'string' || auto === undefined) throw new ApiError(400, 'param_invalid', '需要 code 和 auto (true/false) / code and auto (true/false) are required');
    const code = b.code;
    await audited({ action: 'reconciliation.auto', actor: c.get('terminal'), subject: code.slice(0, 64), detail: { auto } }, () => {
      // Another store's order is not this manager's to change: as if it did not exist.
      const storeOf = db.prepare('SELECT store_id FROM payments WHERE out_no = ?').pluck().get(code) as string | undefined;
      if (storeOf === undefined || !inScope(c.get('terminal'), storeOf, stores) || !d.recon.setAuto(code, auto)) {
        throw new ApiError(404, 'payment_not_found', `没有流水号为 ${code} 的订单 / No such order`);
      }
    });
    return c.json(ok({ code, auto }, '修改成功'));
  });

  // 查看详情: our bill, the provider's bill line, and the reconciliation note.
  app.get('/order_details', (c) => {
    const code = c.req.query('code');
    const payWay = intParam(c.req.query('pay_way'), 'pay_way', { min: 2, max: 4 });
    if (!code || payWay === undefined) throw new ApiError(400, 'param_invalid', '需要 code 和 pay_way / code and pay_way are required');
    const p = db.prepare('SELECT * FROM payments WHERE out_no = ?').get(code) as Record<string, string | number | null> | undefined;
    const channel = p ? channelResolver(allProviders())(String(p.method)) : undefined;
    if (!p || !inScope(c.get('terminal'), String(p.store_id), stores) || channel !== payWay) throw new ApiError(404, 'payment_not_found', `没有流水号为 ${code} 的${payWay === 2 ? '微信' : payWay === 3 ? '支付宝' : ''}订单 / No such order`);
    const item = d.recon.itemOf(code);
    const run = item ? d.recon.run(item.oddId) : undefined;
    const third = item?.thirdBill;
    return c.json(
      ok({
        bill_data: [
          {
            code: p.out_no,
            equipment_no: p.terminal_id,
            total_fee: p.amount_fen,
            name__nick_name: item?.user ?? null,
            reconciliation_status: p.reconciliation_status,
            platform_code: p.provider_ref,
            pay_method: channel,
            status: ORDER_STATUS[String(p.status)] ?? 1,
            create_time: chinaNaive(String(p.created_at)),
          },
        ],
        third_bill: third
          ? {
              trade_time: chinaNaive(third.bookedAt),
              out_trade_no: third.providerRef ?? third.outNo ?? null,
              device: '',
              total_money: third.amountFen,
              refund_money: third.refundedFen,
              openid: third.payer ?? null,
              transaction_id: third.tradeNo ?? null,
            }
          : null,
        bill_info: item
          ? { odd_id: item.oddId, note: item.note, create_time: chinaNaive(item.createTime), issue: item.issue, admin: run?.person ?? null }
          : null,
      }),
    );
  });

  // 对账记录列表: the runs; `time` a China day of the run, `user` who ran it.
  app.get('/check_record/', (c) => {
    const time = c.req.query('time');
    const b = time ? chinaDayBounds(time) : undefined;
    if (time && !b) throw new ApiError(400, 'day_invalid', '日期格式应为 YYYY-MM-DD / The day must be YYYY-MM-DD');
    const runs = d.recon.runs({ person: c.req.query('user') || undefined, from: b && isoUtc(b.startMs), to: b && isoUtc(b.endMs), storeId: scope(c) });
    return c.json(
      ok({
        num: runs.length,
        data: runs.map((r) => ({ create_time: chinaNaive(r.createTime), person: r.person, code: r.code, provider: r.provider, day: r.day, store: r.storeId, merchant__name: storeName(r.storeId) })),
      }),
    );
  });

  // (ours) 对账: run the reconciliation of a store's provider's day, as the manager who asks
  // (`store`: default the manager's own store, else the default store).
  app.post('/check_record/', async (c) => {
    const b = (await readJson(c)) as { provider?: unknown; day?: unknown; remark?: unknown; store?: unknown } | null;
    if (typeof b?.provider !== 'string' || typeof b.day !== 'string') throw new ApiError(400, 'param_invalid', '需要 provider 和 day / provider and day are required');
    if (b.store !== undefined && typeof b.store !== 'string') throw new ApiError(400, 'param_invalid', 'store 必须是门店编号 / store must be a store id');
    const { provider, day } = b;
    const storeId = storeFilter(c.get('terminal'), b.store as string | undefined, stores) ?? stores.default.id;
    const outcome = await audited(
      { action: 'reconciliation.run', actor: c.get('terminal'), detail: { storeId, provider: provider.slice(0, 40), day: day.slice(0, 10) } },
      async () => {
        const o = await d.reconciler.run({
          storeId,
          provider,
          day,
          person: c.get('terminal').name,
          remark: typeof b.remark === 'string' ? b.remark.slice(0, 200) : undefined,
        });
        d.settlements.refresh(o.run.provider, o.run.day, o.run.person, o.run.storeId);
        return o;
      },
      (o) => ({ subject: o.run.code, detail: { storeId: o.run.storeId, provider: o.run.provider, day: o.run.day, rows: o.rows, carried: o.carried, complete: o.run.complete } }),
    );
    return c.json(ok({ code: outcome.run.code, rows: outcome.rows, carried: outcome.carried, complete: outcome.run.complete }, '对账完成'));
  });

  // 生成账单: a run's header and grid.
  app.get('/check_bills', (c) => {
    const code = c.req.query('code');
    const found = code ? d.recon.run(code) : undefined;
    const run = found && inScope(c.get('terminal'), found.storeId, stores) ? found : undefined;
    if (!run) throw new ApiError(404, 'record_not_found', '没有这条对账记录 / No such reconciliation record');
    const header = d.recon.header(run.code);
    const items = d.recon.items(run.code);
    return c.json({
      code: 200,
      msg: '查询成功',
      state: 0,
      data: {
        header: [
          {
            is_delete: false,
            code: run.code,
            person: run.person,
            remark: run.remark,
            ...header,
            carried: run.carried,
            complete: run.complete,
            provider: run.provider,
            start_time: chinaNaive(run.startTime),
            end_time: chinaNaive(run.endTime),
            create_time: chinaNaive(run.createTime),
          },
        ],
        grid: items.map((i) => ({
          is_delete: false,
          code: i.code,
          odd_id: i.oddId,
          out_trade_no: i.outTradeNo,
          source: i.source,
          issue: i.issue,
          create_time: chinaNaive(i.createTime),
          trade_time: chinaNaive(i.tradeTime ?? undefined),
          pay_money: i.payMoney,
          our_fen: i.ourFen,
          their_fen: i.theirFen,
          user: i.user,
          note: i.note,
          name: storeName(run.storeId),
          equipment_id: i.equipmentId,
        })),
      },
    });
  });

  // 商户账户管理.
  app.get('/account/', (c) => {
    const list = d.settlements.accounts({ name: c.req.query('name') || undefined, account: c.req.query('account') || undefined, storeId: scope(c) });
    return c.json(
      ok({
        num: list.length,
        data: list.map((a) => ({
          is_delete: a.isDelete,
          code: a.code,
          merchant: a.merchant,
          store: a.storeId,
          method: a.method,
          name: a.name,
          account: a.account,
          period: a.period,
          provider: a.provider,
          remarks: a.remarks,
          create_time: chinaNaive(a.createTime),
        })),
      }),
    );
  });

  // (ours) add or change an account.
  app.post('/account/', async (c) => {
    const b = (await readJson(c)) as Record<string, unknown> | null;
    if (!b || typeof b !== 'object') throw new ApiError(400, 'param_invalid', '需要 JSON 对象 / A JSON object is required');
    if (b.store !== undefined && typeof b.store !== 'string') throw new ApiError(400, 'param_invalid', 'store 必须是门店编号 / store must be a store id');
    const existing = typeof b.code === 'string' ? d.settlements.accounts().find((a) => a.code === b.code) : undefined;
    if (existing && !inScope(c.get('terminal'), existing.storeId, stores)) throw new ApiError(404, 'account_not_found', '没有这个账户 / No such account');
    // An account edited without `store` stays with its store; a new one goes to the one named, else the manager's own.
    const storeId =
      existing && b.store === undefined ? existing.storeId : (storeFilter(c.get('terminal'), b.store as string | undefined, stores) ?? stores.default.id);
    const input = {
      code: typeof b.code === 'string' ? b.code : undefined,
      storeId,
      provider: String(b.provider ?? ''),
      method: Number(b.method ?? PAY_METHOD.unpaid),
      name: String(b.name ?? ''),
      account: String(b.account ?? ''),
      period: Number(b.period ?? 1),
      remarks: typeof b.remarks === 'string' ? b.remarks.slice(0, 200) : undefined,
    };
    // Where a provider's money is settled to: worth a row of its own (the account number masked, as a payment code is).
    const a = await audited(
      { action: 'settlement.account', actor: c.get('terminal'), subject: input.code?.slice(0, 64), detail: { provider: input.provider.slice(0, 40), method: input.method, name: input.name, account: maskedCode(input.account), period: input.period } },
      () => d.settlements.saveAccount(input),
      (saved) => ({ subject: saved.code }),
    );
    return c.json(ok({ code: a.code }, '保存成功'));
  });

  // 结算记录列表.
  app.get('/settlement/', (c) => {
    const q = c.req.query();
    const list = d.settlements.list({
      storeId: scope(c),
      code: q.code || undefined,
      method: intParam(q.method, 'method', { min: 1, max: 4 }),
      settlementDay: q.settlement_time || undefined,
      state: intParam(q.state, 'state', { min: 1, max: 2 }),
      remark: q.remark || undefined,
    });
    return c.json(
      ok({
        num: list.length,
        data: list.map((s) => ({
          is_delete: false,
          code: s.code,
          name: s.name,
          account_code: s.accountCode,
          num: s.num,
          total: s.total,
          method: s.method,
          start_time: chinaNaive(s.startTime),
          end_time: chinaNaive(s.endTime),
          person: s.person,
          settlement_time: chinaNaive(s.settlementTime ?? undefined),
          state: s.state,
          voucher_img: s.voucherImg,
          remark: s.remark,
          create_time: chinaNaive(s.createTime),
        })),
      }),
    );
  });

  // 上传结算凭证: multipart form with person, voucher (an image), code, remark.
  app.post(
    '/settlement/',
    bodyLimit({
      maxSize: MAX_VOUCHER_BYTES + 64 * 1024,
      onError: () => {
        throw new ApiError(413, 'body_too_large', '凭证图片不能超过 5 MB / The voucher image must be under 5 MB');
      },
    }),
    async (c) => {
      const type = c.req.header('content-type') ?? '';
      if (!/^multipart\/form-data\b/i.test(type)) throw new ApiError(415, 'multipart_required', '请以表单上传凭证 (multipart/form-data) / Upload the voucher as multipart/form-data');
      const form = await c.req.parseBody();
      const voucher = form.voucher;
      const person = typeof form.person === 'string' ? form.person.trim().slice(0, 40) : '';
      const code = typeof form.code === 'string' ? form.code : '';
      if (!person || !code || !(voucher instanceof File)) throw new ApiError(400, 'param_invalid', '需要 person、code 和 voucher 图片 / person, code and the voucher image are required');
      if (!d.settlements.list({ code, storeId: scope(c) }).length) throw new ApiError(404, 'settlement_not_found', `没有编号为 ${code} 的结算记录 / No such settlement`);
      const bytes = new Uint8Array(await voucher.arrayBuffer());
      const mime = imageType(bytes);
      if (!mime) throw new ApiError(415, 'voucher_not_image', '凭证必须是 PNG、JPEG、WebP 或 GIF 图片 / The voucher must be a PNG, JPEG, WebP or GIF image');
      const s = await audited(
        { action: 'settlement.voucher', actor: c.get('terminal'), subject: code.slice(0, 64), detail: { person, mime, bytes: bytes.byteLength } },
        () => d.settlements.settle(code, { person, remark: typeof form.remark === 'string' ? form.remark.slice(0, 200) : undefined, mime, bytes }),
        (settled) => ({ amountFen: settled.total, outcome: settled.state === 2 ? 'settled' : String(settled.state) }),
      );
      return c.json(ok({ code: s.code, state: s.state, voucher_img: s.voucherImg }, '上传成功'));
    },
  );

  // (ours) the voucher image back.
  app.get('/settlement/voucher', (c) => {
    const code = c.req.query('code') ?? '';
    const v = d.settlements.list({ code, storeId: scope(c) }).length ? d.settlements.voucher(code) : undefined;
    if (!v) throw new ApiError(404, 'voucher_not_found', '没有这张凭证 / No such voucher');
    return c.body(v.bytes.slice().buffer as ArrayBuffer, 200, { 'content-type': v.mime, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  });

  return app;
}
