/**
 * A reconciliation run: one provider, one China day. Loads our side (that day's orders, plus the
 * ones carried over from just before its midnight), reads the provider's bill (Provider.dayBill),
 * matches them (match.ts) and stores the rows and every order's status in one transaction.
 *
 * Running a day again replaces its run (same code, same rows for the same books): no duplicates.
 * An order reconciled in one run (both sides seen) is not taken again by another day's run.
 * The daily job runs as person "auto" and writes the status only of orders flagged `auto`; a
 * manager's run writes every order's.
 */
import { ApiError, fromProviderError } from '../http/errors.ts';
import type { Stores } from '../stores/registry.ts';
import type { PaymentRef, ProviderMethod } from '../providers/types.ts';
import { channelResolver } from './channels.ts';
import { chinaDayBounds, isoUtc } from '../china-time.ts';
import { matchDay, type ReconRow } from './match.ts';
import { runCode, type ReconStore, type RunRecord } from './store.ts';

export const AUTO_PERSON = 'auto';

export interface ReconcilerDeps {
  store: ReconStore;
  stores: Stores;
  /** A payment this close to midnight that the provider has not booked yet is carried to the next day. */
  carryWindowMs: number;
  now?: () => number;
}

export interface RunRequest {
  /** Default: the default store. */
  storeId?: string;
  provider: string;
  day: string;
  person: string;
  remark?: string;
}

export interface RunOutcome {
  run: RunRecord;
  rows: number;
  carried: number;
}

const CHANNEL: Record<string, number> = { wechat: 2, alipay: 3, other: 4 };

export class Reconciler {
  readonly #d: ReconcilerDeps;
  readonly #now: () => number;
  /** One run of a provider's day at a time. */
  readonly #running = new Map<string, Promise<RunOutcome>>();

  constructor(deps: ReconcilerDeps) {
    this.#d = deps;
    this.#now = deps.now ?? Date.now;
  }

  /** Providers whose books can be read for a day (of the default store, or of `storeId`). */
  providers(storeId?: string): string[] {
    const store = storeId === undefined ? this.#d.stores.default : this.#d.stores.get(storeId);
    return store ? store.providers.all().filter((p) => p.dayBill).map((p) => p.id) : [];
  }

  /** Every store and provider whose books can be read: what the daily job runs. */
  channels(): { storeId: string; provider: string }[] {
    return this.#d.stores.all().flatMap((s) => this.providers(s.id).map((provider) => ({ storeId: s.id, provider })));
  }

  run(req: RunRequest): Promise<RunOutcome> {
    const code = runCode(req.provider, req.day, req.storeId ?? this.#d.stores.default.id);
    const busy = this.#running.get(code);
    if (busy) return busy.then(() => this.run(req));
    const p = this.#run(req, code).finally(() => this.#running.delete(code));
    this.#running.set(code, p);
    return p;
  }

  async #run(req: RunRequest, code: string): Promise<RunOutcome> {
    const bounds = chinaDayBounds(req.day);
    if (!bounds) throw new ApiError(400, 'day_invalid', '日期格式应为 YYYY-MM-DD / The day must be YYYY-MM-DD');
    // Today may be run (a look before closing); it is run again once the day is over.
    if (bounds.startMs > this.#now()) throw new ApiError(409, 'day_in_future', '不能对账未来的日期 / That day has not come yet');
    const storeId = req.storeId ?? this.#d.stores.default.id;
    const shop = this.#d.stores.get(storeId);
    if (!shop) throw new ApiError(404, 'store_unknown', `没有这个门店：${storeId} / No such store`);
    const provider = shop.providers.get(req.provider);
    if (!provider) throw new ApiError(404, 'provider_not_found', `没有这个支付渠道：${req.provider} / No such provider`);
    if (!provider.dayBill) throw new ApiError(422, 'no_day_bill', `${req.provider} 没有可读取的对账单 / This provider has no bill to reconcile against`);

    const { store, carryWindowMs } = this.#d;
    const ours = [
      ...store.ordersBetween({ storeId, provider: provider.id, from: isoUtc(bounds.startMs - carryWindowMs), to: isoUtc(bounds.startMs), runCode: code, elsewhere: 'any' }),
      ...store.ordersBetween({ storeId, provider: provider.id, from: isoUtc(bounds.startMs), to: isoUtc(bounds.endMs), runCode: code, elsewhere: 'matched' }),
    ];
    const methods = new Map<string, ProviderMethod>(provider.methods().map((m) => [m.id, m]));
    const known: PaymentRef[] = [];
    for (const o of ours) {
      const method = methods.get(o.method);
      if (method) known.push({ outNo: o.outNo, method, amountFen: o.amountFen, providerRef: o.providerRef });
    }
    const bill = await provider.dayBill({ day: req.day, known });
    if (!bill.ok) throw fromProviderError(bill.error);

    const methodOf = new Map(ours.map((o) => [o.outNo, o.method]));
    const channelOf = channelResolver(shop.providers);
    const result = matchDay(ours, bill.entries, {
      dayEndMs: bounds.endMs,
      carryWindowMs,
      complete: bill.complete,
      lookup: (outNo) => {
        const o = store.order(storeId, provider.id, outNo);
        if (o) methodOf.set(o.outNo, o.method);
        return o;
      },
    });
    const source = (row: ReconRow) => {
      const method = row.ours ? methodOf.get(row.ours.outNo) : undefined;
      return method ? channelOf(method) : CHANNEL[row.theirs?.channel ?? 'other'];
    };
    const run: RunRecord = {
      code,
      storeId,
      provider: provider.id,
      day: req.day,
      person: req.person,
      remark: req.remark ?? null,
      complete: bill.complete,
      carried: result.carried.length,
      startTime: isoUtc(bounds.startMs),
      endTime: isoUtc(bounds.endMs),
      createTime: isoUtc(this.#now()),
    };
    const byJob = req.person === AUTO_PERSON;
    store.save({ run, rows: result.rows, source, apply: (_row, auto) => !byJob || auto });
    return { run, rows: result.rows.length, carried: result.carried.length };
  }
}
